"""The trace's sentences (vm/trace/explain.py): one per step, with the step's own values.

A corpus of small programs (tests/trace_corpus) together executes every instruction the compiler
emits; its trace checks that each has a sentence, and that the values the sentences name are the
stacks' (an operator's result recomputed by CPython from the values the sentence says it popped).
"""

from __future__ import annotations

import ast
import glob
import json
import os
import re
from pathlib import Path

import pytest

from bytelens.vm import compile_source, trace_call
from bytelens.vm.isa import opcodes
from bytelens.vm.isa.disassembler import get_instructions
from bytelens.vm.isa.opcodes import OperatorKind
from bytelens.vm.trace.explain import explain_steps
from bytelens.vm.trace.records import TraceResult

TESTS = Path(__file__).resolve().parent
CORPUS = TESTS / "trace_corpus"


@pytest.fixture(scope="module")
def corpus():
    """The corpus's trace and its sentences (trace_call resolves imports from the working directory)."""
    here = os.getcwd()
    os.chdir(CORPUS)
    try:
        result = trace_call("corpus.py", "main()", max_steps=None)
    finally:
        os.chdir(here)
    assert result.exception is None and not result.truncated
    return result, result.explanations()


def emitted_opnames() -> set[str]:
    """Every opname the compiler emits for the test programs and the corpus."""
    seen = set()
    paths = glob.glob(str(TESTS / "programs" / "**" / "*.py"), recursive=True)
    paths += glob.glob(str(TESTS / "compiler_programs" / "*.py")) + glob.glob(str(CORPUS / "*.py"))
    for path in paths:
        try:
            code = compile_source(Path(path).read_bytes(), path)
        except Exception:  # noqa: BLE001 - the programs that exist to fail compiling
            continue
        for unit in code.walk():
            seen.update(instr.opname for instr in get_instructions(unit))
    return seen


def test_the_corpus_executes_every_instruction_the_compiler_emits(corpus):
    result, sentences = corpus
    executed = {step.opname for step in result.steps}
    emitted = emitted_opnames()
    assert len(emitted) > 100
    # EXTENDED_ARG is a prefix folded into the next instruction's argument, never a step itself;
    # the corpus's wide list display shows that it was emitted and folded.
    assert emitted - executed == {"EXTENDED_ARG"}
    assert any(step.opname == "BUILD_LIST" and step.arg > 255 for step in result.steps)
    for step, sentence in zip(result.steps, sentences):
        assert sentence.startswith(step.opname + " ") and sentence.endswith("."), sentence
        assert "not an instruction" not in sentence


def _previous_in_frame(steps, index):
    """The step before ``index`` when it is the same frame's (same depth and function, adjacent)."""
    if index and steps[index - 1].depth == steps[index].depth \
            and steps[index - 1].function == steps[index].function:
        return steps[index - 1]
    return None


def _literal(text):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def test_operator_sentences_name_the_operands_and_the_result_cpython_computes(corpus):
    result, sentences = corpus
    checked = raised = 0
    for index, (step, sentence) in enumerate(zip(result.steps, sentences)):
        info = opcodes.BY_NAME[step.opname]
        if info.operator_kind not in (OperatorKind.BINARY, OperatorKind.INPLACE, OperatorKind.UNARY):
            continue
        if result.steps[index + 1].offset != step.offset + 2:  # it raised (1 / 0): told below
            assert " raised " in sentence
            raised += 1
            continue
        before = _previous_in_frame(result.steps, index)
        assert before is not None
        operands = before.stack[-info.popped():]
        assert sentence == f"{step.opname} popped {' and '.join(operands)} and pushed {step.stack[-1]}."
        values = [_literal(text) for text in operands]
        if all(isinstance(value, (int, float)) for value in values):
            assert info.function(*values) == _literal(step.stack[-1]), sentence
            checked += 1
    assert checked >= 30 and raised == 1


def test_jump_sentences_follow_the_next_step_and_the_popped_value(corpus):
    result, sentences = corpus
    seen = set()
    for index, (step, sentence) in enumerate(zip(result.steps, sentences)):
        if step.opname not in ("POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE"):
            continue
        before, after = _previous_in_frame(result.steps, index), result.steps[index + 1]
        assert before is not None and after.function == step.function
        jumped = after.offset == step.arg
        assert sentence == (f"{step.opname} popped {before.stack[-1]} and "
                            + (f"jumped to {step.arg}." if jumped else "did not jump."))
        value = _literal(before.stack[-1])
        if isinstance(value, (bool, int)):
            assert jumped == (bool(value) == (step.opname == "POP_JUMP_IF_TRUE"))
        seen.add((step.opname, jumped))
    assert len(seen) == 4  # both instructions, taken and not taken


