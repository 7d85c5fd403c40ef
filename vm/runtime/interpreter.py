"""The interpreter loop: running frames, unwinding blocks, and the tracing hook.

``execute(frame)`` runs a frame until it returns or yields. Its loop is ``pc = ops[pc](frame,
stack, fast)`` over the handlers ``decode`` made; a handler returns None to leave the loop. A VM call
is a host call of ``execute`` for the callee's frame (host recursion: cheap, and generators fall out
of it naturally); the VM counts its own frames and raises RecursionError at
``sys.getrecursionlimit()`` of them, like CPython, keeping the host limit far enough above.

Exceptions: a host exception raised by a handler (or by anything it called) is caught around the
loop and unwound through the frame's block stack exactly as docs/bytecode.md says. Leaving a frame,
the thread's handled exception is what it was on entry (see excstate.py), so CPython chains
``__context__`` as it would for the same program. Each frame the exception passes adds its shadow
entry to the exception's traceback (shadow.py).

Tracing: ``set_trace_hook(hook)``, with a hook as hooks.py describes it; while a hook is set,
frames that start (or resume) run the traced loop, which calls ``hook.call(frame)`` on entry,
``hook.step(frame, offset)`` before every instruction and ``hook.leave(frame, kind, value)`` on exit
(kind "return", "exception" or "yield"). With no hook, the only cost is one test per frame entry.
An exception raised by a hook method (or any ``HookAbort``) stops execution: it propagates through
every VM frame without running their handlers.

State: what the loop keeps between calls (the hook, the recursion limit, the tracer flags, each
thread's innermost frame) is the one object ``state.VM``. The compiled fast paths it runs come from
``VM.plugins`` (state.py): fast/ is a higher layer, plugged in by machine.py.

The core of the runtime (this module, functions.py, generators.py and the handlers in ops/) is
mutually dependent, as ceval.c, funcobject.c and genobject.c are: handlers call functions and
resume generators, which run frames here. This module imports none of them; they import it.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import gc
import operator
import sys
from typing import Any, Optional

try:
    import resource
except ImportError:  # not Unix
    resource = None

from bytelens.vm.runtime.decode import decode
from bytelens.vm.runtime.excstate import current_handled, set_handled
from bytelens.vm.runtime.frame import BREAK, EXCEPT_HANDLER, FINALLY, LOOP, Block, ContinueMarker, Frame, ReturnMarker
from bytelens.vm.runtime.hooks import HookAbort, TraceHook
from bytelens.vm.runtime.position import fault_index
from bytelens.vm.runtime.shadow import add_vm_entry
from bytelens.vm.runtime.state import VM, plugins


class SwitchToTraced(BaseException):
    """Raised by a call instruction, its result already pushed, when a program's tracer was
    installed (``VM.switch_to_traced``): the frame goes on in the traced loop at ``index``.

    ``breakpoint()`` and ``pdb.set_trace()`` install a tracer and set ``f_trace`` on frames that
    are already running untraced; this is how those frames start sending line events right after
    the call, as in CPython. Only call instructions check (one list lookup per call)."""

    def __init__(self, index: int) -> None:
        super().__init__(index)
        self.index = index


thread_state = VM.thread_state
current_frame = VM.current_frame

#: Host frames per VM frame, for the host limit that leaves room for the VM's own.
_HOST_FRAMES_PER_VM_FRAME = 12
_HOST_MARGIN = 200


def set_recursion_limit(limit: int, depth: int = 0) -> None:
    """Set the VM's frame limit: what ``sys.setrecursionlimit`` means to VM code (intrinsics.py).

    ``depth`` is the calling VM frame's depth, for CPython's "limit is too low" check.
    """
    limit = operator.index(limit)
    if limit < 1:
        raise ValueError("recursion limit must be greater or equal than 1")
    if limit <= depth:
        raise RecursionError(f"cannot set the recursion limit to {limit} at the recursion depth {depth}: "
                             f"the limit is too low")
    VM.recursion_limit = limit
    ensure_host_limit()


def get_recursion_limit() -> int:
    return VM.recursion_limit


#: Never more host frames than this, whatever the VM's limit: the C stack must hold them.
_HOST_LIMIT_CAP = 200_000


def ensure_host_limit() -> None:
    """Raise the host recursion limit to leave room for the VM's own limit."""
    need = min(VM.recursion_limit * _HOST_FRAMES_PER_VM_FRAME + _HOST_MARGIN, _HOST_LIMIT_CAP)
    if sys.getrecursionlimit() < need:
        sys.setrecursionlimit(need)


#: The C stack the VM may use. VM frames re-entered through host code (special methods, callbacks)
#: cost more C stack than CPython's own frames; on Linux the main thread's stack grows on demand up
#: to this limit, so a deep but legal recursion ends in RecursionError, not a crash.
_STACK_BYTES = 256 * 1024 * 1024


