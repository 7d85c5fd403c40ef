"""Generator, coroutine and function objects as host code sees them: checked attributes, CPython's
messages, docstrings, reprs, the traceback of a throw into a generator that never started, and the
object a failing __del__ is reported with."""
import os
import sys
import traceback
import warnings


def gen():
    yield 1


async def coro():
    pass


async def agen():
    yield 1


def plain():
    pass


pending = coro()
for obj in (gen(), pending, agen(), plain):
    kind = type(obj).__name__
    for name in sorted(dir(obj)):
        if name.startswith(("gi_", "cr_", "ag_")) or name in ("__name__", "__qualname__"):
            for action, attempt in (("set", lambda: setattr(obj, name, 42)), ("del", lambda: delattr(obj, name))):
                try:
                    attempt()
                    print(kind, action, name, "allowed")
                except (TypeError, AttributeError) as error:
                    print(kind, action, name, type(error).__name__, error)
    for method in ("__next__", "send", "throw", "close", "__iter__", "__await__", "asend", "athrow", "aclose",
                   "__anext__", "__aiter__"):
        if hasattr(obj, method):
            print(" ", method, repr(getattr(obj, method).__doc__))
    obj.__qualname__ = "renamed"
    print(kind, obj.__qualname__, repr(obj).split(" at ")[0])
pending.close()


def where(error):
    return [(os.path.basename(entry.filename), entry.lineno, entry.name, entry.line)
            for entry in traceback.extract_tb(error.__traceback__)]


def reraiser():
    try:
        yield
    except ZeroDivisionError:
        raise


# Thrown into before it started: the generator's frame gets a traceback entry at its first line.
for started in (False, True):
    g = reraiser()
    if started:
        next(g)
    try:
        1 / 0
    except ZeroDivisionError as caught:
        try:
            g.throw(caught)
        except ZeroDivisionError as error:
            print("started" if started else "not started", where(error))
try:
    reraiser().throw(ValueError, "x")
except ValueError as error:
    print("".join(traceback.format_exception_only(type(error), error)).strip(), where(error))


class Leaker:
    def __del__(self):
        raise RuntimeError("del failed")


reported = []
sys.unraisablehook = reported.append
leaker = Leaker()
del leaker
print("unraisable object is the function:", reported[0].object == Leaker.__del__, reported[0].exc_type.__name__,
      reported[0].exc_value)
sys.unraisablehook = sys.__unraisablehook__


class Methods:
    def pair(self, x):
        return (type(self).__name__, x)

    def __eq__(self, other):
        return "eq called"

    def __len__(self):
        return 3


m = Methods()
print(m.pair(1), m == 2, len(m), list(map(Methods.pair, [m], [5])), Methods.pair.__get__(m)(6))
print(sorted([Methods(), Methods()], key=Methods.__len__) is not None, min(m, m, key=len) is m)


# A function's __dict__: replaceable by a dict only, never deleted.
plain.attribute = 1
for attempt in (lambda: delattr(plain, "__dict__"), lambda: setattr(plain, "__dict__", 5),
                lambda: setattr(plain, "__dict__", {"other": 2})):
    try:
        attempt()
        print("allowed", plain.__dict__)
    except TypeError as error:
        print(type(error).__name__, error)


# cr_origin: where a coroutine was created, innermost first, at the lines running then.
def make_coroutine():
    return coro()


sys.set_coroutine_origin_tracking_depth(2)
created = [make_coroutine(), coro()]
for made in created:
    print("origin", [(os.path.basename(file), line, name) for file, line, name in made.cr_origin])
    made.close()
sys.set_coroutine_origin_tracking_depth(0)


# A generator that ignores GeneratorExit when it is collected: reported as unraisable, with a
# traceback entry for the frame that dropped it.
def stubborn():
    try:
        yield 1
    finally:
        yield 2


def drop_stubborn():
    g = stubborn()
    next(g)
    del g


reported.clear()
sys.unraisablehook = reported.append
drop_stubborn()
sys.unraisablehook = sys.__unraisablehook__
print(reported[0].exc_type.__name__, reported[0].exc_value, reported[0].object.__name__,
      [(entry.name, entry.lineno, entry.line) for entry in traceback.extract_tb(reported[0].exc_traceback)])


# frame.clear(): finalizes a generator's frame, empties a finished frame, refuses a running one.
async def never_awaited():
    pass
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    frame = never_awaited().cr_frame
print([str(x.message) for x in w])
frame.clear()
gen = never_awaited()
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always")
    gen.cr_frame.clear()
print([str(x.message) for x in w])
gen.close()
def cleared():
    try:
        yield 1
    finally:
        print("finally ran")
it = cleared()
next(it)
it.gi_frame.clear()
print(it.gi_frame, it.gi_suspended)
def h():
    x = 1
    try:
        sys._getframe().clear()
    except RuntimeError as e:
        print(e)
    return sys._getframe()
fr = h()
print(sorted(fr.f_locals))
fr.clear()
print(sorted(fr.f_locals))
def selfclear():
    yield
    me.gi_frame.clear()
me = selfclear()
next(me)
try:
    next(me)
except RuntimeError as e:
    print(e)
