"""CPython's own tests as conformance: the harness's reading of unittest output, and no regression.

``scripts/conformance.py`` regenerates ``docs/conformance.md`` and ``tests/conformance_expected.json``
(the tests that pass under bytelens). Here every file of both sets (issue 3's 17 and the extended
set) runs again under bytelens, about 60 s in all (test_itertools and test_weakref about 12 s each),
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


def test_the_document_has_a_table_per_set_and_counts_each_kind_of_reason():
    def run(*passed, failed=()):
        result = conformance.FileRun()
        result.statuses = {**{test: "ok" for test in passed}, **{test: "FAIL" for test in failed}}
        return result

    results = {"test_grammar": (run("a", failed=("b", "c", "d")), run("a", "b", "c", "d")),
               "test_iter": (run("x"), run("x", "y"))}
    reasons = {"test_grammar": {"b": "CPython internals: refcounts", "c": "bytelens limitation: frames"},
               "test_iter": {"y": "bytelens bug: wrong"}}
    text = conformance.render(results, reasons, "python scripts/conformance.py")
    core, extended = text.split("## Core-language files (issue 3)")[1].split("## Extended set")
    assert "| test_grammar | 1 | 4 | 4 |" in core and "test_iter" not in core
    assert "Of the 3 tests that pass under CPython only, 1 inspect CPython internals, 1 meet a bytelens " \
           "limitation, 0 fail on bytelens bugs; 1 are not classified yet." in core
    assert "| test_iter | 1 | 2 | 2 |" in extended and "1 fail on bytelens bugs; 0 are not" in extended
    assert "- `d`: FAIL: FAIL" in text and "- `y`: not run: bytelens bug: wrong" in text


def test_the_cpython_column_is_read_from_a_real_run():
    run = conformance.run_file(conformance.cpython_command(), "test_raise", timeout=120)
    assert not run.problem
    assert len(run.passed) >= 30 and "TestRaise.test_invalid_reraise" in run.passed


EXPECTED = json.loads((ROOT / "tests" / "conformance_expected.json").read_text(encoding="utf-8"))


def test_every_file_of_both_sets_is_recorded():
    assert set(EXPECTED) == set(conformance.FILES) | set(conformance.EXTENDED)


@pytest.mark.parametrize("name", conformance.FILES + conformance.EXTENDED)
def test_no_regression_against_the_recorded_table(name):
    run = conformance.run_file(conformance.bytelens_command(), name, timeout=300)
    expected = set(EXPECTED[name])
    lost = sorted(expected - run.passed)
    assert not lost, f"{name}: passed when the table was recorded, fail now: {lost} ({run.problem})"
