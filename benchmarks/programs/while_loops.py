"""Nested while loops with integer arithmetic and comparisons (no calls at all)."""


def main(n):
    count = 0
    i = 0
    while i < n:
        j = 0
        while j < 100:
            if (i ^ j) & 3 == 0:
                count += 1
            elif i % 7 == j % 5:
                count -= 1
            j += 1
        i += 1
    return count


if __name__ == "__main__":
    print(main(5_000))
