"""Coroutines: await, async for, async with, async comprehensions, async generators."""


async def fetch(client):
    value = await client.get()
    async with client.session() as session:
        await session.close()
    return value


async def consume(stream):
    async for item in stream:
        print(item)
    else:
        print("end")
    return [x async for x in stream]


async def ticks(n):
    for i in range(n):
        yield i