def grow_stack_limit() -> None:
    if resource is None:  # not Unix: keep the default
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
        wanted = _STACK_BYTES if hard == resource.RLIM_INFINITY else min(_STACK_BYTES, hard)
        if soft != resource.RLIM_INFINITY and soft < wanted:
            resource.setrlimit(resource.RLIMIT_STACK, (wanted, hard))
    except (ValueError, OSError):  # not allowed: keep the default
        pass


grow_stack_limit()
ensure_host_limit()


def set_trace_hook(hook: Optional[TraceHook]) -> Optional[TraceHook]:
    """Install ``hook`` (or None to remove it); returns the previous hook."""
    if hook is not None and not isinstance(hook, TraceHook):
        raise TypeError(f"a trace hook needs call, resume, step, leave, fast_path and "
                        f"raises_into_program (subclass hooks.TraceHook): {hook!r}")
    previous, VM.hook = VM.hook, hook
    VM.aborting = None
    return previous


def get_trace_hook() -> Optional[TraceHook]:
    return VM.hook


def execute(f: Frame, throw: Optional[BaseException] = None) -> Any:
    """Run (or resume) frame ``f`` until it returns or yields; return the value.

    After a yield ``f.yielding`` is True. ``throw`` resumes a suspended frame by raising that
    exception at its current instruction (generator ``throw``).
    """
    thread = f.thread
    back = thread.frame
    f.back = back
    depth = f.depth = back.depth + 1 if back is not None else 1
    if depth > VM.recursion_limit:
        raise RecursionError("maximum recursion depth exceeded")
    if VM.hook is not None:
        return _execute_traced(f, throw)
    thread.frame = f
    ops = f.ops
    stack = f.stack
    fast = f.fast
    pc = f.pc
    exc = throw
    try:
        while True:
            if exc is None:
                try:
                    while pc is not None:
                        pc = ops[pc](f, stack, fast)
                    return f.result
                except BaseException as error:
                    if error.__class__ is SwitchToTraced:
                        pc = error.index
                        if VM.hook is not None:
                            break  # out of the handler first: nothing raised later chains to it
                        continue  # the tracer is gone already: go on untraced
                    exc = error
                    if getattr(ops[pc], "vm_lines", None) is not None:  # a compiled block
                        pc = fault_index(ops[pc], exc, pc)
            pc = handle_exception(f, exc, pc)
            exc = None
        f.pc = pc
        return _execute_traced(f, None, True)
    finally:
        thread.frame = back


def _execute_traced(f: Frame, throw: Optional[BaseException], resumed: bool = False) -> Any:
    """``execute`` with the hook called before every instruction and on entry and exit.

    ``resumed``: the frame was running untraced (``SwitchToTraced``) and goes on here; the hook
    gets ``resume(frame)`` instead of ``call``.

    A hook that offers ``fast_path`` (the trace recorder) gets recording blocks (fast/recording.py)
    instead where the code has them: they write the hook's log themselves. A block returns ``~pc``
    to hand over to the per-instruction loop for the rest of the frame's run (its budget check).
    """
    hook = VM.hook
    thread = f.thread
    back = f.back
    thread.frame = f
    code = f.code
    last_code, decoded = VM.last_traced  # a frame of the same code as the last one: usual when tracing
    if code is not last_code:
        decoded = decode(code)
        VM.last_traced = (code, decoded)
    offsets = decoded.offsets
    plain = decoded.plain
    if not f.blocks:
        f.blocks = []  # the hook contract: a list, even before the first block
    stack = f.stack
    fast = f.fast
    pc = f.pc
    exc = throw
    # A hook whose exceptions are the program's (a program's tracer: sys.settrace) has them raised
    # into the traced code, where its handlers can catch them; any other hook's abort the run.
    into = hook.raises_into_program
    try:
        try:
            if not resumed:
                hook.call(f)
            else:
                hook.resume(f)
        except BaseException as error:
            if not into:
                VM.aborting = error
            raise
        step = hook.step
        # ``ops[pc]``: the recording block starting at ``pc``, or None (run the handler, hook first).
        ops = decoded.no_blocks
        context = None
        recording = hook.fast_path
        # Recording blocks treat loads of globals and allocations as running no other code: true
        # when the namespaces are plain dicts and the garbage collector (whose finalisers could run
        # anything) is off, as trace_call keeps it.
        if recording is not None and f.globals.__class__ is dict and f.builtins.__class__ is dict \
                and not _gc_enabled():
            budgeted = recording[1]
            blocks = decoded.recording[budgeted] or decoded.recording_blocks(
                budgeted, plugins().compile_recording_blocks)
            if blocks is not None:
                ops = blocks
                context = recording[0]
        while True:
            if exc is None:
                try:
                    while pc is not None:
                        block = ops[pc]
                        if block is None:
                            f.pc = pc
                            try:
                                step(f, offsets[pc])
                            except BaseException as error:
                                if not into:
                                    VM.aborting = error
                                raise
                            pc = plain[pc](f, stack, fast)
                        else:
                            pc = block(f, stack, fast, context)
                            if pc is not None and pc < 0:
                                pc = ~pc
                                ops = decoded.no_blocks
                    break
                except BaseException as error:
                    if error.__class__ is SwitchToTraced:  # already traced: go on, with the
                        pc = error.index               # hook now installed (it wraps this one)
                        ops = decoded.no_blocks
                        installed = VM.hook
                        if installed is not None and installed is not hook:
                            hook, step, f.pc = installed, installed.step, pc
                            into = hook.raises_into_program
                            hook.resume(f)
                        continue
                    exc = error
                    if ops[pc] is not None:  # raised inside a recording block
                        pc = fault_index(ops[pc], exc, pc)
            try:
                pc = handle_exception(f, exc, pc)
            except BaseException as error:
                if error is not VM.aborting:
                    _leave(hook, f, "exception", error, into)
                raise
            exc = None
        result = f.result
        try:
            hook.leave(f, "yield" if f.yielding else "return", result)
        except BaseException as error:
            if not into:
                VM.aborting = error
            raise
        return result
    finally:
        thread.frame = back