def test_a_call_names_what_it_called_and_pushed_and_a_return_where_it_went(tmp_path):
    (tmp_path / "f.py").write_text("def f(a, b):\n    return a + b\n")
    result = trace_call(str(tmp_path / "f.py"), "f(10, 1)")
    sentences = dict(zip((step.opname for step in result.steps), result.explanations()))
    assert sentences["CALL_FUNCTION"] == "CALL_FUNCTION popped <function f> and 2 arguments, called f and " \
                                         "pushed its result 11."
    assert sentences["BINARY_ADD"] == "BINARY_ADD popped 10 and 1 and pushed 11."
    returns = [s for step, s in zip(result.steps, result.explanations()) if step.opname == "RETURN_VALUE"]
    assert returns == ["RETURN_VALUE returned 11 to <call>.", "RETURN_VALUE returned 11."]


def test_blocks_loops_and_exceptions_are_told_with_their_targets(tmp_path):
    (tmp_path / "g.py").write_text(
        "def g(n):\n"
        "    for i in range(n):\n"
        "        pass\n"
        "    try:\n"
        "        n = 1 / n\n"
        "    except ZeroDivisionError:\n"
        "        n = 0\n"
        "    return n\n")
    result = trace_call(str(tmp_path / "g.py"), "g(0)")
    told = list(zip(result.steps, result.explanations()))
    setup = next((step, s) for step, s in told if step.opname == "SETUP_LOOP")
    assert setup[1] == f"SETUP_LOOP pushed a loop block (ends at {setup[0].blocks[-1].handler})."
    exhausted = next(s for step, s in told if step.opname == "FOR_ITER")
    assert re.fullmatch(r"FOR_ITER popped <range_iterator object> and jumped to \d+\.", exhausted)
    assert "POP_BLOCK popped a loop block." in [s for _, s in told]
    divide = next((index, s) for index, (step, s) in enumerate(told) if step.opname == "BINARY_TRUE_DIVIDE")
    handler = result.steps[divide[0] + 1].offset
    assert divide[1] == (f"BINARY_TRUE_DIVIDE popped 1 and 0 and raised "
                         f"ZeroDivisionError('division by zero'), handled at {handler}.")
    assert "POP_EXCEPT popped an except-handler block." in [s for _, s in told]


def test_an_exception_out_of_the_call_and_a_trace_cut_by_the_budget(tmp_path):
    (tmp_path / "h.py").write_text("def h(x):\n    return 1 / x\n\ndef loop():\n    while True:\n"
                                   "        h(1)\n")
    raised = trace_call(str(tmp_path / "h.py"), "h(0)")
    assert raised.explanations()[-1] == "BINARY_TRUE_DIVIDE popped 1 and 0 and raised an exception out to <call>."
    assert raised.explanations()[2] == "CALL_FUNCTION popped <function h> and 1 argument, called h and raised " \
                                       "an exception."
    cut = trace_call(str(tmp_path / "h.py"), "loop()", max_steps=40)
    assert cut.truncated
    sentences = cut.explanations()
    assert "raised" not in " ".join(sentences)
    calls = [s for step, s in zip(cut.steps, sentences) if step.opname == "CALL_FUNCTION"]
    assert calls[0].endswith("had not finished when the step budget ran out.")  # <call>'s call of loop


def test_a_generator_yields_to_its_consumer_and_unknown_values_are_not_guessed(tmp_path):
    (tmp_path / "gen.py").write_text("def gen():\n    yield 1\n    yield 2\n\ndef use():\n"
                                     "    return [x for x in gen()]\n")
    result = trace_call(str(tmp_path / "gen.py"), "use()")
    told = [(step, s) for step, s in zip(result.steps, result.explanations()) if step.function == "gen"]
    assert [s for step, s in told if step.opname == "YIELD_VALUE"] == [
        "YIELD_VALUE yielded 1 to use.<locals>.<listcomp>.", "YIELD_VALUE yielded 2 to use.<locals>.<listcomp>."]
    # After a resumption the value sent in is not in the records: the sentence counts it instead.
    assert [s for step, s in told if step.opname == "POP_TOP"] == ["POP_TOP popped 1 value."] * 2


def test_the_json_steps_and_the_display_carry_the_sentences(corpus):
    result, sentences = corpus
    data = json.loads(json.dumps(result.to_json()))
    assert [step["explanation"] for step in data["steps"]] == sentences
    display = data["display"]
    assert [display["sentences"][index] for index in display["explanations"]] == sentences
    assert len(display["sentences"]) == len(set(sentences))
    again = TraceResult.from_json(data)
    assert again.explanations() == sentences


def test_the_text_puts_each_sentence_under_its_step_only_when_asked(tmp_path):
    (tmp_path / "f.py").write_text("def f():\n    return 2\n")
    result = trace_call(str(tmp_path / "f.py"), "f()")
    plain, explained = result.format_text(), result.format_text(explain=True)
    assert "pushed" not in plain
    lines = explained.splitlines()
    for sentence in result.explanations():
        index = lines.index("        " + sentence)
        assert re.match(r"\s+\d+  ", lines[index - 1])


def test_explain_steps_is_a_plain_function_over_steps(corpus):
    result, sentences = corpus
    assert explain_steps(list(result.steps)) == sentences
