"""Keeping the cycle collector out of the way of a compile's first half.

A compile of a large file allocates the whole syntax tree and symbol table before its diagnostics
are known, and all of it survives until the compile ends: every collection in that stretch walks
objects it cannot free, and the objects it promotes set off full collections that walk everything
the server holds (the last compilation, its decoded instructions). The compiler leaves no reference
cycles (tests/test_compiler_pipeline.py), so nothing is lost by pausing automatic collection until
the diagnostics are out; collections resume for code generation and afterwards.

The collector is process-wide: overlapping pauses (two documents compiling) are counted, and the
last to end re-enables it, only if it was enabled when the first began.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc
import threading
from typing import Callable, Optional

_lock = threading.Lock()
_active = 0
_was_enabled = False


class CollectorPause:
    """Automatic garbage collection off from construction until ``end()`` (idempotent)."""

    def __init__(self) -> None:
        global _active, _was_enabled
        with _lock:
            if _active == 0:
                _was_enabled = gc.isenabled()
                gc.disable()
            _active += 1
        self._ended = False

    def end(self) -> None:
        global _active
        with _lock:
            if self._ended:
                return
            self._ended = True
            _active -= 1
            if _active == 0 and _was_enabled:
                gc.enable()


@functools.cache
def _malloc_trim() -> Optional[Callable[[int], int]]:
    """glibc's ``malloc_trim``, loaded on the first document close rather than at start-up."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc: freed memory stays with the allocator
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_memory() -> None:
    """Give memory back to the system after a document closes.

    Its compilations are garbage once the document is gone, but freed blocks stay in glibc's
    arenas (a large file's syntax tree leaves hundreds of MB there) until ``malloc_trim`` returns
    them; a full collection first frees whatever a cycle still holds.
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
