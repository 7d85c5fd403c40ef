"""Frames the program gets from sys._getframe and inspect: the line a frame is at when it is read
(not when it was fetched), in plain and hot (compiled) code, in generators and class bodies, and
the type host code sees."""
import inspect
import sys
import types


def watch():
    frame = sys._getframe()
    first = frame.f_lineno
    total = 0
    for i in range(300):  # hot enough for compiled blocks
        total += i
    print("read later", first, frame.f_lineno)
    seen = [frame.f_lineno for _ in range(1)]
    print("from a comprehension", seen)

    def inner():
        return frame.f_lineno, sys._getframe(1).f_lineno

    print("from a nested function", inner())
    print("inspect", inspect.currentframe().f_lineno, frame.f_back.f_lineno, frame.f_back.f_code.co_name)
    return total


watch()


def lines():
    frame = sys._getframe()
    yield frame.f_lineno
    yield frame.f_lineno


print("generator", list(lines()))


class Body:
    frame = sys._getframe()
    x = 1
    print("class body", frame.f_lineno, frame.f_code.co_name)


def suspended():
    yield 1


it = suspended()
next(it)
print(type(it.gi_frame), type(sys._getframe()), type(inspect.currentframe()))
try:
    sys._getframe(50)
except ValueError as error:
    print(error)


# VM frames are frames to host code: isinstance, inspect.isframe, inspect.getframeinfo.
def g():
    yield 1


it = g()
next(it)
f = it.gi_frame
print(isinstance(f, types.FrameType), inspect.isframe(f), inspect.getframeinfo(f).function, f.f_code.co_name)
print(inspect.getframeinfo(sys._getframe()).lineno, isinstance(sys._getframe(), types.FrameType))
