"""sys.settrace for VM frames (vm/host/systrace.py): what the differential corpus cannot show.

The corpus (tests/programs/settrace_*.py, pdb_runcall.py) compares whole runs with CPython; these
tests check the parts that are bytelens's own: no hook without a tracer, the debug-check hook kept,
bytelens's trace recorder left in place, one frame object per VM frame, ``f_trace`` set from
outside, and tracing off inside a tracer.
"""

from __future__ import annotations

import pytest

from bytelens.vm.runtime import interpreter
from bytelens.vm.host import systrace
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.runtime.hooks import TraceHook
from bytelens.vm.runtime.depth_check import DepthCheckHook
from bytelens.vm.runtime.modules import run_code


@pytest.fixture(autouse=True)
def clean_hook():
    previous = interpreter.set_trace_hook(None)
    yield
    systrace.settrace(None)
    interpreter.set_trace_hook(previous)


def run(source: str, **names) -> dict:
    namespace = {"__name__": "traced", **names}
    run_code(compile_source(source, "traced.py"), namespace)
    return namespace


PROGRAM = """
import sys
def f(x):
    y = x + 1
    return y
def start(tracer):
    sys.settrace(tracer)
    f(1)
    sys.settrace(None)
"""


def test_no_hook_until_a_tracer_and_none_after() -> None:
    events = []
    namespace = run(PROGRAM)
    assert interpreter.get_trace_hook() is None
    namespace["start"](lambda frame, event, arg: events.append((event, frame.f_lineno)) or None)
    assert interpreter.get_trace_hook() is None
    assert events == [("call", 3)]


def test_events_of_a_function() -> None:
    events = []

    def tracer(frame, event, arg):
        events.append((event, frame.f_code.co_name, frame.f_lineno, arg))
        return tracer

    run(PROGRAM)["start"](tracer)
    assert events == [("call", "f", 3, None), ("line", "f", 4, None), ("line", "f", 5, None),
                      ("return", "f", 5, 2)]


def test_the_debug_check_hook_keeps_running_under_a_program_tracer() -> None:
    checks = DepthCheckHook()
    interpreter.set_trace_hook(checks)
    events = []
    run(PROGRAM)["start"](lambda frame, event, arg: events.append(event))
    assert events == ["call"]
    assert interpreter.get_trace_hook() is checks


def test_bytelens_own_hook_is_left_in_place() -> None:
    class Recorder(TraceHook):
        steps = 0

        def call(self, frame):
            pass

        def step(self, frame, offset):
            Recorder.steps += 1

        def leave(self, frame, kind, value):
            pass

    recorder = Recorder()
    interpreter.set_trace_hook(recorder)
    events = []
    namespace = run(PROGRAM)
    namespace["start"](lambda frame, event, arg: events.append(event))
    assert interpreter.get_trace_hook() is recorder
    assert events == [] and Recorder.steps > 0


def test_one_frame_object_per_vm_frame_and_f_trace_from_outside() -> None:
    seen = []

    def tracer(frame, event, arg):
        seen.append(frame)
        return tracer

    namespace = run("""
import sys
def g():
    here = sys._getframe()
    return here
""")
    systrace.settrace(tracer)
    here = namespace["g"]()
    systrace.settrace(None)
    assert all(frame is seen[0] for frame in seen) and here is seen[0]
    assert here.f_trace is tracer

    def other(frame, event, arg):
        return other

    here.f_trace = other
    assert here.f_trace is other
    del here.f_trace
    assert here.f_trace is None


def test_nothing_is_traced_while_a_tracer_runs() -> None:
    events = []
    namespace = run("""
def helper():
    return 1
def tracer(frame, event, arg):
    helper()
    EVENTS.append((event, frame.f_code.co_name))
    return tracer
def f():
    return helper()
""", EVENTS=events)
    systrace.settrace(namespace["tracer"])
    namespace["f"]()
    systrace.settrace(None)
    assert events == [("call", "f"), ("line", "f"), ("call", "helper"), ("line", "helper"),
                      ("return", "helper"), ("return", "f")]


def test_a_raising_tracer_is_removed() -> None:
    def tracer(frame, event, arg):
        if event == "line":
            raise KeyError("tracer")
        return tracer

    namespace = run(PROGRAM)
    systrace.settrace(tracer)
    with pytest.raises(KeyError):
        namespace["f"](1)
    assert systrace.gettrace() is None
    assert interpreter.get_trace_hook() is None


def test_backward_jumps_on_one_line_give_line_events() -> None:
    lines = []

    def tracer(frame, event, arg):
        if event == "line":
            lines.append(frame.f_lineno)
        return tracer

    namespace = run("""
def loop():
    total = 0
    for i in range(3): total += i
    return total
""")
    systrace.settrace(tracer)
    namespace["loop"]()
    systrace.settrace(None)
    assert lines == [3, 4, 4, 4, 4, 5]

