"""Objects are freed as soon as the program drops them (reference counting, garbage collector off):
locals of generators closed early, of frames an exception passed through, of async generators
closed by the event loop. The VM must not keep them in reference cycles of its own."""
import asyncio
import gc
import sys
import weakref

gc.disable()
class Res:
    pass
refs = []
def gen():
    r = Res()
    refs.append(weakref.ref(r))
    try:
        yield 1
        yield 2
    finally:
        pass
for x in gen():
    break
print("generator closed by break", refs[-1]() is None)
g = gen(); next(g); g.close()
print("close", refs[-1]() is None)
def raiser():
    r = Res()
    refs.append(weakref.ref(r))
    raise ValueError("x")
def caller():
    try:
        raiser()
    except ValueError:
        pass
caller()
print("caught in VM", refs[-1]() is None)
try:
    raiser()
except ValueError:
    pass
print("caught at module", refs[-1]() is None)
print(sorted(map(int, [3, 1])), list(map(lambda x: x, [1])))
def bad():
    r = Res()
    refs.append(weakref.ref(r))
    yield 1
    raise StopIteration
try:
    list(bad())
except RuntimeError:
    pass
print("PEP 479", refs[-1]() is None)
class K:
    def __eq__(self, o):
        r = Res(); refs.append(weakref.ref(r)); raise KeyError
try:
    K() == 1
except KeyError:
    pass
print("via host slot", refs[-1]() is None)
try:
    sorted([1, 2], key=lambda v: raiser())
except ValueError:
    pass
print("via host callback", refs[-1]() is None)


async def agen():
    r = Res(); refs.append(weakref.ref(r))
    try:
        yield 1
    finally:
        pass
async def main():
    async for v in agen():
        break
asyncio.run(main())
print("async gen", refs[-1]() is None)


# A traceback keeps the frames it passed alive, with their variables, while the exception lives;
# a frame that goes on running after catching can still drop a variable.
wr = None


def raising_with_a_local():
    global wr
    local = Res()
    wr = weakref.ref(local)
    raise KeyError("k")


try:
    raising_with_a_local()
except KeyError as caught:
    print("alive while the exception is handled", wr() is not None)
print("freed with the exception", wr() is None)


def handler_drops_its_variable():
    value = Res()
    probe = weakref.ref(value)
    try:
        try:
            raise ValueError(value)
        except ValueError:
            raise KeyError
    except KeyError as error:
        error.__context__ = None
        value = None
        return probe() is None


print("dropped by the running frame", handler_drops_its_variable())


def suggestion():
    blech = None
    print(bluch)


try:
    suggestion()
except NameError:
    sys.__excepthook__(*sys.exc_info())  # CPython's C hook suggests 'blech'
