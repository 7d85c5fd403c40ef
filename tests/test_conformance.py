"""CPython's own tests as conformance: the harness's reading of unittest output, and no regression.

``scripts/conformance.py`` regenerates ``docs/conformance.md`` and ``tests/conformance_expected.json``
(the tests that pass under bytelens). Here every file runs again under bytelens (about 25 s in all)
and every test recorded as passing must still pass.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("conformance", ROOT / "scripts" / "conformance.py")
conformance = importlib.util.module_from_spec(_spec)
sys.modules["conformance"] = conformance
_spec.loader.exec_module(conformance)

VERBOSE_OUTPUT = """\
test_doc (test.test_m.T.test_doc)
A docstring line. ... noise
ok
test_err (test.test_m.T.test_err) ... ERROR
test_skip (test.test_m.T.test_skip) ... skipped 'why'
test_sub (test.test_m.T.test_sub) ... 
  test_sub (test.test_m.T.test_sub) (i=1) ... FAIL
  test_sub (test.test_m.T.test_sub) (i=2) ... FAIL
test_xf (test.test_m.T.test_xf) ... expected failure
doctests (test.test_m.__test__)
Doctest: test.test_m.__test__.doctests ... ok
test_m (test)
Doctest: test.test_m ... ok
test_last (test.test_m.T.test_last) ... 
======================================================================
ERROR: test_err (test.test_m.T.test_err)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/tmp/test_m.py", line 11, in test_err
    raise KeyError('k')
KeyError: 'k'

======================================================================
FAIL: test_sub (test.test_m.T.test_sub) (i=1)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/tmp/test_m.py", line 6, in test_sub
    self.assertLess(i, 1)
AssertionError: 1 not less than 1
- a diff line

----------------------------------------------------------------------
Ran 6 tests in 0.001s
"""


def test_verbose_output_is_read_test_by_test():
    run = conformance.parse_verbose(VERBOSE_OUTPUT, "test.test_m")
    assert run.statuses == {
        "T.test_doc": "ok", "T.test_err": "ERROR", "T.test_skip": "skipped", "T.test_sub": "FAIL",
        "T.test_xf": "expected failure", "__test__.doctests": "ok", "test_m": "ok", "T.test_last": "crashed",
    }
    assert run.passed == {"T.test_doc", "T.test_xf", "__test__.doctests", "test_m"}
    assert run.errors == {"T.test_err": "KeyError: 'k'", "T.test_sub": "AssertionError: 1 not less than 1"}


def test_the_cpython_column_is_read_from_a_real_run():
    run = conformance.run_file(conformance.cpython_command(), "test_raise", timeout=120)
    assert not run.problem
    assert len(run.passed) >= 30 and "TestRaise.test_invalid_reraise" in run.passed


EXPECTED = json.loads((ROOT / "tests" / "conformance_expected.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", conformance.FILES)
def test_no_regression_against_the_recorded_table(name):
    run = conformance.run_file(conformance.bytelens_command(), name, timeout=300)
    expected = set(EXPECTED[name])
    lost = sorted(expected - run.passed)
    assert not lost, f"{name}: passed when the table was recorded, fail now: {lost} ({run.problem})"
