"""The program's own call stack, as host code walks it: library frames and VM frames, in order.

Host code that looks at "its caller" (``logging``'s file, line and function name, ``warnings``'
stack levels, ``inspect.stack()``, ``traceback.print_stack()``) walks host frames with
``sys._getframe`` and ``f_back``. Under ``bytelens run`` the frames between a library and the program
are the VM's own machinery. ``getframe`` is a ``sys._getframe`` that walks *logical* frames instead:
each host frame of library code as itself, each stretch of VM machinery as the VM frame it is running
(found as the local ``f`` of the interpreter's host frames), so ``f_back`` goes from a library frame
to the VM frame that called it and on. ``warn`` is ``warnings.warn`` counting stack levels the same
way (CPython's ``_warnings.warn`` walks C frames, which cannot be redirected).

``bytelens run`` installs both (``install``); nothing else changes ``sys`` or ``warnings``.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import os
import sys
import types
import warnings
import weakref
from typing import Any, Optional

from bytelens.vm.host import systrace  # each of the two reads the other: a module reference
from bytelens.vm.runtime.frame import Frame
from bytelens.vm.runtime.position import current_index, running_index
from bytelens.vm.runtime.shadow import is_internal

_host_getframe = sys._getframe


def _trace_flag(attribute: str, field: str, default: bool) -> property:
    """A frame's ``f_trace_lines`` / ``f_trace_opcodes``: a host frame's own, or a VM frame's in its
    trace state (systrace.py), ``default`` until something sets it."""

    def get(self: "LogicalFrame") -> bool:
        if self._vm is not self._target:
            return getattr(self._target, attribute)
        state = systrace.existing_state(self._target)
        return getattr(state, field) if state is not None else default

    def set(self: "LogicalFrame", value: bool) -> None:
        if self._vm is not self._target:
            setattr(self._target, attribute, value)
            return
        setattr(systrace.frame_state(self._target), field, bool(value))

    return property(get, set)


class LogicalFrame:
    """A frame of the program's logical stack: wraps a host frame or a VM frame.

    It keeps no host frame it does not wrap: ``f_back`` is found when asked, from the stack as it is
    then (a kept host frame would keep everything its callers' locals hold alive).
    """

    __slots__ = ("_target", "_vm", "_index", "__weakref__")

    def __init__(self, target: Any, vm: Optional[Frame], index: Optional[int] = None) -> None:
        self._target = target
        self._vm = vm  # the VM frame this one is, or the last VM frame below a host frame
        self._index = index  # a VM frame's current instruction (its own pc is kept only when tracing)

    @property
    def __class__(self) -> type:  # isinstance(frame, types.FrameType), inspect.isframe
        return types.FrameType

    @property
    def f_back(self) -> Optional["LogicalFrame"]:
        target = self._target
        if type(target) is not Frame:
            return _walk(target.f_back, self._vm)
        host: Optional[types.FrameType] = _host_getframe(1)
        while host is not None:
            if is_internal(host.f_code.co_filename) and host.f_locals.get("f") is target:
                return _walk(host.f_back, target)
            host = host.f_back
        back = target.back  # no longer running: its VM caller, as far as it is known
        return vm_view(back) if back is not None else None

    @property
    def f_code(self) -> types.CodeType:
        return self._target.f_code

    def _current(self) -> Optional[int]:
        """A VM frame's instruction now (frames are live: read ``f_lineno`` later, get a later line).

        Once the frame has returned, the last instruction seen (the VM keeps an untraced frame's
        position only in its interpreter loop)."""
        if self._vm is not self._target:
            return None
        index = running_index(self._target)
        if index is not None:
            self._index = index
        return self._index

    @property
    def f_lineno(self) -> Optional[int]:
        if self._vm is self._target:
            state = systrace.existing_state(self._target)
            if state is not None and state.event_line is not None:  # a trace event's line
                return state.event_line
        index = self._current()
        if index is not None:
            positions = self._target.code.positions
            return positions[index][0] if index < len(positions) else None
        return self._target.f_lineno

    @property
    def f_lasti(self) -> int:
        index = self._current()
        return 2 * index if index is not None else self._target.f_lasti

    @property
    def f_globals(self) -> dict:
        return self._target.f_globals

    @property
    def f_locals(self) -> Any:
        target = self._target
        if self._vm is not target or target.locals is not None:
            return target.f_locals
        # A function frame: one dict per frame, refreshed from its variables at each access, as
        # CPython's frame.f_locals (pdb keeps ``__return__`` in it between two looks).
        state = systrace.frame_state(target)
        current = target.local_names()
        cached = state.locals
        if cached is None:
            state.locals = current
            return current
        code = target.code
        for name in (*code.varnames, *code.cellvars, *code.freevars):
            if name not in current:
                cached.pop(name, None)
        cached.update(current)
        return cached

    @property
    def f_builtins(self) -> dict:
        return self._target.f_builtins

    @property
    def f_trace(self) -> Any:
        if self._vm is not self._target:
            return self._target.f_trace
        state = systrace.existing_state(self._target)
        return state.trace if state is not None else None

    @f_trace.setter
    def f_trace(self, function: Any) -> None:
        if self._vm is not self._target:
            self._target.f_trace = function
            return
        systrace.frame_state(self._target).trace = function

    @f_trace.deleter
    def f_trace(self) -> None:
        self.f_trace = None

    f_trace_lines = _trace_flag("f_trace_lines", "trace_lines", True)
    f_trace_opcodes = _trace_flag("f_trace_opcodes", "trace_opcodes", False)

    def clear(self) -> None:
        clear = getattr(self._target, "clear", None)
        if clear is not None:
            clear()

    def __repr__(self) -> str:
        return repr(self._target)


def _starts_the_program(filename: str) -> bool:
    """Host frames of what started the program (the command line, runpy): the stack ends there."""
    folder = os.path.dirname(os.path.abspath(filename))
    return folder in _LAUNCHER_FOLDERS or os.path.basename(filename) == "runpy.py"


_LAUNCHER_FOLDERS = {os.path.dirname(os.path.abspath(path)) for path in (
    getattr(sys.modules.get("bytelens"), "__file__", None) or __file__,)}


def _walk(host: Optional[types.FrameType], last_vm: Optional[Frame]) -> Optional[LogicalFrame]:
    """The first logical frame at or after host frame ``host``."""
    while host is not None:
        filename = host.f_code.co_filename
        if _starts_the_program(filename):
            return None
        if is_internal(filename):
            vm = host.f_locals.get("f")
            if type(vm) is Frame and vm is not last_vm:
                return vm_view(vm, current_index(host, vm))
            host = host.f_back
            continue
        return LogicalFrame(host, last_vm)
    return None


#: id(VM frame) -> its logical frame, while anything holds that (which keeps the VM frame alive,
#: so the id stays its own): a tracer or debugger sees one object per frame (bdb compares frames
#: with ``is``), and nothing is kept once no one looks.
_views: "weakref.WeakValueDictionary[int, LogicalFrame]" = weakref.WeakValueDictionary()


def vm_view(vm: Frame, index: Optional[int] = None) -> LogicalFrame:
    """The logical frame of VM frame ``vm`` (``index``: its current instruction, when known)."""
    view = _views.get(id(vm))
    if view is None:
        view = _views[id(vm)] = LogicalFrame(vm, vm, index)
    elif index is not None:
        view._index = index
    return view


def vm_getframe(vm: Frame, depth: int = 0) -> LogicalFrame:
    """``sys._getframe(depth)`` called by VM code running in frame ``vm``: the same logical frames as
    ``getframe`` (live line numbers, library frames between VM frames), installed or not."""
    return _up(vm_view(vm), depth)


def caller_frame() -> Optional[LogicalFrame]:
    """The innermost logical frame outside the VM's machinery: the program's frame that called it."""
    return _walk(_host_getframe(1), None)


def getframe(depth: int = 0) -> LogicalFrame:
    """``sys._getframe`` over the logical stack."""
    return _up(_walk(_host_getframe(1), None), depth)


def _up(frame: Optional[LogicalFrame], depth: int) -> LogicalFrame:
    """The frame ``depth`` calls up from ``frame``, or sys._getframe's error."""
    for _ in range(depth):
        if frame is None:
            break
        frame = frame.f_back
    if frame is None:
        raise ValueError("call stack is not deep enough")
    return frame


def _is_importlib_frame(frame: Any) -> bool:
    filename = frame.f_code.co_filename
    return "importlib" in filename and "_bootstrap" in filename


def warn(message: Any, category: Any = None, stacklevel: int = 1, source: Any = None) -> None:
    """``warnings.warn`` with its stack levels counted over the logical stack (warnings.py's
    pure-Python ``warn``, which CPython's C version mirrors)."""
    if isinstance(message, Warning):
        category = message.__class__
    if category is None:
        category = UserWarning
    if not (isinstance(category, type) and issubclass(category, Warning)):
        raise TypeError(f"category must be a Warning subclass, not '{type(category).__name__}'")
    frame = _walk(_host_getframe(1), None)
    level = stacklevel
    while frame is not None and level > 1:
        frame = frame.f_back
        if frame is not None and not _is_importlib_frame(frame):
            level -= 1
    if frame is None:
        globals_ = sys.__dict__
        filename = "sys"
        lineno = 1
    else:
        globals_ = frame.f_globals
        filename = frame.f_code.co_filename
        lineno = frame.f_lineno
    module = globals_.get("__name__", "<string>")
    registry = globals_.setdefault("__warningregistry__", {})
    warnings.warn_explicit(message, category, filename, lineno, module, registry, None, source)


def install() -> None:
    """Make ``sys._getframe`` and ``warnings.warn`` see the logical stack, and ``sys.settrace`` /
    ``sys.gettrace`` trace the program's frames (``bytelens run``)."""
    sys._getframe = getframe
    warnings.warn = warn
    systrace.install()


# type(frame) prints as CPython's, as for the VM's own frames.
LogicalFrame.__name__ = LogicalFrame.__qualname__ = "frame"
LogicalFrame.__module__ = "builtins"
