"""sys.settrace's controls on VM frames: gettrace, tracers that decline frames, f_trace_lines,
f_trace_opcodes, f_trace set from a tracer, and a tracer that raises (removed, error propagates)."""
import atexit
import sys


def work(n):
    total = 0
    for i in range(n): total += i
    return total


def helper(x):
    doubled = x * 2
    return doubled


def outer(x):
    value = helper(x)
    return value + work(2)


def show(title, events):
    print(title)
    for event in events:
        print("   ", event)


events = []


def only_helper(frame, event, arg):
    events.append((event, frame.f_code.co_name, frame.f_lineno))
    return only_helper if frame.f_code.co_name == "helper" else None


sys.settrace(only_helper)
print("gettrace is the tracer:", sys.gettrace() is only_helper)
outer(3)
sys.settrace(None)
print("gettrace after removal:", sys.gettrace())
show("declined frames", events)

events = []


def no_lines(frame, event, arg):
    events.append((event, frame.f_code.co_name))
    if event == "call":
        frame.f_trace_lines = False
    return no_lines


sys.settrace(no_lines)
outer(1)
sys.settrace(None)
show("f_trace_lines False", events)

counts = {}


def opcodes(frame, event, arg):
    if event == "call":
        frame.f_trace_opcodes = True
    counts[event] = counts.get(event, 0) + 1
    return opcodes


sys.settrace(opcodes)
work(3)
sys.settrace(None)
print("opcode events seen:", counts.get("opcode", 0) > counts["line"], sorted(counts))

events = []


def local(frame, event, arg):
    events.append(("local", event, frame.f_code.co_name, frame.f_lineno))
    return None  # in 3.11 a local tracer returning None stays the frame's f_trace


def global_tracer(frame, event, arg):
    events.append(("global", event, frame.f_code.co_name))
    frame.f_trace = local
    return None


sys.settrace(global_tracer)
helper(5)
sys.settrace(None)
show("f_trace set by the tracer", events)

lines_seen = []


def failing(frame, event, arg):
    if event == "line" and frame.f_lineno == 14:
        raise RuntimeError(f"tracer failed at line {frame.f_lineno}")
    lines_seen.append((event, frame.f_lineno))
    return failing


def report():
    print("lines before the failure:", lines_seen)
    print("tracer removed:", sys.gettrace())


atexit.register(report)
sys.settrace(failing)
helper(1)
print("not reached")
