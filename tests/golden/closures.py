"""Closures: cells and free variables, nonlocal, a class body reading a free variable."""


def counter():
    count = 0

    def increment():
        nonlocal count
        count += 1
        return count

    return increment


def outer(x):
    class Inner:
        value = x

    return Inner
