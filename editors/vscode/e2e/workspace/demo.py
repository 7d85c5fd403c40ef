"""A small file for the bytelens end-to-end test."""


def fib(n):
    """The n-th Fibonacci number.

    >>> fib(5)
    5
    """
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def total(items, start=0):
    for item in items:
        start += item
    return start


def ratio(a, b):
    try:
        return a / b
    except ZeroDivisionError:
        return None
