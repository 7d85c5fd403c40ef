"""The VM's traceback filtering (vm/runtime/shadow.py) runs while a program's exception propagates, so it
must not depend on anything the program can replace."""

from __future__ import annotations

import builtins
import os

from bytelens.vm.runtime import shadow


def test_internal_files_are_told_without_the_programs_builtins():
    """A program may replace builtins.isinstance with its own function (os.path calls it); if that
    function raises (a trace's step budget ran out), asking whether a frame is the VM's must not call
    it again, or every level of the unwinding would re-enter it."""
    def refuse(*args):
        raise AssertionError("os.path called the program's isinstance")

    inside = os.path.join(os.path.dirname(shadow.__file__), "not_cached_yet.py")
    outside = "/elsewhere/not_cached_yet.py"
    original = builtins.isinstance
    builtins.isinstance = refuse
    try:
        answers = shadow.is_internal(inside), shadow.is_internal(outside)
    finally:
        builtins.isinstance = original
    assert answers == (True, False)
