"""Command arguments and trace summaries: malformed input becomes a clear sentence."""

from collections import namedtuple

import pytest

from bytelens.server.commands import as_dict, disassembly, parse_disassemble_arguments, parse_trace_arguments
from bytelens.server.tracing import check_call, summarize


def test_trace_arguments():
    parsed = parse_trace_arguments({"uri": "file:///a.py", "function": "C.m", "line": 3, "call": "f(3)",
                                    "template": "f(n)", "maxSteps": 50})
    assert (parsed.uri, parsed.function, parsed.line, parsed.call, parsed.max_steps) == (
        "file:///a.py", "C.m", 3, "f(3)", 50)


@pytest.mark.parametrize("raw, message", [
    ({"call": "f()"}, '"uri" is required'),
    ({"uri": "file:///a.py", "call": None, "template": "f(n)"}, "starting from f(n)"),
    ({"uri": "file:///a.py", "call": "  "}, '"call" must be a non-empty string'),
    ({"uri": "file:///a.py", "call": 3}, '"call" must be a non-empty string'),
    ({"uri": "file:///a.py", "call": "f()", "line": -1}, '"line" must be'),
    ({"uri": "file:///a.py", "call": "f()", "maxSteps": 0}, '"maxSteps" must be'),
    ({"uri": "file:///a.py", "call": "f()", "maxSteps": True}, '"maxSteps" must be'),
    (["file:///a.py"], "expected an object"),
])
def test_bad_trace_arguments(raw, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_trace_arguments(raw)


def test_custom_request_params_arrive_as_namedtuples():
    Object = namedtuple("Object", ["uri"])
    assert as_dict(Object("file:///a.py")) == {"uri": "file:///a.py"}
    assert parse_disassemble_arguments(Object("file:///a.py")) == "file:///a.py"
    with pytest.raises(ValueError, match='"uri" is required'):
        parse_disassemble_arguments({})


def test_disassembly_without_any_compilation():
    assert disassembly(None, None) == {"text": "", "map": [], "error": "the file has not been compiled"}


def test_check_call():
    assert check_call("f(3)") is None
    assert check_call("C().m(x=[1, 2])") is None
    assert "does not parse" in check_call("f(")
    assert "does not parse" in check_call("x = 3")


@pytest.mark.parametrize("trace, summary", [
    ({"result": "6", "stats": {"steps": 41}, "truncated": False}, "f(3) -> 6 · 41 steps"),
    ({"result": "None", "stats": {"steps": 1}}, "f(3) -> None · 1 step"),
    ({"exception": {"type": "ZeroDivisionError", "message": "division by zero"}, "stats": {"steps": 9}},
     "f(3) raised ZeroDivisionError · 9 steps"),
    ({"truncated": True, "stats": {"steps": 10000}}, "f(3) stopped at the step budget · 10000 steps"),
    ({"result": "'" + "x" * 100 + "'", "steps": [{}, {}]}, "f(3) -> '" + "x" * 38 + "… · 2 steps"),
])
def test_summaries(trace, summary):
    assert summarize("f(3)", trace) == summary
