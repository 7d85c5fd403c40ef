"""Generators: yield, yield as an expression, yield from, return in a generator."""


def counter(n):
    i = 0
    while i < n:
        received = yield i
        if received:
            i = received
        i += 1
    return i


def delegate(inner):
    result = yield from inner
    return result
