"""Tracing: bounded reprs, the recorder driven through the hook protocol, the JSON and text renderings.

The recorder tests drive it with hand-assembled code objects and frames whose stacks the test sets,
so they pin down exactly what a step records (and when) independently of the VM; the tests at the
end run real programs on the VM through ``trace_call``.
"""

from __future__ import annotations

import json

import pytest
from handmade import assemble

from bytelens.vm.frame import Block
from bytelens.vm.opcodes import Block as BlockType
from bytelens.vm.recorder import REPR_STEP_BUDGET, TraceBudgetExhausted, TraceRecorder
from bytelens.vm.reprs import ELLIPSIS, BoundedRepr, cut
from bytelens.vm.trace_records import TraceBlock, TraceException, TraceResult, TraceStats, TraceStep

# --- bounded reprs ----------------------------------------------------------------------------------


class RaisingRepr:
    def __repr__(self):
        raise ValueError("no repr for you")


def test_cut_keeps_short_text_and_marks_long_text():
    assert cut("abc", 5) == "abc"
    assert cut("abcdefgh", 5) == "abcd" + ELLIPSIS
    assert len(cut("x" * 1000, 80)) == 80


def test_reprs_of_builtin_values_match_python():
    render = BoundedRepr(200)
    values = [0, -3, 2.5, 1j, "it's", b"\x00a", None, True, ..., [1, [2, "x"]], (1,), (), {"a": (1, 2)},
              {3}, set(), frozenset(), frozenset({1}), range(3), {}, bytearray(b"ab")]
    for value in values:
        assert render(value) == repr(value)


def test_huge_values_are_cut_without_rendering_them_whole():
    render = BoundedRepr(40)
    text = render(list(range(10**7)))
    assert text.startswith("[0, 1, 2, ") and text.endswith(ELLIPSIS) and len(text) == 40
    assert render("y" * 10**6) == "'" + "y" * 38 + ELLIPSIS
    assert render(10**10000) == "<int of 33220 bits>"
    assert len(render({i: str(i) * 50 for i in range(1000)})) == 40


def test_a_repr_that_raises_does_not_break_the_trace():
    render = BoundedRepr(80)
    assert render(RaisingRepr()) == "<repr raised ValueError>"
    assert render([1, RaisingRepr()]) == "[1, <repr raised ValueError>]"


def test_recursive_containers_render_as_python_does():
    render = BoundedRepr(80)
    items = [1]
    items.append(items)
    mapping = {}
    mapping["me"] = mapping
    assert render(items) == repr(items) == "[1, [...]]"
    assert render(mapping) == repr(mapping)


def test_deeply_nested_values_stay_bounded():
    nested = []
    for _ in range(100_000):
        nested = [nested]
    text = BoundedRepr(60)(nested)
    assert len(text) <= 60


def test_mutable_values_are_rendered_afresh_and_immutable_ones_cached():
    render = BoundedRepr(80)
    items = [1]
    assert render(items) == "[1]"
    items.append(2)
    assert render(items) == "[1, 2]"
    calls = []

    def counting(value):
        calls.append(value)
        return "<thing>"

    render = BoundedRepr(80, foreign=counting, address_types=[RaisingRepr])
    thing = RaisingRepr()
    assert render(thing) == render(thing) == "<thing>"
    assert calls == [thing]


# --- the recorder, driven through the hook protocol ---------------------------------------------------


class FakeFrame:
    def __init__(self, code):
        self.code = code
        self.stack = []
        self.blocks = []


def _caller_and_callee():
    callee = assemble([("LOAD_FAST", 0, (2, 4, 2, 5)), ("RETURN_VALUE", 0, (2, 4, 2, 5))], name="double",
                      qualname="double", varnames=("n",), argcount=1, filename="prog.py", firstlineno=2)
    caller = assemble([("LOAD_NAME", 0), ("LOAD_CONST", 0), ("CALL_FUNCTION", 1), ("RETURN_VALUE",)],
                      name="<module>", consts=(21,), names=("double",), filename="<call>")
    return caller, callee


