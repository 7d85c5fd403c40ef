"""``sys.settrace`` for programs on the VM: CPython 3.11's trace events, delivered for VM frames.

A program's ``sys.settrace(tracer)`` cannot use the host's tracing: CPython would call the tracer
for the VM's own machinery, never for the program's functions. ``settrace`` here installs
``ProgramTraceHook`` as the VM's trace hook (interpreter.set_trace_hook) and turns its calls into
the events CPython 3.11 sends (ceval.c's tracing and sysmodule.c's ``trace_trampoline``):

- ``'call'`` to the thread's global tracer when a frame starts or resumes (a generator resuming is
  a call); a result other than None becomes the frame's ``f_trace``;
- ``'line'`` before an instruction whose line differs from the previous instruction's in the frame,
  or that a backward jump reached (when ``f_trace_lines``); ``'opcode'`` before every instruction
  when ``f_trace_opcodes``;
- ``'exception'`` with ``(type, value, traceback)`` when an exception is raised in or propagates
  into the frame (seen at its handler's first instruction, or as the frame is left), not for a
  re-raise (END_FINALLY, bare ``raise``: CPython's RERAISE sends none);
- ``'return'`` on return and on yield (the value; None when leaving by an exception).
Every event but ``'call'`` goes to the frame's ``f_trace``; a result other than None replaces it
(None keeps it, as in 3.11). A tracer that raises is removed, as ``sys.settrace(None)`` would.
While a tracer runs, nothing is traced on its thread (frames it starts get no events, ever).

Per-frame state (``f_trace``, ``f_trace_lines``, ``f_trace_opcodes``, the previous instruction) is
kept here, keyed by the frame's id and dropped when the frame dies; the frames tracers receive
are hostframes' logical frames, one object per VM frame for as long as anything holds it.
With no tracer set the hook is not installed, and the VM runs untraced at no cost.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import sys
import weakref
from threading import get_ident
from typing import Any, Callable, Optional

from bytelens.vm.host import frames as logical_frames  # each of the two reads the other
from bytelens.vm.runtime import interpreter
from bytelens.vm.runtime.depth_check import DepthCheckHook
from bytelens.vm.runtime.frame import EXCEPT_HANDLER, Frame
from bytelens.vm.runtime.hooks import TraceHook
from bytelens.vm.runtime.shadow import is_internal
from bytelens.vm.runtime.state import VM

TraceFunction = Callable[[Any, str, Any], Any]


class FrameTraceState:
    """What CPython keeps on a frame object for tracing, for one VM frame."""

    __slots__ = ("trace", "trace_lines", "trace_opcodes", "last_line", "last_index", "handlers",
                 "reported", "event_line", "resume_line", "locals", "_guard")

    def __init__(self, frame: Frame) -> None:
        self.trace: Any = None
        self.trace_lines = True
        self.trace_opcodes = False
        #: The line and index of the instruction run before the next one (None / -1: none yet).
        self.last_line: Optional[int] = None
        self.last_index = -1
        #: The except-handler blocks already seen on the frame's block stack.
        self.handlers = [block for block in frame.blocks if block.type is EXCEPT_HANDLER]
        #: The traceback of the last exception reported (a re-raise leaves it unchanged).
        self.reported: Any = None
        #: The line ``f_lineno`` shows while an event for the frame is being delivered.
        self.event_line: Optional[int] = None
        #: The line the frame last yielded at (its 'call' line when it resumes).
        self.resume_line: Optional[int] = None
        #: The dict ``frame.f_locals`` returns (host/frames.py), once asked for.
        self.locals: Optional[dict] = None
        key = id(frame)
        self._guard = weakref.ref(frame, lambda _, key=key: _states.pop(key, None))


#: id(VM frame) -> its trace state; an entry goes when its frame dies (the guard's callback).
_states: dict[int, FrameTraceState] = {}


def frame_state(frame: Frame) -> FrameTraceState:
    """The trace state of ``frame``, made on first use (``frame.f_trace = ...`` from outside)."""
    state = _states.get(id(frame))
    if state is None:
        state = _states[id(frame)] = FrameTraceState(frame)
    return state


def existing_state(frame: Frame) -> Optional[FrameTraceState]:
    return _states.get(id(frame))


class _ThreadTracer:
    __slots__ = ("function", "busy")

    def __init__(self, function: TraceFunction) -> None:
        self.function = function
        self.busy = False  # a tracer of this thread is running: nothing is traced


#: get_ident() -> that thread's tracer (sys.settrace is per thread).
_tracers: dict[int, _ThreadTracer] = {}


def _line_at(frame: Frame, index: int) -> Optional[int]:
    positions = frame.code.positions
    return positions[index][0] if 0 <= index < len(positions) else None


def _view(frame: Frame) -> Any:
    return logical_frames.vm_view(frame)


class ProgramTraceHook(TraceHook):
    """The VM trace hook that delivers a program's tracer's events (see the module docstring).

    ``inner``: a hook that was installed first and keeps running (the VM's debug checks)."""

    #: A tracer's exception is raised into the traced code, as CPython's trace_trampoline does.
    raises_into_program = True

    def __init__(self, inner: Any = None) -> None:
        self.inner = inner

    def call(self, frame: Frame) -> None:
        inner = self.inner
        if inner is not None:
            inner.call(frame)
        self._trace_call(frame)
        _profile(frame, "call", None)  # after the tracer, as ceval's trace_function_entry

    def _trace_call(self, frame: Frame) -> None:
        tracer = _tracers.get(get_ident())
        if tracer is None or tracer.busy:
            return
        state = _states.get(id(frame))
        if state is None:
            state = frame_state(frame)
        if frame.pc == 0:  # starting: CPython shows the first line of the definition
            line = frame.code.firstlineno
            state.last_line, state.last_index = None, -1
        else:  # resuming: the line it yielded at, which is also the previous instruction's
            line = state.resume_line
            if line is None:
                line = _line_at(frame, frame.pc - 1)
            state.last_line, state.last_index = line, frame.pc - 1
        result = _deliver(tracer, tracer.function, frame, state, "call", None, line)
        if result is not None:
            state.trace = result

    def resume(self, frame: Frame) -> None:
        """``frame`` ran untraced until now (its tracer was installed by a call it made, such as
        ``breakpoint()``) and goes on traced after that call: no 'call' event, and the call's
        line counts as the previous one, so the next line sends the first 'line' event."""
        inner = self.inner
        if inner is not None and hasattr(inner, "resume"):
            inner.resume(frame)
        state = _states.get(id(frame))
        if state is not None:
            state.last_index = frame.pc - 1
            state.last_line = _line_at(frame, frame.pc - 1)

    def step(self, frame: Frame, offset: int) -> None:
        inner = self.inner
        if inner is not None:
            inner.step(frame, offset)
        state = _states.get(id(frame))
        if state is None:
            return
        tracer = _tracers.get(get_ident())
        index = offset >> 1
        last_line, last_index = state.last_line, state.last_index
        line = _line_at(frame, index)
        state.last_line, state.last_index = line, index
        if tracer is None or tracer.busy or state.trace is None:
            return
        blocks = frame.blocks
        if blocks and blocks[-1].type is EXCEPT_HANDLER:
            top = blocks[-1]
            if not any(top is seen for seen in state.handlers):
                state.handlers = [block for block in blocks if block.type is EXCEPT_HANDLER]
                self._exception(tracer, frame, state, top.exc)
                if state.trace is None or _tracers.get(get_ident()) is not tracer:
                    return
        if line is not None and state.trace_lines and (line != last_line or index < last_index):
            self._local(tracer, frame, state, "line", None, line)
            if state.trace is None or _tracers.get(get_ident()) is not tracer:
                return
        if state.trace_opcodes:
            self._local(tracer, frame, state, "opcode", None, line)

    def leave(self, frame: Frame, kind: str, value: Any) -> None:
        inner = self.inner
        if inner is not None:
            inner.leave(frame, kind, value)
        self._trace_leave(frame, kind, value)
        _profile(frame, "return", None if kind == "exception" else value)

    def _trace_leave(self, frame: Frame, kind: str, value: Any) -> None:
        state = _states.get(id(frame))
        if state is None:
            return
        tracer = _tracers.get(get_ident())
        line = _line_at(frame, frame.pc)
        if kind == "yield":
            state.resume_line = line
        if tracer is None or tracer.busy or state.trace is None:
            return
        if kind == "exception":
            self._exception(tracer, frame, state, value)
            if state.trace is None or _tracers.get(get_ident()) is not tracer:
                return
            value = None
        self._local(tracer, frame, state, "return", value, line)

    def _exception(self, tracer: _ThreadTracer, frame: Frame, state: FrameTraceState,
                   exc: BaseException) -> None:
        traceback = exc.__traceback__
        while traceback is not None and is_internal(traceback.tb_frame.f_code.co_filename):
            traceback = traceback.tb_next  # the VM's own entries, from raising it out of the frame
        if traceback is None or traceback is state.reported:
            return  # a re-raise: the frame's entry is the one already reported
        state.reported = traceback
        self._local(tracer, frame, state, "exception", (type(exc), exc, traceback), traceback.tb_lineno)

    def _local(self, tracer: _ThreadTracer, frame: Frame, state: FrameTraceState, event: str, arg: Any,
               line: Optional[int]) -> None:
        result = _deliver(tracer, state.trace, frame, state, event, arg, line)
        if result is not None:
            state.trace = result


def _deliver(tracer: _ThreadTracer, function: TraceFunction, frame: Frame, state: FrameTraceState,
             event: str, arg: Any, line: Optional[int]) -> Any:
    """Call a trace function with tracing off on this thread; if it raises, remove the thread's
    tracer and the frame's ``f_trace`` (CPython's trace_trampoline) and let the exception go."""
    tracer.busy = True
    previous_line, state.event_line = state.event_line, line
    try:
        return function(_view(frame), event, arg)
    except BaseException:
        state.trace = None
        settrace(None)
        raise
    finally:
        state.event_line = previous_line
        tracer.busy = False


def settrace(function: Optional[TraceFunction]) -> None:
    """``sys.settrace`` for the program: set (or, with None, remove) this thread's tracer."""
    _set(_tracers, function)


def gettrace() -> Optional[TraceFunction]:
    """``sys.gettrace`` for the program: this thread's tracer."""
    tracer = _tracers.get(get_ident())
    return tracer.function if tracer is not None else None


def setprofile(function: Optional[TraceFunction]) -> None:
    """``sys.setprofile`` for the program: this thread's profile function gets 'call' and 'return'
    for the VM's frames, and 'c_call', 'c_return', 'c_exception' for the builtins they call."""
    _set(_profilers, function)


def getprofile() -> Optional[TraceFunction]:
    """``sys.getprofile`` for the program: this thread's profile function."""
    profiler = _profilers.get(get_ident())
    return profiler.function if profiler is not None else None


def _set(functions: dict[int, "_ThreadTracer"], function: Optional[TraceFunction]) -> None:
    """Set or remove this thread's tracer or profiler; the hook is installed while any is set."""
    ident = get_ident()
    if function is None:
        functions.pop(ident, None)
        VM.profile_c_calls = bool(_profilers)
        if not _tracers and not _profilers:
            hook = interpreter.get_trace_hook()
            if type(hook) is ProgramTraceHook:
                interpreter.set_trace_hook(hook.inner)
            VM.switch_to_traced = False
        return
    previous = functions.get(ident)
    functions[ident] = _ThreadTracer(function)
    VM.profile_c_calls = bool(_profilers)
    if previous is not None and previous.busy:
        functions[ident].busy = True  # set from inside itself: the running call ends it
    hook = interpreter.get_trace_hook()
    if hook is None or type(hook) is DepthCheckHook:
        interpreter.set_trace_hook(ProgramTraceHook(hook))
        # Frames running untraced (the caller of breakpoint(), and its callers) go on traced
        # after their next call: interpreter.SwitchToTraced.
        VM.switch_to_traced = True
    # Any other hook (bytelens's own trace recorder) stays: the program's tracer gets no events
    # while it runs (docs/vm.md).


#: get_ident() -> that thread's profile function (sys.setprofile is per thread).
_profilers: dict[int, "_ThreadTracer"] = {}


def profiled_c_call(frame: Frame, function: Any, call: Callable[[], Any]) -> Any:
    """``call()`` (a call of a builtin from VM code in ``frame``) between 'c_call' and 'c_return'
    (or 'c_exception') profile events, as CPython sends them for C functions; only when a profile
    function was set before the call."""
    ident = get_ident()
    if _profilers.get(ident) is None or _quiet(ident):
        return call()
    _profile(frame, "c_call", function)
    try:
        result = call()
    except BaseException:
        _profile(frame, "c_exception", function)
        raise
    _profile(frame, "c_return", function)
    return result


def _quiet(ident: int) -> bool:
    """A tracer or profile function of this thread is running: nothing is traced or profiled."""
    tracer, profiler = _tracers.get(ident), _profilers.get(ident)
    return (tracer is not None and tracer.busy) or (profiler is not None and profiler.busy)


def _profile(frame: Frame, event: str, arg: Any) -> None:
    """Deliver a profile event for ``frame``; a profile function that raises is removed (CPython's
    profile_trampoline) and its exception goes on."""
    ident = get_ident()
    profiler = _profilers.get(ident)
    if profiler is None or _quiet(ident):
        return
    tracer = _tracers.get(ident)
    profiler.busy = True
    if tracer is not None:
        tracer.busy = True
    try:
        profiler.function(_view(frame), event, arg)
    except BaseException:
        setprofile(None)
        raise
    finally:
        profiler.busy = False
        if tracer is not None:
            tracer.busy = False


_host_settrace = sys.settrace
_host_gettrace = sys.gettrace


def install() -> None:
    """Make ``sys.settrace``/``sys.gettrace`` and ``sys.setprofile``/``sys.getprofile`` the
    program's (``bytelens run``): library code such as bdb, pdb, profile and threading calls them
    through ``sys``."""
    sys.settrace = settrace
    sys.gettrace = gettrace
    sys.setprofile = setprofile
    sys.getprofile = getprofile
