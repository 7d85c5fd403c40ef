"""Tracing: bounded reprs, the recorder driven through the hook protocol, the JSON and text renderings.

The recorder tests drive it with hand-assembled code objects and frames whose stacks the test sets,
so they pin down exactly what a step records (and when) independently of the VM; the tests at the
end run real programs on the VM through ``trace_call``.
"""

from __future__ import annotations

import json

import pytest
from handmade import assemble

from bytelens.vm.runtime.frame import Block
from bytelens.vm.isa.opcodes import Block as BlockType
from bytelens.vm.trace.recorder import REPR_STEP_BUDGET, TraceBudgetExhausted, TraceRecorder
from bytelens.vm.trace.reprs import ELLIPSIS, BoundedRepr, cut
from bytelens.vm.trace.records import TraceBlock, TraceException, TraceResult, TraceStats, TraceStep, format_step

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
    assert render(10**10000) == "0x9b8…00 (8,305 hex digits)"
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


def test_the_list_cache_never_shows_a_stale_list():
    render = BoundedRepr(80)
    items = [1, 2.0]
    assert render(items) == "[1, 2.0]"
    items[0] = True  # equal to 1, another repr
    assert render(items) == "[True, 2.0]"
    items[1] = -0.0
    assert render(items) == "[True, -0.0]"
    items[1] = 0.0
    assert render(items) == "[True, 0.0]"
    inner = [1]
    nested = [inner]
    assert render(nested) == "[[1]]"
    inner.append(2)
    assert render(nested) == "[[1, 2]]"


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


def test_containers_on_the_stack_show_every_change():
    code = assemble([("NOP",)] * 8)
    frame = FakeFrame(code)
    recorder = TraceRecorder()
    recorder.call(frame)
    mapping, items, bag = {"a": 1}, [0.0], {1}
    frame.stack.extend([mapping, items, bag])
    changes = [lambda: None, lambda: mapping.update(a=True), lambda: items.__setitem__(0, -0.0),
               lambda: bag.discard(1) or bag.add(2), lambda: mapping.update(b=2), lambda: None]
    for offset, change in enumerate(changes):
        change()
        recorder.step(frame, offset * 2)
    recorder.leave(frame, "return", None)
    # Each step shows the stack after it: as the next change left it.
    assert [step.stack for step in recorder.build()] == [
        ("{'a': True}", "[0.0]", "{1}"),
        ("{'a': True}", "[-0.0]", "{1}"),
        ("{'a': True}", "[-0.0]", "{2}"),
        ("{'a': True, 'b': 2}", "[-0.0]", "{2}"),
        ("{'a': True, 'b': 2}", "[-0.0]", "{2}"),
        ("{'a': True, 'b': 2}", "[-0.0]", "{2}"),
    ]


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


def test_json_has_the_documented_fields_and_round_trips():
    result = _sample_result()
    data = json.loads(json.dumps(result.to_json()))
    assert set(data) == {"steps", "result", "exception", "stdout", "truncated", "stats", "display"}
    assert set(data["steps"][0]) == {"depth", "function", "line", "offset", "opname", "arg", "argrepr",
                                     "stack", "blocks", "explanation"}
    assert data["steps"][0]["explanation"] == "LOAD_NAME fib pushed <function fib>."
    assert data["steps"][1]["file"] == "lib.py"
    assert data["steps"][1]["blocks"] == [{"type": "loop", "handler": 12, "level": 0}]
    assert data["stats"] == {"steps": 2, "calls": 1, "max_call_depth": 1, "max_stack_depth": 1}
    again = TraceResult.from_json(data, call="fib(1)", file="prog.py")
    assert again.to_json() == result.to_json()


def test_display_holds_the_texts_of_the_text_rendering_once():
    display = _sample_result().display_json()
    text = _sample_result().format_text()
    assert display["version"] == 1
    assert display["instructions"] == ["0 LOAD_NAME                0 (fib)", "0 SETUP_LOOP              10 (loop -> 12)"]
    assert display["frames"] == ["<module> line 1", "fib line 3 (lib.py)"]
    assert display["block_stacks"] == [[], ["loop -> 12 (level 0)"]]
    assert display["blocks"] == [0, 1]
    assert display["outcome"] == ["result: 1"] and "result: 1" in text
    assert display["stats"] == "2 steps, 1 call, max call depth 1, max stack depth 1" and display["stats"] in text
    for number, instruction in enumerate(display["instructions"], 1):
        assert instruction in format_step(number, _sample_result().steps[number - 1])


