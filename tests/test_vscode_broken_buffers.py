"""Broken buffers (issue 12) in a real VS Code (code-server + headless Chromium), the way
tests/test_vscode_e2e.py runs it (editors/vscode/scripts/e2e.sh), with only the broken-buffer
checks of the drive (``E2E_ONLY=broken-buffers``): a file with two errors in different functions
and a warning between them (editors/vscode/e2e/workspace/broken.py) shows every diagnostic in
Problems, the first exactly CPython's, and a hover in its correct function shows its bytecode.
Set BYTELENS_E2E=0 to skip it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_vscode_e2e import _skip_reason, run_scenario  # noqa: E402

from conftest import ROOT  # noqa: E402
from bytelens.server.compiling import FURTHER_SUFFIX  # noqa: E402

BROKEN = ROOT / "editors" / "vscode" / "e2e" / "workspace" / "broken.py"


def cpython(text: str) -> SyntaxError:
    try:
        compile(text, "<test>", "exec")
    except SyntaxError as error:
        return error
    raise AssertionError("CPython compiles it")


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_a_broken_file_in_code_server() -> None:
    output = run_scenario("broken-buffers")
    assert "a hover in a correct function of a broken file shows its bytecode" in output, output[-8000:]
    problems = json.loads(re.search(r"drive: problems (\[.*\])", output).group(1))
    text = BROKEN.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    first = cpython(text)
    second = cpython("\n" * 15 + "".join(lines[15:]))
    suffix = FURTHER_SUFFIX.format(line=first.lineno)
    expected = [(first.msg, "SyntaxError", first.lineno, first.offset),
                ('"is" with a literal. Did you mean "=="?' + suffix, "SyntaxWarning", 13, 12),
                (second.msg + suffix, "SyntaxError", second.lineno, second.offset)]
    # Problems lists errors before warnings.
    assert sorted(f"{message} bytelens {code} [Ln {line}, Col {column}]" for message, code, line, column in expected) \
        == sorted(problems) and len(problems) == 3
