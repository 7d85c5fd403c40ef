"""A trace function that raises: the exception is raised into the traced code, where the program's
handlers and finally blocks see it (CPython's trace_trampoline), and the tracer is removed."""
import sys


class Stop(Exception):
    pass


def on_line(offset):
    def tracer(frame, event, arg):
        if event == "line" and frame.f_code.co_name == "target" \
                and frame.f_lineno == frame.f_code.co_firstlineno + offset:
            raise Stop(f"line +{offset}")
        return tracer
    return tracer


def on_call(frame, event, arg):
    if event == "call" and frame.f_code.co_name == "target":
        raise Stop("call")
    return on_call


def target():
    x = 1
    try:
        y = 2
    except Stop as error:
        print("  caught in target:", error, sys.gettrace())
        y = 3
    finally:
        print("  finally runs")
    return x + y


def caller():
    try:
        return target()
    except Stop as error:
        return f"caught in caller: {error}"


for tracer in (on_line(3), on_line(1), on_call):
    sys.settrace(tracer)
    print(caller(), "| tracer now", sys.gettrace())