def test_an_except_handler_block_has_no_target_in_the_text_and_the_display():
    """Stepping through a handler body: the block CPython pushes for it (handler -1) reads
    ``except-handler (level 0)`` in ``bytelens trace`` and in the display the editors draw."""
    source = "def safe(a, b):\n    try:\n        return a / b\n    except ZeroDivisionError:\n        r = 0\n    return r\n"
    result = trace_call("safe.py", "safe(1, 0)", source=source)
    handler_steps = [index for index, step in enumerate(result.steps)
                     if [block.type for block in step.blocks] == ["except-handler"]]
    assert any(result.steps[index].line == 5 for index in handler_steps), "the handler body was not stepped"
    display = result.display_json()
    assert all(display["block_stacks"][display["blocks"][index]] == ["except-handler (level 0)"]
               for index in handler_steps)
    lines = result.format_text().splitlines()
    for index in handler_steps:
        assert lines[2 + index].endswith("{except-handler (level 0)}")
    assert "-1" not in result.format_text()


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


# --- trace_call: real programs on the VM ----------------------------------------------------------------

from bytelens.vm import CompileError, trace_call  # noqa: E402
from bytelens.vm.isa import opcodes  # noqa: E402
from bytelens.vm.trace.recorder import REPR_STEP_BUDGET as REPR_BUDGET  # noqa: E402
from bytelens.vm.trace.trace_call import OUTPUT_LIMIT  # noqa: E402

PROGRAM = '''\
import helper


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def squares(k):
    return [x * x for x in range(k)]


def spin():
    while True:
        pass


def stubborn():
    try:
        while True:
            pass
    finally:
        while True:
            pass


def divide(x):
    return 10 / x


class Loud:
    def __repr__(self):
        raise ValueError("no")


class Endless:
    def __repr__(self):
        while True:
            pass


def loud():
    return [Loud(), 1]


def endless():
    return Endless()


def chatty(n):
    for i in range(n):
        print("line", i)
    return n


def flood():
    print("x" * (3 * OUTPUT_LIMIT))


def ask():
    return input()


def gen(k):
    for i in range(k):
        yield i


def total(k):
    return sum(gen(k))


def deep(n):
    return deep(n + 1)


def quit():
    raise SystemExit(3)


def twice(k):
    return helper.double(k)


OUTPUT_LIMIT = %d
if __name__ == "__main__":
    print("main block ran")
''' % OUTPUT_LIMIT


@pytest.fixture(scope="module")
def program(tmp_path_factory):
    folder = tmp_path_factory.mktemp("traced")
    (folder / "helper.py").write_text("def double(k):\n    return k * 2\n")
    path = folder / "prog.py"
    path.write_text(PROGRAM)
    return str(path)


def _stack_effect_holds(steps):
    """Within one frame, each step's stack is the previous one's plus the instruction's effect."""
    checked = 0
    for before, after in zip(steps, steps[1:]):
        if before.depth != after.depth or before.function != after.function:
            continue
        info = opcodes.BY_NAME[after.opname]
        if info.flow is not opcodes.Flow.NEXT or after.opname.startswith(("CALL", "YIELD", "SETUP")):
            continue
        if after.offset != before.offset + 2:
            continue
        effect = info.stack_effect(after.arg or 0)
        assert len(after.stack) - len(before.stack) == effect, (before, after)
        checked += 1
    return checked


def test_a_recursive_call_traced_step_by_step(program):
    result = trace_call(program, "fib(3)")
    steps = list(result.steps)
    assert result.result == "2" and result.exception is None and not result.truncated
    assert result.stats.steps == len(steps) and result.stats.calls == 5
    assert result.stats.max_call_depth == 3
    assert steps[0].function == "<call>" and steps[0].file == "<call>" and steps[0].opname == "LOAD_NAME"
    call = next(step for step in steps if step.opname == "CALL_FUNCTION")
    assert steps[steps.index(call) + 1].function == "fib"  # the CALL comes before the callee's steps
    assert call.stack == ("2",)  # and shows the callee's result
    assert {step.line for step in steps if step.function == "fib"} == {5, 6, 7}
    assert all(step.file is None for step in steps if step.function == "fib")
    assert _stack_effect_holds(steps) > 20
    assert result.stats.max_stack_depth == max(len(step.stack) for step in steps)


def test_a_list_being_built_shows_its_state_at_each_step(program):
    result = trace_call(program, "squares(3)")
    appends = [step.stack for step in result.steps if step.opname == "LIST_APPEND"]
    assert [stack[0] for stack in appends] == ["[0]", "[0, 1]", "[0, 1, 4]"]
    assert result.result == "[0, 1, 4]"


def test_blocks_follow_the_setup_instructions(program):
    steps = list(trace_call(program, "chatty(1)").steps)
    setup = next(step for step in steps if step.opname == "SETUP_LOOP")
    (block,) = setup.blocks
    assert block.type == "loop" and f"-> {block.handler}" in setup.argrepr and block.level == 0
    pop = next(step for step in steps if step.opname == "POP_BLOCK")
    assert pop.blocks == ()


