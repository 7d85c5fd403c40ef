"""async generators asend/athrow/aclose, gather errors, types.coroutine, timeouts, cancellation, async iterators."""
import asyncio, types
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
