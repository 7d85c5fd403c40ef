"""The differential corpus: every program in tests/programs runs under ``python3`` and under
``bytelens run``; stdout, the exit status and the last line of stderr must be identical.

Programs are the ``*.py`` files directly in tests/programs whose names do not start with ``_``
(those, and the packages there, are modules the programs import). A first line ``# argv: a b``
passes arguments. Each program also runs once with the VM's debug checks on
(``BYTELENS_VM_CHECKS=1``: the evaluation stack never deeper than ``code.stacksize``, the block
stack never deeper than ``code.blockdepth``). All runs go through a process pool up front.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).resolve().parent / "programs"
TIMEOUT = 120


def _programs() -> list[Path]:
    return sorted(path for path in PROGRAMS.glob("*.py") if not path.name.startswith("_"))


def _argv(program: Path) -> list[str]:
    first = program.read_text(encoding="utf-8").splitlines()[:1]
    if first and first[0].startswith("# argv:"):
        return shlex.split(first[0][len("# argv:"):])
    return []


def _run(command: list[str], checks: bool) -> tuple[str, int, str]:
    env = dict(os.environ)
    env.pop("BYTELENS_VM_CHECKS", None)
    if checks:
        env["BYTELENS_VM_CHECKS"] = "1"
    env["PYTHONHASHSEED"] = "0"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    result = subprocess.run(command, cwd=PROGRAMS, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    stderr_lines = result.stderr.rstrip("\n").splitlines()
    return result.stdout, result.returncode, stderr_lines[-1] if stderr_lines else ""


MODES = ("python3", "bytelens", "bytelens-checks")


@pytest.fixture(scope="module")
def outcomes() -> dict[tuple[str, str], tuple[str, int, str]]:
    jobs = {}
    for program in _programs():
        argv = [program.name, *_argv(program)]
        jobs[(program.name, "python3")] = ([sys.executable, *argv], False)
        jobs[(program.name, "bytelens")] = ([sys.executable, "-m", "bytelens", "run", *argv], False)
        jobs[(program.name, "bytelens-checks")] = ([sys.executable, "-m", "bytelens", "run", *argv], True)
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {key: pool.submit(_run, *job) for key, job in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("mode", MODES[1:])
@pytest.mark.parametrize("program", [path.name for path in _programs()])
def test_program_behaves_like_cpython(outcomes, program: str, mode: str) -> None:
    expected_stdout, expected_status, expected_last = outcomes[(program, "python3")]
    stdout, status, last = outcomes[(program, mode)]
    assert stdout == expected_stdout
    assert (status, last) == (expected_status, expected_last)


def test_the_corpus_covers_every_area() -> None:
    names = {path.stem for path in _programs()}
    for area in ("closures", "generators", "exceptions_finally", "with_statements", "classes", "metaclasses",
                 "dataclasses_demo", "calls", "comprehensions", "pattern_matching", "async_programs",
                 "imports", "recursion_limits", "host_callbacks", "unittest_program", "strings_numbers",
                 "introspection"):
        assert area in names
    assert any(name.startswith("exit_") for name in names)
