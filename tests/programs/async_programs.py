"""async: coroutines under asyncio.run, tasks, gather, async generators, async with/for,
async comprehensions, timeouts, cancellation, exceptions across awaits."""
import asyncio
import contextlib


async def add(a, b):
    await asyncio.sleep(0)
    return a + b


async def worker(name, delay, log):
    log.append(f"{name} start")
    await asyncio.sleep(delay)
    log.append(f"{name} end")
    return name.upper()


class Resource:
    def __init__(self, name):
        self.name = name

    async def __aenter__(self):
        print("acquire", self.name)
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, kind, value, traceback):
        print("release", self.name, kind.__name__ if kind else None)
        return kind is KeyError


class Ticker:
    def __init__(self, count):
        self.count = count

    def __aiter__(self):
        return self

    async def __anext__(self):
        if self.count == 0:
            raise StopAsyncIteration
        self.count -= 1
        await asyncio.sleep(0)
        return self.count


async def numbers(limit):
    try:
        for i in range(limit):
            await asyncio.sleep(0)
            yield i
    finally:
        print("numbers finally")


async def echo_gen():
    received = yield "first"
    while received is not None:
        received = yield f"got {received}"


@contextlib.asynccontextmanager
async def managed(label):
    print("open", label)
    try:
        yield label * 2
    finally:
        print("close", label)


async def fails():
    await asyncio.sleep(0)
    raise ValueError("async failure")


async def slow():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("slow was cancelled")
        raise


async def main():
    print(await add(1, 2))
    log = []
    results = await asyncio.gather(worker("a", 0.02, log), worker("b", 0.01, log))
    print(results, log)
    async with Resource("r1") as resource:
        print("using", resource.name)
    async with Resource("r2"):
        raise KeyError("suppressed by __aexit__")
    async for value in Ticker(3):
        print("tick", value)
    print([n async for n in numbers(4)], [n * n async for n in numbers(3) if n])
    async with contextlib.aclosing(numbers(10)) as limited:
        async for n in limited:
            if n == 2:
                break
    gen = echo_gen()
    print(await gen.asend(None), await gen.asend("x"), await gen.asend("y"))
    await gen.aclose()
    async with managed("m") as doubled:
        print("managed value", doubled)
    try:
        await fails()
    except ValueError as error:
        print("caught", error)
    task = asyncio.create_task(slow())
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print("task cancelled:", task.cancelled())
    try:
        await asyncio.wait_for(asyncio.sleep(5), timeout=0.01)
    except asyncio.TimeoutError:
        print("timed out")
    queue = asyncio.Queue()

    async def producer():
        for i in range(3):
            await queue.put(i)
        await queue.put(None)

    async def consumer():
        items = []
        while (item := await queue.get()) is not None:
            items.append(item)
        return items

    _, consumed = await asyncio.gather(producer(), consumer())
    print("consumed", consumed)
    coroutine = add(0, 0)
    print(asyncio.iscoroutinefunction(add), asyncio.iscoroutine(coroutine), await coroutine)
    return "main done"


print(asyncio.run(main()))
