"""Comprehensions, generator expressions, generators, yield from, send/throw/close."""
data = [3, 1, 4, 1, 5, 9, 2, 6]
print([x * 2 for x in data if x > 2 if x < 9])
print({x % 3 for x in data}, {x: x * x for x in data if x % 2})
print([(i, j) for i in range(3) for j in range(i) if (i + j) % 2])
print(sum(x for x in data), list(x for x in range(3)))
print([[j for j in range(i)] for i in range(4)])
print([y for x in [[1, 2], [3]] for y in x])
print([last := x for x in data], last)
print([(s := s + x) for x in range(5)] if (s := 0) == 0 else None)


def walrus_in_function():
    total = 0
    running = [total := total + x for x in range(4)]
    return running, total


print(walrus_in_function())


def gen(n):
    for i in range(n):
        received = yield i
        if received:
            print("received", received)
    return "gen done"


g = gen(3)
print(next(g), g.send("hello"), next(g))
try:
    next(g)
except StopIteration as stop:
    print("stop value", stop.value)


def delegating():
    result = yield from gen(2)
    print("delegated result", result)
    yield from [10, 20]
    return "outer done"


print(list(delegating()))


def thrower():
    try:
        yield 1
        yield 2
    except ValueError as error:
        yield f"caught {error}"
    finally:
        print("thrower finally")


t = thrower()
print(next(t), t.throw(ValueError("boom")))
t.close()


def closing():
    try:
        yield 1
    except GeneratorExit:
        print("generator exit")
        raise


c = closing()
next(c)
c.close()


def infinite():
    n = 0
    while True:
        yield n
        n += 1


import itertools
print(list(itertools.islice(infinite(), 5)))
lazy = (print("evaluated", x) or x for x in range(2))
print("before iteration")
print(list(lazy))
outer_iter = iter([1, 2])
genexp = (x for x in outer_iter)
print(next(genexp), list(outer_iter))


class Scope:
    values = [1, 2, 3]
    doubled = [v * 2 for v in values]
    try:
        cross = [v + w for v in values for w in values]
    except NameError as error:
        cross = str(error)


print(Scope.doubled, Scope.cross)


def gen_with_return_in_try():
    try:
        yield 1
        return
    finally:
        print("gen finally")


print(list(gen_with_return_in_try()))
print(list(zip(*[(1, 2), (3, 4)])), dict(zip("ab", range(2))))
print((lambda: (yield 1))().__next__())
gen_lambda = (lambda: (yield from range(3)))()
print(list(gen_lambda))
print(any(x > 5 for x in data), all(x > 0 for x in data))
print(sorted(data, key=lambda v: -v)[:3])
