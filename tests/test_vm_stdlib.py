"""Real code on the VM: pure-Python standard library modules, copied beside their own CPython test
files so that ``bytelens run test_x.py`` compiles and runs both on the VM, must pass the same tests
as under python3."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest
import test as cpython_tests

LIBRARY = os.path.dirname(os.__file__)
TESTS = os.path.dirname(cpython_tests.__file__)
#: Modules that bytelens itself does not import first (those would stay the native ones).
MODULES = ("textwrap", "fractions", "heapq", "shlex", "colorsys", "difflib", "graphlib", "calendar",
           "netrc", "string")


def _summary(output: str) -> tuple[str, str]:
    """unittest's "Ran N tests" count and its verdict line."""
    ran = re.search(r"^Ran (\d+) tests?", output, re.M)
    verdict = re.search(r"^(OK.*|FAILED.*)$", output, re.M)
    return (ran.group(1) if ran else "?", verdict.group(1) if verdict else "?")


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("stdlib")
    for name in MODULES:
        shutil.copy(os.path.join(LIBRARY, f"{name}.py"), folder)
        shutil.copy(os.path.join(TESTS, f"test_{name}.py"), folder)
    jobs = {}
    for name in MODULES:
        jobs[(name, "python3")] = [sys.executable, f"test_{name}.py"]
        jobs[(name, "bytelens")] = [sys.executable, "-m", "bytelens", "run", f"test_{name}.py"]

    probe = "import sys\n" + "".join(f"import {name}\n" for name in MODULES) + (
        "print(sorted(n for n in %r if type(sys.modules[n].__spec__.loader).__name__ != 'VMLoader'))\n"
        % (MODULES,))
    (folder / "probe.py").write_text(probe)
    jobs[("probe", "bytelens")] = [sys.executable, "-m", "bytelens", "run", "probe.py"]

    def run(command: list[str]) -> tuple[str, str]:
        result = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300)
        if command[-1] == "probe.py":
            return result.stdout.strip(), result.stderr
        return _summary(result.stderr + result.stdout)

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {key: pool.submit(run, command) for key, command in jobs.items()}
        return {key: future.result() for key, future in futures.items()}


@pytest.mark.parametrize("name", MODULES)
def test_module_and_its_tests_run_on_the_vm_like_on_cpython(outcomes, name: str) -> None:
    expected = outcomes[(name, "python3")]
    assert expected[0] != "?" and outcomes[(name, "bytelens")] == expected


def test_those_modules_really_ran_on_the_vm(outcomes) -> None:
    assert outcomes[("probe", "bytelens")][0] == "[]"
