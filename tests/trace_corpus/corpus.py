"""Small programs that together execute every instruction bytelens's compiler emits (tests/test_trace_explain.py
checks it): each function is one theme, ``main`` runs them all."""

import wide

counter = 0


def arithmetic(a, b):
    values = [+a, -a, ~a, not a, a ** b, a * b, a % b, a + b, a - b, a // b, a / b, a << b, a >> b,
              a & b, a ^ b, a | b]
    x = a
    x += b; x -= b; x *= b; x //= b; x /= b; x %= 5; x **= 2
    y = 6
    y <<= 1; y >>= 1; y &= 7; y ^= 1; y |= 8
    return values, x, y


def names_and_items():
    global counter
    counter += 1
    data = {"k": [1, 2, 3]}
    data["k"][0] = 10
    del data["k"][1]
    part = data["k"][0:1]
    a, b = 1, 2
    a, b = b, a
    first, *rest = [1, 2, 3]
    c = d = 3
    data["k"][0] += 1
    lo = 1 < a < 3
    local = 5
    del local
    global dropped
    dropped = 1
    del dropped
    return part, a, b, first, rest, c, d, lo, a and b, a or b, not (a and b)


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def total(self):
        return self.x + self.y


def objects():
    p = Point(1, 2)
    p.z = 3
    del p.z
    return p.total(), p.x


def closures():
    shared = 1

    def inner():
        nonlocal shared
        shared += 1
        return shared

    class Body:
        seen = shared
        note: str = "x"

    inner()
    result = shared, Body.seen
    del shared
    return result


def containers(a, b):
    t = (a, b)
    s = {a, b}
    m = {a: b, "two": 2}
    k = {"x": a, "y": b}
    joined = (*t, *t), [*t, *t], {*t, *s}, {**m, **k}
    text = f"{a}-{b!r:>3}"
    return t, s, m, k, joined, text, [x for x in t], {x for x in t}, {x: x for x in t}


def keywords(a, b=2, *args, c=3, **kwargs):
    return a, b, args, c, kwargs


def calls():
    options = {"c": 4}
    more = {"d": 5}
    return (keywords(1, b=3), keywords(*(1, 2), **options), keywords(*[1], *[2]),
            keywords(1, **options, **more), "a,b".split(","))


def loops(n):
    total = 0
    for i in range(n):
        if i == 1:
            continue
        try:
            if i == 3:
                continue
        finally:
            total += 1
        if i > 4:
            break
    while n:
        n -= 1
        if n < 2:
            break
    return total


def exceptions(x):
    try:
        1 / x
    except ZeroDivisionError as error:
        caught = str(error)
    else:
        caught = None
    finally:
        x += 1
    try:
        assert x < 0, "no"
    except AssertionError:
        pass
    try:
        raise ValueError("inner") from KeyError("cause")
    except ValueError:
        pass
    try:
        try:
            raise TypeError()
        except TypeError:
            raise
    except TypeError:
        pass
    return caught


class Manager:
    def __enter__(self):
        return "entered"

    def __exit__(self, kind, value, traceback):
        return kind is KeyError


def withs():
    with Manager() as entered:
        pass
    with Manager():
        raise KeyError("silenced")
    return entered


def generator():
    sent = yield 1
    yield sent
    yield from [3, 4]


def generators():
    g = generator()
    first = next(g)
    return first, g.send(2), list(g)


class Ticker:
    def __init__(self):
        self.left = 2

    def __aiter__(self):
        return self

    async def __anext__(self):
        if not self.left:
            raise StopAsyncIteration
        self.left -= 1
        return self.left

    async def __aenter__(self):
        return self

    async def __aexit__(self, *exc):
        return False


async def helper():
    return 1


async def coroutine():
    seen = [await helper()]
    async for tick in Ticker():
        seen.append(tick)
    async with Ticker() as ticker:
        seen.append(ticker.left)
    return seen


def asyncs():
    coro = coroutine()
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value


def matching(subject):
    match subject:
        case [1, *others]:
            return others
        case {"k": value, **rest}:
            return value, rest
        case Point(x=0, y=y):
            return y
        case (a, b) if a == b:
            return a
        case _:
            return None


def groups():
    try:
        raise ExceptionGroup("group", [ValueError("a"), TypeError("b")])
    except* ValueError:
        pass
    except* TypeError:
        pass


def imports():
    import corpus_module
    from corpus_star import star_value
    return corpus_module.shared + star_value


def main():
    return (arithmetic(7, 2), names_and_items(), objects(), closures(), containers(1, 2), calls(),
            loops(7), exceptions(0), withs(), generators(), asyncs(),
            [matching(s) for s in ([1, 2, 3], {"k": 1, "z": 2}, Point(0, 5), (4, 4), 9)],
            groups(), imports(), wide.wide(1))
