"""Coding cookies CPython accepts decode as CPython decodes them (differential: python3 runs the same file)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import run_bytelens

PROGRAMS = {
    "idna": b"# coding: idna\nx = 1\nprint(x + 1)\n",
    "idna_long_line": b"# coding: idna\nx = '" + b"a" * 100 + b"'\nprint(len(x), x[:3])\n",
    "latin-1": b"# -*- coding: latin-1 -*-\ns = '\xe9t\xe9'\nprint(s, len(s))\n",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_an_accepted_cookie_runs_as_under_cpython(tmp_path, name):
    path = tmp_path / f"{name}.py"
    path.write_bytes(PROGRAMS[name])
    expected = subprocess.run([sys.executable, str(path)], capture_output=True, timeout=60)
    assert expected.returncode == 0, expected.stderr
    checked = run_bytelens("check", str(path))
    assert checked.returncode == 0 and "internal compiler error" not in checked.stdout, checked.stdout
    ran = subprocess.run([sys.executable, "-m", "bytelens", "run", str(path)], capture_output=True, timeout=60)
    assert (ran.returncode, ran.stdout) == (0, expected.stdout), ran.stderr
