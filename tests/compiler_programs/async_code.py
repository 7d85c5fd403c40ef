"""async def, await, async for, async with, async comprehensions and generators, driven by hand."""
import types


@types.coroutine
def suspend(value):
    received = yield value
    return received


def run(coroutine):
    sent = None
    log = []
    while True:
        try:
            yielded = coroutine.send(sent)
        except StopIteration as stop:
            return stop.value, log
        log.append(yielded)
        sent = f"reply to {yielded}"


async def simple(x):
    reply = await suspend(x)
    return f"{x} got {reply!r}"


print(run(simple(1)))


class AsyncIter:
    def __init__(self, n):
        self.n = n
        self.i = 0

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.i >= self.n:
            raise StopAsyncIteration
        self.i += 1
        await suspend(f"tick {self.i}")
        return self.i


class AsyncCM:
    def __init__(self, swallow=False):
        self.swallow = swallow

    async def __aenter__(self):
        await suspend("enter")
        return "resource"

    async def __aexit__(self, kind, value, tb):
        await suspend(f"exit {kind.__name__ if kind else None}")
        return self.swallow


async def features():
    out = []
    async for value in AsyncIter(3):
        if value == 2:
            continue
        out.append(value)
    else:
        out.append("else")
    async with AsyncCM() as resource:
        out.append(resource)
    async with AsyncCM(True):
        raise ValueError("swallowed")
    out.append([v async for v in AsyncIter(2)])
    out.append({v: await simple(v) for v in range(2)})
    out.append([await simple(v) for v in range(1)])
    async for value in AsyncIter(5):
        if value == 2:
            break
    out.append(value)
    return out


result, log = run(features())
print(result)
print(log)


async def agen(n):
    for i in range(n):
        await suspend(f"agen {i}")
        yield i * 10


async def consume():
    total = [x async for x in agen(3)]
    gen_exp = (x + 1 async for x in agen(2))
    more = [y async for y in gen_exp]
    return total, more


print(run(consume()))


async def nested_comprehension():
    return [[y async for y in AsyncIter(x)] for x in range(3)]


print(run(nested_comprehension())[0])
print(simple.__qualname__)


async def with_return():
    async with AsyncCM():
        return "returned"


print(run(with_return()))


async def exception_in_async_for():
    try:
        async for value in AsyncIter(3):
            if value == 2:
                raise KeyError(value)
    except KeyError as error:
        return f"caught {error}"


print(run(exception_in_async_for()))