def _run_call(recorder, *, value=42):
    """What the VM does for ``double(21)``: the hook events, with the stacks as they would be."""
    caller_code, callee_code = _caller_and_callee()
    caller = FakeFrame(caller_code)
    recorder.call(caller)
    recorder.step(caller, 0)
    caller.stack.append("<function double>")
    recorder.step(caller, 2)
    caller.stack.append(21)
    recorder.step(caller, 4)
    callee = FakeFrame(callee_code)
    recorder.call(callee)
    recorder.step(callee, 0)
    callee.stack.append(21)
    recorder.step(callee, 2)
    callee.stack.pop()
    recorder.leave(callee, "return", value)
    caller.stack[-2:] = [value]
    recorder.step(caller, 6)
    caller.stack.pop()
    recorder.leave(caller, "return", value)


def test_steps_record_the_stack_after_each_instruction_in_execution_order():
    recorder = TraceRecorder(home_file="prog.py")
    _run_call(recorder)
    steps = recorder.build()
    assert [(s.depth, s.function, s.opname, s.stack) for s in steps] == [
        (0, "<module>", "LOAD_NAME", ("'<function double>'",)),
        (0, "<module>", "LOAD_CONST", ("'<function double>'", "21")),
        (0, "<module>", "CALL_FUNCTION", ("42",)),  # before the callee's steps, with its result
        (1, "double", "LOAD_FAST", ("21",)),
        (1, "double", "RETURN_VALUE", ()),
        (0, "<module>", "RETURN_VALUE", ()),
    ]
    assert steps[3].line == 2 and steps[3].argrepr == "n" and steps[3].arg == 0
    assert steps[0].file == "<call>" and steps[3].file is None
    assert recorder.stats == TraceStats(steps=6, calls=1, max_call_depth=1, max_stack_depth=2)


def test_blocks_are_recorded_with_type_handler_and_level():
    code = assemble([("SETUP_LOOP", 4), ("POP_BLOCK",), ("LOAD_CONST", 0), ("RETURN_VALUE",)], consts=(None,))
    frame = FakeFrame(code)
    recorder = TraceRecorder()
    recorder.call(frame)
    recorder.step(frame, 0)
    frame.blocks.append(Block(BlockType.LOOP, 6, 0))
    recorder.step(frame, 2)
    frame.blocks.pop()
    recorder.leave(frame, "return", None)
    first, second = recorder.build()
    assert first.blocks == (TraceBlock("loop", 6, 0),) and first.argrepr == "loop -> 6"
    assert second.blocks == ()


def test_a_mutable_list_shows_its_state_at_each_step():
    code = assemble([("BUILD_LIST", 0), ("NOP",), ("NOP",)])
    frame = FakeFrame(code)
    recorder = TraceRecorder()
    recorder.call(frame)
    recorder.step(frame, 0)
    built = []
    frame.stack.append(built)
    recorder.step(frame, 2)
    built.append(1)
    recorder.step(frame, 4)
    built.append(2)
    recorder.leave(frame, "return", None)
    assert [step.stack for step in recorder.build()] == [("[]",), ("[1]",), ("[1, 2]",)]


def test_the_budget_stops_the_run_and_keeps_stopping_it():
    code = assemble([("JUMP_ABSOLUTE", 0)])
    frame = FakeFrame(code)
    recorder = TraceRecorder(max_steps=5)
    recorder.call(frame)
    for _ in range(5):
        recorder.step(frame, 0)
    with pytest.raises(TraceBudgetExhausted):
        recorder.step(frame, 0)
    with pytest.raises(TraceBudgetExhausted):  # a finally body cannot run on
        recorder.step(frame, 0)
    assert recorder.exhausted and len(recorder.build()) == 5
    assert not isinstance(TraceBudgetExhausted(), Exception)


def test_a_repr_running_on_the_vm_is_neither_recorded_nor_unbounded():
    code = assemble([("NOP",), ("NOP",)])
    outer = FakeFrame(code)
    recorder = TraceRecorder()

    class VMRepr:
        """Stands for a value whose __repr__ is bytelens code: it calls the hook as it runs."""

        def __init__(self, steps):
            self.steps = steps

        def __repr__(self):
            inner = FakeFrame(code)
            recorder.call(inner)
            for _ in range(self.steps):
                recorder.step(inner, 0)
            recorder.leave(inner, "return", "x")
            return f"<took {self.steps} steps>"

    recorder.call(outer)
    recorder.step(outer, 0)
    outer.stack.append(VMRepr(3))
    outer.stack.append(VMRepr(REPR_STEP_BUDGET + 1))
    recorder.step(outer, 2)
    recorder.leave(outer, "return", None)
    steps = recorder.build()
    assert len(steps) == 2 and recorder.stats.calls == 0
    assert steps[0].stack == ("<took 3 steps>", f"<repr stopped after {REPR_STEP_BUDGET} steps>")


