"""The VM's state in one object, and the points where the layers above the runtime plug in.

Everything the interpreter keeps between calls (the trace hook, the recursion limit, the flags the
program's tracer and profiler set, each thread's innermost frame) is an attribute of ``VM``, so
what changes it (systrace.py, ``sys.setrecursionlimit``, trace_call) says ``VM.hook = ...`` in
plain sight, and a test can see all of it in one place.

The runtime also calls a few things it may not import, because they live in higher layers (layers
import downwards only, vm/__init__.py): the host bridge's builtins that need the calling VM frame,
its profiler and its logical stack (host/), and the compiled fast paths (fast/). Those layers plug
them in here: ``machine.py`` (at the root of vm/) does it once for the whole VM, and ``decode`` (the
first thing that runs any code object) refuses to run code on a runtime nothing was plugged into,
rather than silently running without ``super()``, ``sys._getframe`` or the fast paths.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Any, Callable, Optional

if TYPE_CHECKING:
    from bytelens.vm.isa.code import Code
    from bytelens.vm.runtime.frame import Frame
    from bytelens.vm.runtime.hooks import TraceHook

#: Builtins that need the calling VM frame (``super()``, ``locals()``, ``exec``, ``sys._getframe``
#: ...), by the builtin object: the host layer fills it (host/intrinsics.py). A dict shared by
#: identity, so the call path looks it up without going through ``VM``.
SPECIAL_CALLS: dict[Any, Callable[["Frame", list], Any]] = {}


class Plugins:
    """What the layers above the runtime give it (see the module docstring).

    - ``compile_blocks(code, plain) -> {slot: block}``: fast/blocks.py, when a code object first runs.
    - ``compile_recording_blocks(code, plain, budgeted) -> [block or None]``: fast/recording.py, for
      a frame traced by a hook with a ``fast_path``.
    - ``profiled_c_call(frame, function, call)``: host/systrace.py, calls of builtins while the
      program's profile function is set.
    - ``caller_frame() -> logical frame``: host/frames.py, the program's frame that called into the
      VM's machinery (coroutine origins).
    """

    __slots__ = ("compile_blocks", "compile_recording_blocks", "profiled_c_call", "caller_frame")

    def __init__(self, *, compile_blocks: Callable[[Code, list], dict[int, Any]],
                 compile_recording_blocks: Callable[[Code, list, bool], list],
                 profiled_c_call: Callable[[Frame, Any, Callable[[], Any]], Any],
                 caller_frame: Callable[[], Any]) -> None:
        self.compile_blocks = compile_blocks
        self.compile_recording_blocks = compile_recording_blocks
        self.profiled_c_call = profiled_c_call
        self.caller_frame = caller_frame


class ThreadState:
    """Per-thread VM state: the innermost running VM frame (what a host-to-VM call links to)."""

    __slots__ = ("frame",)

    def __init__(self) -> None:
        self.frame: Optional[Frame] = None


class _Threads(threading.local):
    def __init__(self) -> None:
        self.state = ThreadState()


class VMState:
    """The interpreter's state (one instance, ``VM``)."""

    __slots__ = ("hook", "aborting", "recursion_limit", "switch_to_traced", "profile_c_calls",
                 "last_traced", "threads", "plugins", "loop_codes")

    def __init__(self) -> None:
        #: The trace hook (hooks.py), or None: frames then run the plain loop.
        self.hook: Optional[TraceHook] = None
        #: The exception a hook method raised, propagating as an abort.
        self.aborting: Optional[BaseException] = None
        #: VM frames allowed on one thread: what ``sys.getrecursionlimit()`` means to VM code.
        self.recursion_limit: int = sys.getrecursionlimit()
        #: True while a program's tracer is installed (host/systrace.py): call instructions of
        #: frames running untraced then raise ``SwitchToTraced`` (interpreter.py).
        self.switch_to_traced: bool = False
        #: True while a program's profile function is set: calls of builtins from VM code send it
        #: 'c_call' and 'c_return' (or 'c_exception').
        self.profile_c_calls: bool = False
        #: The code object last traced and its decoded form (a one-entry cache in front of decode).
        self.last_traced: tuple = (None, None)
        #: Per thread: ``threads.state`` is its ThreadState (its innermost VM frame).
        self.threads = _Threads()
        #: What the layers above plugged in (``Plugins``); None until ``machine.py`` ran.
        self.plugins: Optional[Plugins] = None
        #: The code objects of the interpreter's two loops, whose host frames hold a running VM
        #: frame as their local ``f`` (the interpreter sets them; position.py reads them).
        self.loop_codes: tuple = ()

    def thread_state(self) -> ThreadState:
        """This thread's VM state, for frames started by host code (calls between VM frames pass
        the caller's along instead, which is cheaper than a thread-local lookup per call)."""
        return self.threads.state

    def current_frame(self) -> Optional[Frame]:
        """The innermost VM frame running on this thread."""
        return self.threads.state.frame


VM = VMState()


class NotAssembled(RuntimeError):
    """Code was run on a runtime that the host bridge and the fast paths were not plugged into."""


def plugins() -> Plugins:
    """The plugged-in parts, or ``NotAssembled`` saying what to import."""
    found = VM.plugins
    if found is None:
        raise NotAssembled("the bytelens runtime runs code only once the VM is assembled: import "
                           "bytelens.vm.machine first (the drivers, run_file and trace_call, do)")
    return found
