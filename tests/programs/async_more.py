"""async generators asend/athrow/aclose, gather errors, types.coroutine, timeouts, cancellation, async iterators."""
import asyncio, collections.abc, inspect, types
async def agen():
    try:
        yield 1
        try:
            yield 2
        except ValueError as e:
            print("agen caught", e)
            yield 3
    finally:
        print("agen finally")

async def main():
    g = agen()
    print(await g.__anext__())
    print(await g.asend(None))
    print(await g.athrow(ValueError("boom")))
    try:
        await g.__anext__()
    except StopAsyncIteration:
        print("stop async")
    g2 = agen()
    await g2.__anext__()
    await g2.aclose()
    print("aclosed")
    async def failing():
        await asyncio.sleep(0)
        raise KeyError("k")
    try:
        await asyncio.gather(failing(), asyncio.sleep(0))
    except KeyError as e:
        print("gather raised", e)
    results = await asyncio.gather(failing(), asyncio.sleep(0, "x"), return_exceptions=True)
    print([type(r).__name__ for r in results])
    print([i async for i in agen()])
    @types.coroutine
    def legacy():
        value = yield
        return value
    async def uses_legacy():
        return await legacy()
    c = uses_legacy()
    c.send(None)
    try:
        c.send("sent")
    except StopIteration as e:
        print("legacy result", e.value)
    async def timeout_case():
        try:
            async with asyncio.timeout(0.01):
                await asyncio.sleep(1)
        except TimeoutError:
            print("timeout context")
    await timeout_case()
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    loop.call_soon(fut.set_result, 42)
    print("future", await fut)
    async def cancel_me():
        try:
            await asyncio.sleep(10)
        finally:
            print("cancelled cleanup")
    t = asyncio.ensure_future(cancel_me())
    await asyncio.sleep(0)
    t.cancel()
    await asyncio.gather(t, return_exceptions=True)
    print(t.cancelled())
    class AIter:
        def __init__(self): self.n = 0
        def __aiter__(self): return self
        async def __anext__(self):
            self.n += 1
            if self.n > 2: raise StopAsyncIteration
            return self.n
    async for v in AIter():
        print("aiter", v)
    else:
        print("aiter else")
asyncio.run(main())


# Generators made awaitable by types.coroutine, awaited by VM code and by host code (anext(),
# asyncio's wait_for and ensure_future).
@types.coroutine
def hop(value):
    yield
    return value


class Ticker:
    def __init__(self):
        self.n = 0

    def __aiter__(self):
        return self

    @types.coroutine
    def __anext__(self):
        yield
        self.n += 1
        if self.n > 3:
            raise StopAsyncIteration
        return self.n


async def itercoro_main():
    print(await hop(1), await asyncio.wait_for(hop(2), 1), await asyncio.ensure_future(hop(3)))
    ticker = Ticker()
    print(await anext(ticker), await anext(ticker, "x"), [v async for v in Ticker()])
    made = hop(4)
    print(type(made).__name__, inspect.isawaitable(made), inspect.isgenerator(made), inspect.iscoroutine(made),
          isinstance(made, collections.abc.Awaitable), isinstance(made, collections.abc.Coroutine))
    made.close()
    pending = anext(Ticker(), "default")
    print(type(pending).__name__, await pending)


asyncio.run(itercoro_main())


def plain_generator():
    yield


async def awaits_a_plain_generator():
    await plain_generator()


try:
    asyncio.run(awaits_a_plain_generator())
except TypeError as error:
    print(error)


# aclose() and athrow() while the async generator awaits in its finally block; their states.
def step(awaitable, value=None):
    try:
        return ("yielded", awaitable.send(value))
    except BaseException as error:
        return (type(error).__name__, str(error))


async def closing_main():
    done = []

    async def awaits_in_finally():
        try:
            yield 1
            1 / 0
        finally:
            await asyncio.sleep(0.001)
            await asyncio.sleep(0.001)
            done.append("finally")

    agen = awaits_in_finally()
    await agen.__anext__()
    await agen.aclose()
    print("closed after awaiting in finally:", done)

    async def yields_in_finally():
        try:
            yield 1
        finally:
            await asyncio.sleep(0)
            yield 2

    agen = yields_in_finally()
    await agen.__anext__()
    try:
        await agen.aclose()
    except RuntimeError as error:
        print(error)

    async def once():
        yield 1

    finished = once()
    async for _ in finished:
        pass
    print("athrow finished", step(finished.athrow(ValueError)), "aclose finished", step(finished.aclose()))

    async def pauses_in_finally():
        try:
            yield 1
        finally:
            await hop(None)
            await hop(None)
            done.append("paused")

    slow = pauses_in_finally()
    await slow.__anext__()
    closing = slow.aclose()
    print("first step", step(closing)[0])
    print("aclose meanwhile", step(slow.aclose()), "athrow meanwhile", step(slow.athrow(ValueError)))
    print("anext meanwhile", step(slow.__anext__()))
    while True:
        outcome = step(closing)
        if outcome[0] != "yielded":
            break
    print("closing ends", outcome, "reused", step(closing), done)


asyncio.run(closing_main())
