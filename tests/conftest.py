"""Shared pytest fixtures and helpers for the whole suite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# Tests drive the runtime's modules directly, as the drivers do: the VM they run on is assembled
# (vm/machine.py plugs the host bridge and the fast paths into the runtime).
import bytelens.vm.machine  # noqa: F401,E402

ROOT = Path(__file__).resolve().parent.parent


def run_bytelens(*args: str, cwd: str | os.PathLike | None = None, input: str | None = None,
                 timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed command line (``python -m bytelens``) and capture its output."""
    return subprocess.run([sys.executable, "-m", "bytelens", *args], cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def bytelens_cli():
    return run_bytelens


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true", default=False,
                     help="rewrite tests/golden/*.dis from the current compiler's output")
