"""The handled exception that host code sees (``sys.exc_info()``, implicit ``__context__``).

The VM's ``except`` handlers do not run inside a host ``except`` block, so CPython would not know
which exception they handle. The VM tells it: entering an except-handler block makes the exception
the thread's handled exception (``PyErr_SetHandledException``, new in 3.11, which does not steal a
reference), and popping the block restores the previous one. With that, ``sys.exc_info()``,
``traceback.print_exc()`` and ``logging.exception`` inside a VM handler see the handled exception,
and every exception raised while it is handled (by VM code or by host code the VM calls) gets its
``__context__`` from CPython itself.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import ctypes
import sys
from types import TracebackType
from typing import Optional

from bytelens.vm.runtime.position import running_index
from bytelens.vm.runtime.shadow import shadow_frame
from bytelens.vm.runtime.state import VM

_set_handled = ctypes.pythonapi.PyErr_SetHandledException
_set_handled.argtypes = (ctypes.py_object,)
_set_handled.restype = None

#: The exception currently handled on this thread, or None (``sys.exception``).
current_handled = sys.exception


def set_handled(exc: Optional[BaseException]) -> None:
    """Make ``exc`` the thread's handled exception (None clears it)."""
    _set_handled(exc)


_unraisable_args_type: Optional[type] = None


def write_unraisable(error: BaseException, obj: object) -> None:
    """Report ``error`` through ``sys.unraisablehook`` for ``obj`` (CPython's PyErr_WriteUnraisable),
    as a finaliser does ("Exception ignored in: <obj>")."""
    global _unraisable_args_type
    if _unraisable_args_type is None:
        captured = []
        hook = sys.unraisablehook
        sys.unraisablehook = lambda args: captured.append(type(args))
        try:
            _Probe()
        finally:
            sys.unraisablehook = hook
        _unraisable_args_type = captured[0]
    traceback = error.__traceback__
    if traceback is None:
        traceback = _traceback_here()
    sys.unraisablehook(_unraisable_args_type((type(error), error, traceback, None, obj)))


def _traceback_here() -> Optional[TracebackType]:
    """A traceback entry for the VM frame running now, as PyErr_WriteUnraisable makes one from the
    current frame for an exception that has none (raised by the VM's C-like machinery)."""
    frame = VM.current_frame()
    if frame is None:
        return None
    index = running_index(frame)
    if index is None:
        index = frame.pc
    positions = frame.code.positions
    line = positions[index][0] if index < len(positions) else None
    return TracebackType(None, shadow_frame(frame.code, frame.globals), 2 * index,
                         line if line is not None else frame.code.firstlineno)


class _Probe:
    """A finaliser that fails once, to learn the type of ``sys.unraisablehook``'s argument."""

    def __del__(self) -> None:
        raise _ProbeError


class _ProbeError(Exception):
    pass
