import importpkg.circular_a as a

B_VALUE = "b"


def from_a():
    return a.A_VALUE
