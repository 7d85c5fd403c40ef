"""A small program to look at with bytelens: `bytelens dis examples/fib.py`."""


def fib(n):
    """Return the n-th Fibonacci number.

    >>> fib(5)
    5
    """
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def fib_iter(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a


if __name__ == "__main__":
    print([fib(i) for i in range(10)])
    print(fib_iter(30))
