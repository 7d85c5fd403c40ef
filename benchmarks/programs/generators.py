"""Generators: a pipeline of generator functions, yield from, send() and generator expressions."""


def naturals(n):
    i = 0
    while i < n:
        yield i
        i += 1


def evens(source):
    for value in source:
        if value % 2 == 0:
            yield value


def chained(n):
    yield from evens(naturals(n))
    yield from (x * 3 for x in range(10))


def accumulator():
    total = 0
    while True:
        value = yield total
        total += value


def main(n):
    total = sum(chained(n))
    acc = accumulator()
    next(acc)
    for value in naturals(n // 4):
        total += acc.send(value) & 0xFF
    return total + sum(x * x for x in range(n // 10) if x & 1)


if __name__ == "__main__":
    print(main(200_000))
