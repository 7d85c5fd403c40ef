"""sys.settrace over VM frames: call/line/return/exception events, as CPython 3.11 sends them."""
import sys

events = []


def tracer(frame, event, arg):
    shown = arg[0].__name__ if event == "exception" else arg
    events.append((event, frame.f_code.co_name, frame.f_lineno, shown))
    return tracer


def flush(title):
    print(title)
    for event in events:
        print("   ", event)
    events.clear()


def loops(n):
    total = 0
    for i in range(n): total += i
    return total


def countdown(n):
    for step in range(n, 0, -1): received = yield step
    return f"done {received}"


def inner(x):
    value = 10 // x
    return value


def middle(x):
    result = inner(x)
    return result + 1


def handled(x):
    try:
        middle(x)
    except ZeroDivisionError:
        return "caught"


def caller_of_raise():
    middle(0)


class Resource:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def one_liner(): return 42


sys.settrace(tracer)
loops(2)
sys.settrace(None)
flush("loops")

sys.settrace(tracer)
generator = countdown(2)
first = next(generator)
second = generator.send(7)
try:
    next(generator)
except StopIteration as stop:
    final = stop.value
sys.settrace(None)
flush(f"generator {first} {second} {final}")

sys.settrace(tracer)
handled(0)
sys.settrace(None)
flush("handled")

sys.settrace(tracer)
try:
    caller_of_raise()
except ZeroDivisionError:
    pass
sys.settrace(None)
flush("propagating")

sys.settrace(tracer)
squares = [n * n for n in range(2)]
one_liner()
sys.settrace(None)
flush(f"comprehension and one-liner {squares}")
