"""Fannkuch-redux: pancake flips over every permutation (list slicing, reversal, swaps).

The task is the Computer Language Benchmarks Game's fannkuch-redux (revised BSD licence); this
implementation (permutations in counting order, checksum by parity) is written for bytelens.
"""


def main(n):
    perm1 = list(range(n))
    count = [0] * n
    max_flips = 0
    checksum = 0
    permutation_index = 0
    r = n
    while True:
        while r != 1:
            count[r - 1] = r
            r -= 1
        perm = perm1[:]
        flips = 0
        first = perm[0]
        while first:
            perm[: first + 1] = perm[first::-1]
            flips += 1
            first = perm[0]
        if flips > max_flips:
            max_flips = flips
        checksum += flips if permutation_index % 2 == 0 else -flips
        while True:
            if r == n:
                return checksum, max_flips
            perm0 = perm1[0]
            i = 0
            while i < r:
                j = i + 1
                perm1[i] = perm1[j]
                i = j
            perm1[r] = perm0
            count[r] -= 1
            if count[r] > 0:
                break
            r += 1
        permutation_index += 1


if __name__ == "__main__":
    print(main(8))
