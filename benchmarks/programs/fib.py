"""Recursive calls: the naive Fibonacci function (calls set an interpreter's floor)."""


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def main(n):
    return fib(n)


if __name__ == "__main__":
    print(main(25))
