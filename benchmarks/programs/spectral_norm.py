"""Spectral norm of an infinite matrix (nested loops, float division, zip, sum over generators).

The task is the Computer Language Benchmarks Game's spectral-norm (revised BSD licence); this
implementation is written for bytelens.
"""


def entry(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def times(vector):
    n = len(vector)
    return [sum(entry(i, j) * vector[j] for j in range(n)) for i in range(n)]


def times_transposed(vector):
    n = len(vector)
    return [sum(entry(j, i) * vector[j] for j in range(n)) for i in range(n)]


def times_at_times(vector):
    return times_transposed(times(vector))


def main(n):
    u = [1.0] * n
    for _ in range(10):
        v = times_at_times(u)
        u = times_at_times(v)
    vbv = vv = 0.0
    for ue, ve in zip(u, v):
        vbv += ue * ve
        vv += ve * ve
    return round((vbv / vv) ** 0.5, 9)


if __name__ == "__main__":
    print(main(60))