def test_pending_steps_of_suspended_frames_are_filled_at_the_end():
    code = assemble([("LOAD_CONST", 0), ("YIELD_VALUE",)], consts=(7,))
    frame = FakeFrame(code)
    recorder = TraceRecorder()
    recorder.call(frame)
    recorder.step(frame, 0)
    frame.stack.append(7)
    recorder.step(frame, 2)
    recorder.leave(frame, "yield", 7)
    frame.stack.pop()
    recorder.call(frame)  # resumed, then the trace ends while it runs
    frame.stack.append("sent")
    recorder.step(frame, 2)
    steps = recorder.build()
    assert [step.stack for step in steps] == [("7",), ("7",), ("'sent'",)]
    assert [step.depth for step in steps] == [0, 0, 0]


# --- records and renderings ---------------------------------------------------------------------------


def _sample_result(**changes) -> TraceResult:
    steps = [
        TraceStep(0, "<module>", 1, 0, "LOAD_NAME", 0, "fib", ("<function fib>",), ()),
        TraceStep(1, "fib", 3, 0, "SETUP_LOOP", 10, "loop -> 12", (), (TraceBlock("loop", 12, 0),),
                  "lib.py"),
    ]
    fields = dict(call="fib(1)", file="prog.py", steps=steps, result="1", stdout="hi\n",
                  stats=TraceStats(2, 1, 1, 1), max_steps=10_000)
    fields.update(changes)
    return TraceResult(**fields)


def test_json_has_the_design_fields_and_round_trips():
    result = _sample_result()
    data = json.loads(json.dumps(result.to_json()))
    assert set(data) == {"steps", "result", "exception", "stdout", "truncated", "stats"}
    assert set(data["steps"][0]) == {"depth", "function", "line", "offset", "opname", "arg", "argrepr",
                                     "stack", "blocks"}
    assert data["steps"][1]["file"] == "lib.py"
    assert data["steps"][1]["blocks"] == [{"type": "loop", "handler": 12, "level": 0}]
    assert data["stats"] == {"steps": 2, "calls": 1, "max_call_depth": 1, "max_stack_depth": 1}
    again = TraceResult.from_json(data, call="fib(1)", file="prog.py")
    assert again.to_json() == result.to_json()


def test_text_shows_each_step_with_depth_stack_and_blocks_then_the_outcome():
    text = _sample_result().format_text()
    lines = text.splitlines()
    assert lines[0] == "trace of fib(1) in prog.py"
    first = next(line for line in lines if "LOAD_NAME" in line)
    second = next(line for line in lines if "SETUP_LOOP" in line)
    assert first.split()[:3] == ["1", "<module>", "1"] and first.endswith("[<function fib>]")
    assert "0 (fib)" in first
    assert "    fib (lib.py)" in second and "(loop -> 12)" in second
    assert second.endswith("[]  {loop -> 12 (level 0)}")
    assert "result: 1" in lines and "output:" in lines and "    hi" in lines
    assert lines[-1] == "stats: 2 steps, 1 call, max call depth 1, max stack depth 1"


def test_text_of_a_cut_trace_and_of_an_exception():
    cut_short = _sample_result(result=None, truncated=True, stats=TraceStats(10_000, 1, 1, 1)).format_text()
    assert "stopped after 10000 steps: the step budget (10000, --max-steps) ran out" in cut_short
    assert "result:" not in cut_short
    raised = _sample_result(result=None, exception=TraceException(
        "ZeroDivisionError", "division by zero", ("Traceback (most recent call last):",
                                                  '  File "prog.py", line 2, in f'))).format_text()
    assert "raised ZeroDivisionError: division by zero" in raised
    assert '      File "prog.py", line 2, in f' in raised
    assert _sample_result().summary() == "fib(1) -> 1 · 2 steps"
