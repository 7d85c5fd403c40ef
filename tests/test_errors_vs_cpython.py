"""The differential error corpus: bytelens's first error and its warnings against CPython's compile().

Every case in ``tests/errors/*.txt`` is compiled by CPython 3.11 (``compile(source, ..., "exec")``)
and by bytelens's ``compile_source`` in the same test run; nothing CPython says is written down
anywhere.
The first error must agree in class, message, line, column, end line and end column; the warnings
in category, message and line (CPython reports a warning as often as it compiles the code: a set
is compared).

Corpus format: a ``### title`` line starts a case, the lines up to the next one are its source.
A title ending in ``[bytes]`` holds a Python bytes literal instead (raw source bytes).

Where CPython has no position, or a position in other units, the comparison says so explicitly:
* Errors CPython raises after parsing (future.c, symtable.c, compile.c) count columns in UTF-8
  bytes; bytelens counts characters (docs/checks.md), so CPython's columns are converted first.
* CPython reports encoding-declaration errors at line 0 and errors at "artificial" compiler
  locations at line -1; bytelens points at the declaration or at the statement.
* future.c gives no end column (None); bytelens's range runs to the end of the statement.
* CPython's MemoryError from the parser has no message; bytelens gives one.

CPython compiles with ``dont_inherit=True``: this module's own future imports must not leak in.
"""

from __future__ import annotations

import ast
import io
import tokenize
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Union

import pytest

from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.compiler.source import SourceLines

CORPUS = Path(__file__).parent / "errors"
FILENAME = "case.py"


@dataclass(frozen=True)
class Case:
    file: str
    title: str
    source: Union[str, bytes]

    def __str__(self) -> str:
        return f"{self.file}: {self.title}"


def load_corpus() -> list[Case]:
    cases = []
    for path in sorted(CORPUS.glob("*.txt")):
        title = None
        lines: list[str] = []
        for line in path.read_text(encoding="utf-8").split("\n") + ["### "]:
            if line.startswith("### "):
                if title is not None:
                    body = "\n".join(lines).strip("\n") + "\n"
                    source = ast.literal_eval(body) if title.endswith("[bytes]") else body
                    cases.append(Case(path.name, title, source))
                title, lines = line[4:].strip(), []
            else:
                lines.append(line)
    return cases


CASES = load_corpus()


@dataclass(frozen=True)
class Report:
    """The first error (class, message, line, column, end line, end column) and the warnings."""

    error: Optional[tuple]
    warnings: frozenset


def text_of(source: Union[str, bytes]) -> str:
    """The source text, decoded by the standard library (not by bytelens) for column conversion."""
    if isinstance(source, str):
        return source
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
        return source.decode(encoding, "replace")
    except SyntaxError:
        return source.decode("utf-8", "replace")


def parses(source: Union[str, bytes], action: str = "ignore") -> bool:
    """Whether CPython's parser accepts ``source`` (with ``action`` for its warnings)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter(action)
            ast.parse(source)
    except Exception:
        return False
    return True


def cpython_report(source: Union[str, bytes], action: str = "always") -> Report:
    """CPython's error and warnings; ``action`` is the warnings filter ("error": python3 -W error)."""
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        try:
            compile(source, FILENAME, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, UnicodeError, RecursionError, MemoryError) as exc:
            error = exc
    found = frozenset((w.category.__name__, str(w.message), w.lineno) for w in caught)
    if error is None:
        return Report(None, found)
    if not isinstance(error, SyntaxError):
        return Report((type(error).__name__, str(error), None, None, None, None), found)
    line, column, end_line, end_column = error.lineno, error.offset, error.end_lineno, error.end_offset
    if line and line > 0 and parses(source, "ignore" if action == "always" else action):
        # Raised after parsing: CPython's columns are UTF-8 byte offsets (1-based).
        lines = SourceLines(text_of(source))
        if column and column > 0:
            column = lines.column(line, column - 1) + 1
        if end_line and end_column and end_column > 0:
            end_column = lines.column(end_line, end_column - 1) + 1
    return Report((type(error).__name__, error.msg, line, column, end_line, end_column), found)


def bytelens_report(source: Union[str, bytes]) -> Report:
    """What bytelens's compiler reports: the CompileError it raises and the warnings it collects."""
    found: list = []
    error = None
    try:
        compile_source(source, FILENAME, warnings_out=found)
    except CompileError as exc:
        error = (exc.kind, exc.msg, exc.lineno, exc.offset, exc.end_lineno, exc.end_offset)
    return Report(error, frozenset((d.kind, d.message, d.line) for d in found))


def bytelens_report_with_warnings_as_errors(source: Union[str, bytes]) -> Report:
    """bytelens's compiler issuing its warnings through ``warnings`` with every warning an error."""
    error = None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            compile_source(source, FILENAME)
        except CompileError as exc:
            error = (exc.kind, exc.msg, exc.lineno, exc.offset, exc.end_lineno, exc.end_offset)
    return Report(error, frozenset())


