"""The trace hook contract that vm/trace/trace_call.py builds on (docs/vm.md, "The trace hook")."""

from __future__ import annotations

import pytest

from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.runtime.decode import decode
from bytelens.vm.runtime.hooks import HookAbort, TraceHook
from bytelens.vm.runtime.interpreter import get_trace_hook, set_trace_hook
from bytelens.vm.runtime.modules import run_code
from bytelens.vm.isa.opcodes import BY_CODE, Block


class Recorder(TraceHook):
    def __init__(self, stop_after: int | None = None, error: type[BaseException] = HookAbort):
        self.events: list = []
        self.stop_after = stop_after
        self.error = error
        self.steps = 0

    def call(self, frame):
        self.events.append(("call", frame.code.name, frame.back.code.name if frame.back else None))

    def step(self, frame, offset):
        self.steps += 1
        opcode = decode(frame.code).opcodes[offset // 2]
        self.events.append(("step", frame.code.name, offset, BY_CODE[opcode].name, list(frame.stack),
                            [(b.type, b.handler, b.level) for b in frame.blocks], frame.line))
        if self.stop_after is not None and self.steps >= self.stop_after:
            raise self.error("budget")

    def leave(self, frame, kind, value):
        self.events.append(("leave", frame.code.name, kind, value))


def traced(source: str, hook) -> dict:
    code = compile_source(source, "traced.py")
    namespace = {"__name__": "traced"}
    run_code(code, namespace)
    previous = set_trace_hook(hook)
    try:
        namespace["result"] = namespace["main"]()
    finally:
        set_trace_hook(previous)
    return namespace


def steps(hook, name=None):
    return [event for event in hook.events if event[0] == "step" and (name is None or event[1] == name)]


def test_call_step_leave_order_and_accurate_stacks():
    hook = Recorder()
    traced("def add(a, b):\n    return a + b\ndef main():\n    return add(2, 3)\n", hook)
    kinds = [(event[0], event[1]) for event in hook.events]
    assert kinds[0] == ("call", "main")
    assert ("call", "add") in kinds and kinds[-1] == ("leave", "main")
    assert hook.events[kinds.index(("call", "add"))][2] == "main"  # frame.back
    add_steps = steps(hook, "add")
    binary = next(event for event in add_steps if event[3] == "BINARY_ADD")
    assert binary[4] == [2, 3] and binary[6] == 2
    returned = next(event for event in add_steps if event[3] == "RETURN_VALUE")
    assert returned[4] == [5]
    assert ("leave", "add", "return", 5) in hook.events
    offsets = [event[2] for event in add_steps]
    assert offsets == sorted(offsets)


def test_blocks_and_markers_are_visible():
    hook = Recorder()
    source = ("def main():\n"
              "    for i in range(2):\n"
              "        try:\n"
              "            return i\n"
              "        finally:\n"
              "            pass\n")
    traced(source, hook)
    main_steps = steps(hook, "main")
    with_finally = [event for event in main_steps if any(block[0] is Block.FINALLY for block in event[5])]
    assert with_finally and all(event[5][0][0] is Block.LOOP for event in with_finally)
    end_finally = next(event for event in main_steps if event[3] == "END_FINALLY")
    assert repr(end_finally[4][-1]) == "<return 0>"


def test_exceptions_and_yields_are_leave_kinds():
    hook = Recorder()
    source = ("def gen():\n    yield 1\n"
              "def bad():\n    raise KeyError('k')\n"
              "def main():\n"
              "    g = gen()\n    next(g)\n"
              "    try:\n        bad()\n    except KeyError:\n        pass\n"
              "    return 'ok'\n")
    namespace = traced(source, hook)
    assert namespace["result"] == "ok"
    leaves = {(event[1], event[2]) for event in hook.events if event[0] == "leave"}
    assert {("gen", "yield"), ("bad", "exception"), ("main", "return")} <= leaves


@pytest.mark.parametrize("error", [HookAbort, RuntimeError])
def test_a_hook_exception_is_never_caught_by_vm_handlers(error):
    hook = Recorder(stop_after=40, error=error)
    source = ("log = []\n"
              "def main():\n"
              "    while True:\n"
              "        try:\n"
              "            try:\n"
              "                pass\n"
              "            finally:\n"
              "                log.append('finally')\n"
              "        except BaseException:\n"
              "            log.append('caught')\n")
    code = compile_source(source, "traced.py")
    namespace = {"__name__": "traced"}
    run_code(code, namespace)
    namespace["log"].clear()
    set_trace_hook(hook)
    try:
        with pytest.raises(error, match="budget"):
            namespace["main"]()
    finally:
        set_trace_hook(None)
    assert "caught" not in namespace["log"]
    assert hook.steps == 40


def test_no_hook_means_no_calls():
    assert get_trace_hook() is None
    hook = Recorder()
    namespace = {"__name__": "t"}
    run_code(compile_source("def main():\n    return 1\n", "t.py"), namespace)
    assert namespace["main"]() == 1 and hook.events == []


def test_an_abort_crosses_generators_and_host_callbacks_uncaught():
    source = ("log = []\n"
              "def key(value):\n"
              "    return -value\n"
              "def numbers():\n"
              "    try:\n"
              "        yield from range(5)\n"
              "    except BaseException:\n"
              "        log.append('generator caught')\n"
              "        raise\n"
              "def main():\n"
              "    try:\n"
              "        return sorted(numbers(), key=key)\n"
              "    except BaseException:\n"
              "        log.append('main caught')\n")
    code = compile_source(source, "traced.py")
    namespace = {"__name__": "traced"}
    run_code(code, namespace)
    for stop_after in (3, 12, 30):
        hook = Recorder(stop_after=stop_after)
        set_trace_hook(hook)
        try:
            with pytest.raises(HookAbort):
                namespace["main"]()
        finally:
            set_trace_hook(None)
        assert namespace["log"] == []
    assert namespace["main"]() == [4, 3, 2, 1, 0]