_gc_enabled = gc.isenabled

#: Where the host stack holds running VM frames (position.py).
VM.loop_codes = (execute.__code__, _execute_traced.__code__)


def _leave(hook: TraceHook, f: Frame, kind: str, value: Any, into: bool = False) -> None:
    try:
        hook.leave(f, kind, value)
    except BaseException as error:
        if not into:
            VM.aborting = error
        raise


def is_abort(exc: BaseException) -> bool:
    return exc is VM.aborting or isinstance(exc, HookAbort)


def handle_exception(f: Frame, exc: BaseException, pc: int) -> int:
    """Unwind ``f``'s blocks for ``exc`` raised at instruction ``pc``.

    Returns the handler's index with the handler set up (except-handler block pushed, the exception
    on the stack and handled); with no handler left, restores the handled exception the frame
    started with and re-raises ``exc`` to the caller.
    """
    blocks = f.blocks
    stack = f.stack
    f.pc = pc
    if is_abort(exc):
        _drop_blocks(f)
        raise exc
    add_vm_entry(exc, f.code, f.globals, pc, not f.reraise)
    if f.reraise:
        f.reraise = False
        reraised = f.reraised
        if reraised is not None:
            f.reraised = None
            if reraised[0] is exc:
                exc.__context__, exc.__suppress_context__ = reraised[1], reraised[2]
    base = restored = None
    while blocks:
        block = blocks.pop()
        kind = block.type
        if kind is EXCEPT_HANDLER:
            del stack[block.level:]
            base = block.prev
            restored = True
            continue
        if kind is LOOP:
            continue
        level = block.level
        del stack[level:]
        previous = base if restored else current_handled()
        blocks.append(Block(EXCEPT_HANDLER, -1, level, exc, previous))
        set_handled(exc)
        stack.append(exc)
        return block.handler // 2
    if restored:
        set_handled(base)
    del stack[:]  # no handler: the values left on the stack go, as in CPython
    _raise_unchained(exc, base if restored else current_handled())


def _raise_unchained(exc: BaseException, handled: Optional[BaseException]) -> None:
    """Raise ``exc`` out of a frame while ``handled`` is the handled exception, keeping its context.

    A plain ``raise`` would chain: CPython sets ``__context__`` to the handled exception at the
    moment of the raise. Propagation out of a frame is not a new raise, so the context is put back.
    """
    if handled is None or handled is exc:
        raise exc
    context, suppress = exc.__context__, exc.__suppress_context__
    try:
        raise exc
    except BaseException:
        exc.__context__ = context
        exc.__suppress_context__ = suppress
        raise


def _drop_blocks(f: Frame) -> None:
    """Pop every block without running handlers, restoring the handled exception (aborts)."""
    blocks = f.blocks
    while blocks:
        block = blocks.pop()
        if block.type is EXCEPT_HANDLER:
            set_handled(block.prev)
    del f.stack[:]


def unwind_jump(f: Frame, marker: Any) -> Optional[int]:
    """Unwind blocks for ``return`` (a ReturnMarker), ``break`` (BREAK) or ``continue``.

    Returns the index to go on at, or None when the frame returns (``f.result`` set).
    """
    blocks = f.blocks
    stack = f.stack
    while blocks:
        block = blocks[-1]
        kind = block.type
        if kind is EXCEPT_HANDLER:
            blocks.pop()
            del stack[block.level:]
            set_handled(block.prev)
        elif kind is LOOP:
            if type(marker) is ContinueMarker:
                return marker.target // 2
            blocks.pop()
            if marker is BREAK:
                del stack[block.level:]
                return block.handler // 2
        elif kind is FINALLY:
            blocks.pop()
            del stack[block.level:]
            stack.append(marker)
            return block.handler // 2
        else:  # EXCEPT
            blocks.pop()
            del stack[block.level:]
    if type(marker) is not ReturnMarker:
        raise SystemError(f"bytelens VM: {marker!r} with no loop block in {f.code.qualname}")
    f.result = marker.value
    return None

