"""Golden disassemblies: one small program per feature area (``tests/golden/<area>.py``) and the
listing bytelens gives for it (``<area>.dis``), lines counted from each code object's first line so
that growing a program does not rewrite every line below. After a deliberate compiler change, run
``pytest tests/test_golden.py --update-goldens`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bytelens.vm import compile_source, format_disassembly

GOLDEN = Path(__file__).parent / "golden"
PROGRAMS = sorted(path for path in GOLDEN.glob("*.py") if path.name != "conftest.py")


def render(program: Path) -> str:
    code = compile_source(program.read_bytes(), program.name)
    return format_disassembly(code, relative_lines=True)


def test_there_are_programs_and_each_has_its_listing(request):
    assert PROGRAMS
    if request.config.getoption("--update-goldens", default=False):
        pytest.skip("the listings are being rewritten")
    listings = {path.stem for path in GOLDEN.glob("*.dis")}
    assert listings == {path.stem for path in PROGRAMS}


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda path: path.stem)
def test_golden_disassembly(program: Path, request):
    compile(program.read_bytes(), program.name, "exec")  # each program is valid Python to CPython
    actual = render(program)
    expected_path = program.with_suffix(".dis")
    if request.config.getoption("--update-goldens", default=False):
        expected_path.write_text(actual)
        return
    assert expected_path.exists(), f"no {expected_path.name}: run with --update-goldens"
    assert actual == expected_path.read_text(), f"{program.name}: listing changed (see --update-goldens)"
