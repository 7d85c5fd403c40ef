"""Broken modules (issue 12): CPython's first error, then each further one as CPython words it for
that top-level statement standing alone, and code for every statement that compiles.

The differential test places each case of the error corpus (tests/errors) after and before correct
code. Nothing is written down: the first diagnostic is compared with CPython's ``compile()`` of the
whole text, and each further diagnostic with CPython's ``compile()`` of the statement alone, at its
place (blank lines before it).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_errors_vs_cpython import CASES, FILENAME, assert_same_error, cpython_report  # noqa: E402

from bytelens.server.compiling import FURTHER_SUFFIX, compile_text  # noqa: E402
from bytelens.vm.compiler.partial import MAX_FURTHER_ERRORS, compile_partial, split_lines, \
    split_statements  # noqa: E402
from bytelens.vm.isa.code import Code  # noqa: E402

CORRECT = '''\
def correct_function(n):
    total = 0
    for i in range(n):
        total += i * i
    return total
'''

TEXT_CASES = [case for case in CASES if isinstance(case.source, str)]


def code_names(code: Code) -> set[str]:
    names = {code.name}
    for const in code.consts:
        if isinstance(const, Code):
            names |= code_names(const)
    return names


def as_error(d) -> tuple:
    return (d.kind, d.message, d.line, d.column, d.end_line, d.end_column)


def widened(error: tuple) -> tuple:
    """CPython's error with an empty range widened to one column, as a diagnostic's (CompileError
    .to_diagnostic: editors do not show an empty range)."""
    kind, message, line, column, end_line, end_column = error
    column = max(column, 1) if column is not None else column
    if line is not None and line >= 1 and end_column is not None and (end_line, end_column) <= (line, column):
        end_line, end_column = line, column + 1
    return kind, message, line, column, end_line, end_column


def unmarked(message: str, first_line: int) -> tuple[str, bool]:
    suffix = FURTHER_SUFFIX.format(line=first_line)
    return (message[:-len(suffix)], True) if message.endswith(suffix) else (message, False)


def alone_report(text: str, line: int):
    """CPython's report for the top-level statement of ``text`` that holds ``line``, alone at its place."""
    lines = split_lines(text)
    statement = next(s for s in split_statements(text) if s.start < line <= s.end)
    return cpython_report("\n" * statement.start + "".join(lines[statement.start:statement.end]))


LATER_ERROR = "def later():\n    break\n"
PLACES = {"after": lambda case: CORRECT + "\n" + case,
          "before": lambda case: case + "\n" + CORRECT,
          "between": lambda case: CORRECT + "\n" + case + "\n" + LATER_ERROR}


@pytest.mark.parametrize("where", sorted(PLACES))
@pytest.mark.parametrize("case", TEXT_CASES, ids=str)
def test_first_error_is_cpythons_and_further_ones_are_the_statements_alone(case, where):
    text = PLACES[where](case.source)
    expected = cpython_report(text)
    compilation = compile_text(text, FILENAME, 1)
    if expected.error is None:
        assert compilation.ok
        return
    first, *rest = compilation.diagnostics
    assert_same_error(case, widened(expected.error), as_error(first))
    for diagnostic in rest:
        message, marked = unmarked(diagnostic.message, first.line)
        if not marked:
            continue  # one of the whole compile's own warnings
        alone = alone_report(text, diagnostic.line)
        if diagnostic.severity == "error":
            assert alone.error is not None, f"{case}: CPython compiles the statement at line {diagnostic.line}"
            assert_same_error(case, widened(alone.error), (diagnostic.kind, message, *as_error(diagnostic)[2:]))
        else:
            assert (diagnostic.kind, message, diagnostic.line) in alone.warnings
    if first.kind in ("SyntaxError", "IndentationError", "TabError") and "null bytes" not in first.message:
        assert compilation.partial and "correct_function" in code_names(compilation.code)
        if where == "between" and first.line < text.count("\n") - 1:
            assert any(d.line == text.count("\n") and "'break' outside loop" in d.message for d in rest)


ISSUE_EXAMPLE = '''\
def f(n):
    result = 1
    for i in range(1, n):
        result *= i
    return result

return 2

def g(x):
    return x is 1

def h():
    break
'''


def test_the_issues_example_gets_three_diagnostics_and_code_for_f():
    compilation = compile_text(ISSUE_EXAMPLE, FILENAME, 1)
    found = [(d.line, d.severity, unmarked(d.message, 7)) for d in compilation.diagnostics]
    assert found == [(7, "error", ("'return' outside function", False)),
                     (10, "warning", ('"is" with a literal. Did you mean "=="?', True)),
                     (13, "error", ("'break' outside loop", True))]
    assert compilation.partial and not compilation.ok
    assert {"f", "g"} <= code_names(compilation.code) and "h" not in code_names(compilation.code)
    assert compilation.index().sections(4), "the line `result *= i` has bytecode"


def test_parse_errors_in_two_statements_give_two_diagnostics_and_recover():
    text = "def f(:\n    pass\n\nvalue = [\n    1,\n    2,\n]\n\ndef g(\n    a, b)\n    pass\n\nx = '''\ndef not_a_statement(:\n'''\n"
    compilation = compile_text(text, FILENAME, 1)
    errors = [(d.line, unmarked(d.message, 1)[0]) for d in compilation.diagnostics]
    assert errors == [(1, cpython_report(text).error[1]), (10, alone_report(text, 10).error[1])]
    # The list's closing bracket and the string's inside lines do not start statements.
    assert [(s.start, s.end) for s in split_statements(text)] == [(0, 3), (3, 8), (8, 12), (12, 15)]
    assert "<module>" in code_names(compilation.code)
    assert compilation.index().sections(4) and compilation.index().sections(13)


def test_further_errors_are_capped():
    text = "".join(f"def f{n}():\n    break\n" for n in range(MAX_FURTHER_ERRORS + 50)) + "x = 1\n"
    first = compile_text(text, FILENAME, 1).diagnostics[0]
    result = compile_partial(text, FILENAME, first)
    errors = [d for d in result.diagnostics if d.severity == "error"]
    assert len(errors) == MAX_FURTHER_ERRORS
    assert result.diagnostics[-1].kind == "bytelens" and "stopped after" in result.diagnostics[-1].message


def test_a_file_wide_error_gets_no_partial_compile():
    compilation = compile_text("x = 1\n\0\n", FILENAME, 1)
    assert not compilation.has_code and len(compilation.diagnostics) == 1
