"""sys.setprofile over VM frames: call/return for functions and generators, c_call/c_return/
c_exception for builtins they call, and the profile module's call counts, as under CPython."""
import sys

events = []


def profiler(frame, event, arg):
    if frame.f_code.co_filename == __file__:
        events.append((event, frame.f_code.co_name, arg if event == "return" and isinstance(arg, int) else
                       getattr(arg, "__name__", None)))


def leaf(n):
    return n * 2


def gen(n):
    for i in range(n):
        yield leaf(i)


def fails():
    raise ValueError("no")


def top():
    total = sum(gen(3))
    try:
        fails()
    except ValueError:
        pass
    try:
        len(5)
    except TypeError:
        pass
    items = []
    items.append(total)
    return total


sys.setprofile(profiler)
top()
sys.setprofile(None)
print(sys.getprofile())
events = [event for event in events if event[1] != "<module>"]  # CPython: c_call of sys.setprofile itself
for event in events:
    print(event)

import io
import itertools
import profile
import pstats

ticks = itertools.count()
p = profile.Profile(lambda: next(ticks))  # a clock that counts, so that runs are reproducible
p.runcall(top)
stream = io.StringIO()
stats = pstats.Stats(p, stream=stream)
rows = sorted((func[2], value[1]) for func, value in stats.stats.items() if func[0] == __file__)
print(rows)