def test_a_runaway_loop_ends_at_the_budget(program):
    result = trace_call(program, "spin()", max_steps=50)
    assert result.truncated and result.result is None and result.exception is None
    assert len(result.steps) == result.stats.steps == 50
    assert result.steps[-1].function == "spin"
    assert "stopped after 50 steps" in result.format_text()


def test_a_finally_cannot_keep_a_runaway_going(program):
    result = trace_call(program, "stubborn()", max_steps=40)
    assert result.truncated and len(result.steps) == 40


def test_an_exception_ends_the_trace_with_a_traceback_of_source_lines(program):
    result = trace_call(program, "divide(0)")
    assert result.result is None and result.exception.type == "ZeroDivisionError"
    assert result.exception.message == "division by zero"
    traceback = "\n".join(result.exception.traceback)
    line = PROGRAM.splitlines().index("    return 10 / x") + 1
    assert f'File "{program}", line {line}, in divide' in traceback and "return 10 / x" in traceback
    assert "bytelens/vm" not in traceback and "/vm/" not in traceback
    assert result.steps[-1].opname == "BINARY_TRUE_DIVIDE"


def test_a_repr_that_raises_and_one_that_never_ends(program):
    loud = trace_call(program, "loud()")
    assert loud.result == "[<repr raised ValueError>, 1]"
    assert any("<repr raised ValueError>" in step.stack for step in loud.steps)
    endless = trace_call(program, "endless()")
    assert endless.result == f"<repr stopped after {REPR_BUDGET} steps>"
    assert all(step.function in ("<call>", "endless") for step in endless.steps)


def test_output_is_captured_and_capped_and_stdin_is_empty(program):
    chatty = trace_call(program, "chatty(2)")
    assert chatty.stdout == "line 0\nline 1\n" and chatty.result == "2"
    flood = trace_call(program, "flood()")
    assert flood.stdout.startswith("x" * 100) and len(flood.stdout) < OUTPUT_LIMIT + 100
    assert f"{2 * OUTPUT_LIMIT + 1} more characters not shown" in flood.stdout
    assert trace_call(program, "ask()").exception.type == "EOFError"


def test_generators_and_recursion_limits(program):
    total = trace_call(program, "total(3)")
    assert total.result == "3"
    assert {step.function for step in total.steps} >= {"total", "gen"}
    assert max(step.depth for step in total.steps if step.function == "gen") == 2
    deep = trace_call(program, "deep(0)", max_steps=1_000_000)
    assert deep.exception.type == "RecursionError"


def test_system_exit_and_imported_modules(program):
    assert trace_call(program, "quit()").exception.type == "SystemExit"
    twice = trace_call(program, "twice(4)")
    assert twice.result == "8"
    helper_steps = [step for step in twice.steps if step.function == "double"]
    assert helper_steps and all(step.file.endswith("helper.py") for step in helper_steps)


def test_the_module_runs_as_an_import_and_an_unsaved_buffer_wins(program):
    result = trace_call(program, "chatty(0)")
    assert "main block ran" not in result.stdout
    edited = trace_call(program, "answer()", source="def answer():\n    return 42\n")
    assert edited.result == "42"


def test_bad_input_gives_clear_errors(program, tmp_path):
    unparsable = trace_call(program, "fib(")
    assert unparsable.exception.type == "SyntaxError" and "fib(" in unparsable.exception.message
    assert len(unparsable.steps) == 0
    assert trace_call(program, "x = 1").exception.type == "SyntaxError"
    failing = tmp_path / "failing.py"
    failing.write_text("print('before')\nraise KeyError('body')\n")
    body = trace_call(str(failing), "anything()")
    assert body.exception.type == "KeyError" and body.stdout == "before\n" and len(body.steps) == 0
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    with pytest.raises(CompileError):
        trace_call(str(broken), "f()")
    with pytest.raises(ValueError):
        trace_call(program, "fib(1)", max_steps=0)


def test_json_and_text_of_a_real_trace(program):
    result = trace_call(program, "fib(2)")
    data = json.loads(json.dumps(result.to_json()))
    assert data["result"] == "1" and data["exception"] is None and data["truncated"] is False
    assert data["stats"]["steps"] == len(data["steps"])
    assert TraceResult.from_json(data, call="fib(2)", file=program).format_text() == result.format_text()


def test_a_file_named_like_a_loaded_module_does_not_replace_it(tmp_path):
    path = tmp_path / "types.py"
    path.write_text("import dataclasses\n\n@dataclasses.dataclass\nclass P:\n    x: int\n\n"
                    "def make():\n    return P(3)\n")
    result = trace_call(str(path), "make()")
    assert result.result == "P(x=3)" and result.exception is None
    import types
    assert types.SimpleNamespace  # the standard library's module is still the one in sys.modules