def assert_same_error(case: Case, expected: tuple, actual: tuple) -> None:
    kind, message, line, column, end_line, end_column = expected
    assert actual[0] == kind, case
    if kind == "MemoryError":
        return  # CPython's parser MemoryError carries no message
    assert actual[1] == message, case
    mine_line, mine_column, mine_end_line, mine_end_column = actual[2:]
    if line is None or line < 1:
        # No position from CPython: null bytes, recursion (None), an encoding declaration (0), an
        # artificial compiler location (-1). bytelens still gives a real one.
        assert mine_line >= 1 and mine_column >= 1, case
        if line == 0:
            assert mine_line in (1, 2), case  # the coding declaration's line
        return
    assert (mine_line, mine_column) == (line, column), case
    if end_column is None:
        # future.c gives a start only; bytelens's range runs to the end of the statement.
        assert (mine_end_line, mine_end_column) > (mine_line, mine_column), case
        return
    assert (mine_end_line, mine_end_column) == (end_line, end_column), case


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case_reports_what_cpython_reports(case):
    expected = cpython_report(case.source)
    actual = bytelens_report(case.source)
    if expected.error is None:
        assert actual.error is None, case
    else:
        assert actual.error is not None, f"{case}: CPython says {expected.error}"
        assert_same_error(case, expected.error, actual.error)
    assert actual.warnings == expected.warnings, case


@pytest.mark.parametrize("case", [case for case in CASES if cpython_report(case.source).warnings], ids=str)
def test_case_with_warnings_as_errors_reports_what_cpython_reports(case):
    """python3 -W error: a warning becomes a SyntaxError at its place, ahead of a later error."""
    expected = cpython_report(case.source, "error")
    actual = bytelens_report_with_warnings_as_errors(case.source)
    assert expected.error is not None and actual.error is not None, case
    assert_same_error(case, expected.error, actual.error)


def test_corpus_is_broad():
    """Many cases, most of them errors, from every part of the pipeline."""
    reports = [cpython_report(case.source) for case in CASES]
    errors = [report.error for report in reports if report.error is not None]
    assert len(CASES) >= 400
    assert len(errors) >= 250
    assert sum(1 for report in reports if report.warnings) >= 100
    assert {error[0] for error in errors} >= {"SyntaxError", "IndentationError", "TabError"}
    assert len({case.file for case in CASES}) == len(list(CORPUS.glob("*.txt")))


def test_corpus_titles_are_unique():
    assert len({str(case) for case in CASES}) == len(CASES)


# -- too slow for the suite: `python tests/test_errors_vs_cpython.py [timing]` --------------------

def _sweep(label: str, sources) -> None:
    """Compare bytelens with CPython on many sources; print the disagreements and the totals."""
    import time

    total = agree = 0
    started = time.perf_counter()
    for name, source in sources:
        total += 1
        expected, actual = cpython_report(source), bytelens_report(source)
        try:
            if expected.error is None:
                assert actual.error is None and actual.warnings == expected.warnings
            else:
                assert actual.error is not None
                assert_same_error(Case(label, name, source), expected.error, actual.error)
            agree += 1
        except AssertionError:
            print(f"DIFFERS {name}: {str(source)[:120]!r}\n  CPython:  {expected}\n  bytelens: {actual}")
    print(f"{label}: {agree} of {total} agree ({time.perf_counter() - started:.0f} s)")


def _test_suite_strings():
    """Every distinct string literal in CPython's own tests: a large supply of (mostly invalid) code."""
    import sysconfig

    seen = set()
    test_dir = Path(sysconfig.get_paths()["stdlib"]) / "test"
    for path in sorted(test_dir.rglob("test_*.py")):
        try:
            tree = ast.parse(path.read_bytes())
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and 4 <= len(node.value) <= 3000 and node.value not in seen:
                seen.add(node.value)
                yield f"{path.name}:{node.lineno}", node.value


def _stdlib_files():
    import sysconfig

    for path in sorted(Path(sysconfig.get_paths()["stdlib"]).rglob("*.py")):
        yield str(path), path.read_bytes()


def _timing() -> None:
    """Time the front end against CPython on real and generated files (best of several runs)."""
    import sysconfig
    import time

    from bytelens.vm.compiler.checks import check_module
    from bytelens.vm.compiler.source import parse_source
    from bytelens.vm.compiler.symtable import build_symtable

    def best(call, runs):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            times.append(time.perf_counter() - started)
        return min(times) * 1000

    lib = Path(sysconfig.get_paths()["stdlib"])
    generated = "".join(f"def f{i}(a, b=1):\n    if a is None:\n        return [x * b for x in range(a)]\n"
                        f"    return {{'k': a, 'v': (a, b)}}\n\n" for i in range(10_000))
    for name, text in (("_pydecimal.py", (lib / "_pydecimal.py").read_text()),
                       ("typing.py", (lib / "typing.py").read_text()),
                       (f"generated ({generated.count(chr(10))} lines)", generated)):
        runs = 5 if len(text) < 500_000 else 1
        tree, _ = parse_source(text, name)
        table = build_symtable(tree, name)
        print(f"{name}: CPython compile() {best(lambda: compile(text, name, 'exec'), runs):.0f} ms, "
              f"ast.parse {best(lambda: ast.parse(text), runs):.0f} ms, "
              f"parse_source {best(lambda: parse_source(text, name), runs):.0f} ms, "
              f"check_module {best(lambda: check_module(tree, table, name), runs):.0f} ms, "
              f"compile_source {best(lambda: compile_source(text, name), runs):.0f} ms")


if __name__ == "__main__":
    import sys

    sys.setrecursionlimit(10_000)
    if sys.argv[1:] == ["timing"]:
        _timing()
        raise SystemExit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _sweep("string literals of CPython's tests", _test_suite_strings())
        _sweep("standard library files", _stdlib_files())
