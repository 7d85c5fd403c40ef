"""Differential tests: each program in tests/compiler_programs/ prints the same under CPython and
under bytelens (its own compiler, run on its own VM).

The programs exercise the whole language (one file per area); what they print depends on the code
the compiler generates being right: evaluation order, scopes, unwinding, pattern captures ...
"""

from __future__ import annotations

import contextlib
import difflib
import io
from pathlib import Path

import pytest

from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.runtime.modules import run_code

PROGRAMS = Path(__file__).parent / "compiler_programs"


def _namespace(path: Path) -> dict:
    import builtins

    return {"__name__": "__main__", "__file__": str(path), "__builtins__": builtins}


def run_cpython(source: str, path: Path) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            exec(compile(source, str(path), "exec", dont_inherit=True), _namespace(path))
        except Exception as error:  # the outcome is part of what is compared
            print(f"uncaught {type(error).__name__}: {error}")
    return out.getvalue()


def run_bytelens(source: str, path: Path) -> str:
    code = compile_source(source, str(path))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            run_code(code, _namespace(path))
        except Exception as error:
            print(f"uncaught {type(error).__name__}: {error}")
    return out.getvalue()


def assert_same_output(source: str, path: Path) -> None:
    expected = run_cpython(source, path).splitlines()
    got = run_bytelens(source, path).splitlines()
    if got != expected:
        diff = "\n".join(difflib.unified_diff(expected, got, "cpython", "bytelens", lineterm=""))
        pytest.fail(f"{path.name} prints differently:\n{diff}")


@pytest.mark.parametrize("name", sorted(p.name for p in PROGRAMS.glob("*.py")))
def test_program_prints_like_cpython(name: str) -> None:
    path = PROGRAMS / name
    assert_same_output(path.read_text(encoding="utf-8"), path)
