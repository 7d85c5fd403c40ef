"""Generators, coroutines and async generators whose frames run on the VM.

Each wraps one suspended ``Frame``. Resuming runs the frame with ``execute`` until its next yield
(``frame.yielding``) or its return; ``throw`` resumes it by raising at the yield, delegating first
to the sub-iterator of a ``yield from``/``await`` in progress, like CPython's ``gen_send_ex`` and
``_gen_throw``. They register with ``collections.abc`` so ``asyncio``, ``inspect.isawaitable`` and
``types.coroutine`` accept them.

Exception state: a generator suspended inside an ``except`` block keeps its handled exception. On
resume the VM makes the innermost one handled again (and lets the outermost block's "previous"
be whatever the resumer had), and on suspension it restores the resumer's.
"""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import collections.abc
import gc
import sys
import types
import warnings
from types import TracebackType
from typing import Any, Optional

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import CO_ASYNC_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE
from bytelens.vm.runtime.excstate import current_handled, set_handled, write_unraisable
from bytelens.vm.runtime.frame import EXCEPT_HANDLER, NULL, Frame
from bytelens.vm.runtime.decode import decode
from bytelens.vm.runtime.interpreter import execute
from bytelens.vm.runtime.functions import NAME_ATTRIBUTE, QUALNAME, set_type_attribute
from bytelens.vm.runtime.shadow import add_entry_at_start, signature_code, strip_internal
from bytelens.vm.runtime.state import VM, plugins


class AsyncGenValue:
    """A value yielded by an async generator (as opposed to one its awaits pass up to the loop)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"<async yield {self.value!r}>"


def _handlers(blocks: list) -> tuple:
    """The outermost and innermost except-handler blocks, or (None, None)."""
    first = last = None
    for block in blocks:
        if block.type is EXCEPT_HANDLER:
            if first is None:
                first = block
            last = block
    return first, last


class _FrameRunner:
    """What generators, coroutines and async generators share: running their frame."""

    # __qualname__ is a property added after the class body (functions.set_type_attribute).
    __slots__ = ("_frame", "_running", "_started", "_code", "_name", "_qualname", "__weakref__")
    _kind = "generator"
    _host_type: type = types.GeneratorType

    def __init__(self, function: Any, frame: Frame) -> None:
        self._frame: Optional[Frame] = frame
        self._running = False
        self._started = False
        self._code = frame.code
        self._name = function.__name__
        self._qualname = function.__qualname__

    def __repr__(self) -> str:
        return f"<{self._host_type.__name__} object {self._qualname} at {id(self):#x}>"

    @property
    def __class__(self) -> type:  # see the note at the end of the module
        return self._host_type

    __name__ = NAME_ATTRIBUTE

    def __reduce__(self):
        raise TypeError(f"cannot pickle '{self._kind}' object")

    def _yield_from_target(self) -> Any:
        """The sub-iterator of the ``yield from`` or ``await`` the frame is suspended in, or None."""
        frame = self._frame
        if frame is None or not self._started or self._running:
            return None
        if _opcode_at(frame) == opcodes.YIELD_FROM and frame.stack:
            return frame.stack[-1]
        return None

    def _resume(self, value: Any = None, throw: Optional[BaseException] = None, push: bool = True) -> tuple[bool, Any]:
        """Run the frame on; return (True, yielded value) or (False, return value)."""
        frame = self._frame
        if self._running:
            raise ValueError(f"{self._kind} already executing")
        if self._started:
            if push and throw is None:
                frame.stack.append(value)
        else:
            self._started = True
        frame.yielding = False
        frame.thread = VM.threads.state
        if frame.blocks:
            first, last = _handlers(frame.blocks)
            if first is not None:
                first.prev = current_handled()
                set_handled(last.exc)
                if throw is not None:
                    _chain(throw, last.exc)
        self._running = True
        try:
            result = execute(frame, throw)
        except BaseException as error:
            self._frame = None
            self._running = False
            # Without the VM's host frames, whose locals hold the exception (a reference cycle that
            # would keep the frames' objects alive until the next garbage collection).
            error.__traceback__ = strip_internal(error.__traceback__)
            replacement = self._check_escaping(error)
            if replacement is None:
                raise
            raise replacement from error
        self._running = False
        frame.back = None  # a suspended frame keeps no caller alive (CPython clears f_back too)
        frame.result = None
        if frame.yielding:
            if frame.blocks:
                first, _ = _handlers(frame.blocks)
                if first is not None:
                    set_handled(first.prev)
            return True, result
        self._frame = None
        return False, result

    def _check_escaping(self, error: BaseException) -> Optional[BaseException]:
        """PEP 479: StopIteration leaving a generator becomes RuntimeError."""
        if isinstance(error, StopIteration):
            return RuntimeError(f"{self._kind} raised StopIteration")
        return None

    def _throw_exception(self, typ: Any, val: Any, tb: Any) -> BaseException:
        """Normalise ``throw``'s arguments to an exception instance (CPython's _gen_throw checks)."""
        if tb is not None and not isinstance(tb, TracebackType):
            raise TypeError("throw() third argument must be a traceback object")
        if isinstance(typ, type) and issubclass(typ, BaseException):
            # Like CPython's lazy normalisation, a failure to instantiate is what gets thrown in.
            try:
                if val is None:
                    exc = typ()
                elif isinstance(val, typ):
                    exc = val
                else:
                    exc = typ(*val) if isinstance(val, tuple) else typ(val)
            except BaseException as failure:
                exc = failure
            if not isinstance(exc, BaseException):
                exc = TypeError(f"calling {typ!r} should have returned an instance of BaseException, not "
                                f"{type(exc).__name__}")
        elif isinstance(typ, BaseException):
            if val is not None:
                raise TypeError("instance exception may not have a separate value")
            exc = typ
        else:
            raise TypeError(f"exceptions must be classes or instances deriving from BaseException, not "
                            f"{type(typ).__name__}")
        if tb is not None:
            exc = exc.with_traceback(tb)
        return exc

    def _throw(self, exc: BaseException) -> tuple[bool, Any]:
        """Raise ``exc`` at the frame's suspension point, after delegating to a ``yield from``."""
        f = self._frame  # named ``f``: host/frames.py finds the running VM frame by that name
        try:
            if f is None:
                raise exc
            if not self._started:
                # CPython runs the frame, which raises at its first instruction: the traceback gets
                # the frame's entry at its first line.
                self._frame = None
                add_entry_at_start(exc, f.code, f.globals)
                raise exc
            target = self._yield_from_target()
            if target is None:
                f.pc -= 1  # raise at the YIELD_VALUE, not after it
                return self._resume(throw=exc)
            outcome, value = self._throw_to_target(f, target, exc)
            if outcome is _YIELDED:
                return True, value
            if outcome is _RETURNED:  # the sub-iterator is done: go on after the ``yield from``
                f.stack[-1] = value
                f.pc += 1
                return self._resume(push=False)
            return self._resume(throw=value)
        finally:
            exc = None  # not left in a local of a frame the exception's traceback holds (a cycle)

    def _throw_to_target(self, f: Frame, target: Any, exc: BaseException) -> tuple[object, Any]:
        """``throw``/``close`` delegated to the sub-iterator of a ``yield from``: (_YIELDED, value),
        (_RETURNED, its return value) or (_RAISED, the exception to raise in the frame).

        Meanwhile the frame is running, as in CPython: the sub-iterator's frames see it as their
        caller (frame.back, the logical stack).
        """
        thread = VM.threads.state
        resumer = thread.frame
        f.back = resumer
        thread.frame = f
        self._running = True
        try:
            if isinstance(exc, GeneratorExit):
                try:
                    _close_iterator(target)
                except BaseException as error:
                    return _RAISED, error
                return _RAISED, exc
            thrower = getattr(target, "throw", None)
            if thrower is None:
                return _RAISED, exc
            try:
                return _YIELDED, thrower(exc)
            except StopIteration as stop:
                return _RETURNED, stop.value
            except BaseException as error:
                return _RAISED, error
        finally:
            self._running = False
            thread.frame = resumer
            f.back = None

    def _close(self) -> None:
        frame = self._frame
        if frame is None:
            return
        if not self._started:
            self._frame = None
            return
        try:
            yielded, _ = self._throw(GeneratorExit())
        except (GeneratorExit, StopIteration):
            return
        if yielded:
            raise RuntimeError(f"{self._kind} ignored GeneratorExit")

    def _finalize(self) -> None:
        """At garbage collection, close a generator suspended inside try/with blocks (PEP 342)."""
        frame = self._frame
        if frame is not None and self._started and frame.blocks:
            try:
                self._close()
            except BaseException as error:
                error.__traceback__ = strip_internal(error.__traceback__)
                write_unraisable(error, self)


    def _clear_frame(self) -> None:
        """``frame.clear()`` on this object's frame: CPython's _PyGen_Finalize (close it, or warn
        that a coroutine was never awaited, or hand an async generator to the finalizer hook)."""
        if self._running:
            raise RuntimeError("cannot clear an executing frame")
        if self._frame is None:
            return
        if isinstance(self, AsyncGenerator):
            finalizer = sys.get_asyncgen_hooks().finalizer
            if finalizer is not None and self._hooks_called and not self._closed:
                try:
                    finalizer(self)
                except BaseException as error:
                    write_unraisable(error, self)
                return
        if isinstance(self, Coroutine) and not self._started:
            _warn_unawaited(self)
            return
        try:
            self._close()
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            write_unraisable(error, self)


_YIELDED, _RETURNED, _RAISED = object(), object(), object()


def clear_frame(frame: Frame) -> None:
    """``frame.clear()`` (CPython's frame_clear): a generator's frame finalizes its generator; a
    frame that has finished lets go of its locals and stack; a running frame cannot be cleared."""
    for referrer in gc.get_referrers(frame):  # the owner is looked for only here: clear() is rare
        if isinstance(referrer, _FrameRunner) and referrer._frame is frame:
            referrer._clear_frame()
            return
    running = VM.current_frame()
    while running is not None:
        if running is frame:
            raise RuntimeError("cannot clear an executing frame")
        running = running.back
    frame.fast[:] = [NULL] * len(frame.fast)
    frame.cells = ()
    frame.locals = None
    del frame.stack[:]
    frame.blocks = ()


def _chain(exc: BaseException, context: BaseException) -> None:
    """Set ``exc.__context__`` as raising it in ``context``'s handler would (no cycles)."""
    if exc is context:
        return
    link = context
    while link is not None:
        if link.__context__ is exc:
            link.__context__ = None
            break
        link = link.__context__
    exc.__context__ = context


def _opcode_at(frame: Frame) -> int:
    decoded = decode(frame.code)
    pc = frame.pc
    return decoded.opcodes[pc] if pc < len(decoded.opcodes) else 0


def _close_iterator(iterator: Any) -> None:
    close = getattr(iterator, "close", None)
    if close is not None:
        close()


class Generator(_FrameRunner):
    __slots__ = ()

    def __iter__(self) -> "Generator":
        return self

    def __next__(self) -> Any:
        if self._frame is None:
            raise StopIteration
        try:
            yielded, result = self._resume(None)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise
        if yielded:
            return result
        if result is None:
            raise StopIteration
        raise StopIteration(result)

    def send(self, value: Any) -> Any:
        if self._frame is None:
            raise StopIteration
        if not self._started and value is not None:
            raise TypeError("can't send non-None value to a just-started generator")
        try:
            yielded, result = self._resume(value)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise
        if yielded:
            return result
        if result is None:
            raise StopIteration
        raise StopIteration(result)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        exc = self._throw_exception(typ, val, tb)
        try:
            yielded, result = self._throw(exc)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise
        if yielded:
            return result
        if result is None:
            raise StopIteration
        raise StopIteration(result)

    def close(self) -> None:
        try:
            self._close()
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def __del__(self) -> None:
        self._finalize()

    @property
    def gi_frame(self) -> Optional[Frame]:
        return self._frame

    @property
    def gi_running(self) -> bool:
        return self._running

    @property
    def gi_code(self):
        return signature_code(self._code)

    @property
    def gi_yieldfrom(self) -> Any:
        return self._yield_from_target()

    @property
    def gi_suspended(self) -> bool:
        return self._frame is not None and self._started and not self._running


class Coroutine(_FrameRunner):
    __slots__ = ("_cr_origin",)
    _kind = "coroutine"
    _host_type = types.CoroutineType

    def __init__(self, function: Any, frame: Frame) -> None:
        super().__init__(function, frame)
        depth = sys.get_coroutine_origin_tracking_depth()
        self._cr_origin = _origin(depth) if depth else None

    def __await__(self) -> "CoroutineWrapper":
        return CoroutineWrapper(self)

    def send(self, value: Any) -> Any:
        if self._frame is None:
            raise RuntimeError("cannot reuse already awaited coroutine")
        if not self._started and value is not None:
            raise TypeError("can't send non-None value to a just-started coroutine")
        try:
            yielded, result = self._resume(value)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise
        if yielded:
            return result
        if result is None:
            raise StopIteration
        raise StopIteration(result)

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        exc = self._throw_exception(typ, val, tb)
        if self._frame is None:
            raise RuntimeError("cannot reuse already awaited coroutine")
        try:
            yielded, result = self._throw(exc)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise
        if yielded:
            return result
        if result is None:
            raise StopIteration
        raise StopIteration(result)

    def close(self) -> None:
        try:
            self._close()
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def __del__(self) -> None:
        if self._frame is not None and not self._started:
            _warn_unawaited(self)
        self._finalize()

    @property
    def cr_origin(self) -> Optional[tuple]:
        return self._cr_origin

    @property
    def cr_frame(self) -> Optional[Frame]:
        return self._frame

    @property
    def cr_running(self) -> bool:
        return self._running

    @property
    def cr_code(self):
        return signature_code(self._code)

    @property
    def cr_await(self) -> Any:
        return self._yield_from_target()

    @property
    def cr_suspended(self) -> bool:
        return self._frame is not None and self._started and not self._running



def _warn_unawaited(coroutine: Coroutine) -> None:
    """CPython's _PyErr_WarnUnawaitedCoroutine: through warnings._warn_unawaited_coroutine, or, if
    that fails, a plain RuntimeWarning."""
    warned = False
    try:
        warnings._warn_unawaited_coroutine(coroutine)
        warned = True
    except BaseException as error:
        warned = isinstance(error, RuntimeWarning)
        write_unraisable(error, coroutine)
    if not warned:
        try:
            warnings.warn(f"coroutine '{coroutine.__qualname__}' was never awaited", RuntimeWarning,
                          stacklevel=1)
        except BaseException as error:
            write_unraisable(error, coroutine)


def _origin(depth: int) -> tuple:
    """``cr_origin``: (file, line, function) of the frames that created a coroutine, innermost first,
    as ``sys.set_coroutine_origin_tracking_depth`` asks: the program's logical stack (VM frames at
    their current line, and library frames) from the creator's frame."""
    origin = []
    frame = plugins().caller_frame()
    while frame is not None and len(origin) < depth:
        code = frame.f_code
        origin.append((code.co_filename, frame.f_lineno, code.co_name))
        frame = frame.f_back
    return tuple(origin)


class CoroutineWrapper:
    """What ``coroutine.__await__()`` returns: an iterator driving the coroutine."""

    __slots__ = ("_coroutine",)

    def __reduce__(self):
        raise TypeError("cannot pickle 'coroutine_wrapper' object")

    def __init__(self, coroutine: Coroutine) -> None:
        self._coroutine = coroutine

    def __iter__(self) -> "CoroutineWrapper":
        return self

    # The coroutine's methods strip the VM's frames from an exception's traceback; this frame's
    # own entry is stripped here again (and ``__next__`` is ``send(None)`` without a second call).
    def __next__(self) -> Any:
        try:
            return self._coroutine.send(None)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def send(self, value: Any) -> Any:
        try:
            return self._coroutine.send(value)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        try:
            return self._coroutine.throw(typ, val, tb)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def close(self) -> None:
        try:
            self._coroutine.close()
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise


class AsyncGenerator(_FrameRunner):
    __slots__ = ("_hooks_called", "_running_async", "_closed")
    _kind = "async generator"
    _host_type = types.AsyncGeneratorType

    def __init__(self, function: Any, frame: Frame) -> None:
        super().__init__(function, frame)
        self._hooks_called = False
        self._running_async = False
        self._closed = False

    def _check_escaping(self, error: BaseException) -> Optional[BaseException]:
        if isinstance(error, StopAsyncIteration):
            return RuntimeError("async generator raised StopAsyncIteration")
        if isinstance(error, StopIteration):
            return RuntimeError("async generator raised StopIteration")
        return None

    def _init_hooks(self) -> None:
        if self._hooks_called:
            return
        self._hooks_called = True
        firstiter = sys.get_asyncgen_hooks().firstiter
        if firstiter is not None:
            firstiter(self)

    def __aiter__(self) -> "AsyncGenerator":
        return self

    def __anext__(self) -> "AsyncGenASend":
        self._init_hooks()
        return AsyncGenASend(self, None)

    def asend(self, value: Any) -> "AsyncGenASend":
        self._init_hooks()
        return AsyncGenASend(self, value)

    def athrow(self, typ: Any, val: Any = None, tb: Any = None) -> "AsyncGenAThrow":
        self._init_hooks()
        return AsyncGenAThrow(self, (typ, val, tb))

    def aclose(self) -> "AsyncGenAThrow":
        self._init_hooks()
        return AsyncGenAThrow(self, None)

    def __del__(self) -> None:
        frame = self._frame
        if frame is None or not self._started or not frame.blocks:
            return
        finalizer = sys.get_asyncgen_hooks().finalizer
        if finalizer is not None and self._hooks_called and not self._closed:
            finalizer(self)

    @property
    def ag_frame(self) -> Optional[Frame]:
        return self._frame

    @property
    def ag_running(self) -> bool:
        return self._running_async

    @property
    def ag_code(self):
        return signature_code(self._code)

    @property
    def ag_await(self) -> Any:
        return self._yield_from_target()

    @property
    def ag_suspended(self) -> bool:
        return self._frame is not None and self._started and not self._running


class _AsyncGenAwaitable:
    """Shared by asend/athrow awaitables: iterator protocol and one-shot state."""

    __slots__ = ("_generator", "_state")
    _INIT, _ITER, _CLOSED = 0, 1, 2

    def __init__(self, generator: AsyncGenerator) -> None:
        self._generator = generator
        self._state = self._INIT

    def __await__(self) -> "_AsyncGenAwaitable":
        return self

    def __iter__(self) -> "_AsyncGenAwaitable":
        return self

    def __next__(self) -> Any:
        try:
            return self._send(None)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def close(self) -> None:
        self._state = self._CLOSED

    def __reduce__(self):
        raise TypeError(f"cannot pickle '{type(self).__name__}' object")

    # The subclasses' _send and _throw_in, seen from host code without the VM's own traceback entries.
    def send(self, value: Any) -> Any:
        try:
            return self._send(value)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def throw(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        try:
            return self._throw_in(typ, val, tb)
        except BaseException as error:
            error.__traceback__ = strip_internal(error.__traceback__)
            raise

    def _unwrap(self, outcome: tuple[bool, Any]) -> Any:
        yielded, value = outcome
        generator = self._generator
        if yielded:
            if type(value) is AsyncGenValue:
                generator._running_async = False
                self._state = self._CLOSED
                raise StopIteration(value.value)
            return value
        generator._running_async = False
        self._state = self._CLOSED
        raise StopAsyncIteration

    def _fail(self) -> None:
        self._generator._running_async = False
        self._state = self._CLOSED


class AsyncGenASend(_AsyncGenAwaitable):
    __slots__ = ("_value",)

    def __init__(self, generator: AsyncGenerator, value: Any) -> None:
        super().__init__(generator)
        self._value = value

    def _send(self, value: Any) -> Any:
        generator = self._generator
        if self._state == self._CLOSED:
            raise RuntimeError("cannot reuse already awaited __anext__()/asend()")
        if self._state == self._INIT:
            if generator._running_async:
                raise RuntimeError("anext(): asynchronous generator is already running")
            if value is None:
                value = self._value
            self._state = self._ITER
        generator._running_async = True
        if generator._frame is None:
            self._fail()
            raise StopAsyncIteration
        if not generator._started and value is not None:
            self._fail()
            raise TypeError("can't send non-None value to a just-started async generator")
        try:
            outcome = generator._resume(value)
        except BaseException:
            self._fail()
            raise
        return self._unwrap(outcome)

    def _throw_in(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        generator = self._generator
        if self._state == self._CLOSED:
            raise RuntimeError("cannot reuse already awaited __anext__()/asend()")
        try:  # (the exception is in no local here: a traceback holding this frame makes no cycle)
            outcome = generator._throw(generator._throw_exception(typ, val, tb))
        except BaseException:
            self._fail()
            raise
        return self._unwrap(outcome)


class AsyncGenAThrow(_AsyncGenAwaitable):
    __slots__ = ("_args",)

    def __init__(self, generator: AsyncGenerator, args: Optional[tuple]) -> None:
        super().__init__(generator)
        self._args = args  # None for aclose()

    def _send(self, value: Any) -> Any:
        generator = self._generator
        if self._state == self._CLOSED:
            raise RuntimeError("cannot reuse already awaited aclose()/athrow()")
        if generator._frame is None:
            self._state = self._CLOSED
            raise StopIteration
        if self._state == self._INIT:
            if generator._running_async:
                self._state = self._CLOSED
                method = "aclose" if self._args is None else "athrow"
                raise RuntimeError(f"{method}(): asynchronous generator is already running")
            if generator._closed:
                self._state = self._CLOSED
                raise StopAsyncIteration
            if value is not None:
                raise RuntimeError("can't send non-None value to a just-started coroutine")
            self._state = self._ITER
            generator._running_async = True
            if self._args is None:
                generator._closed = True
                return self._after(GeneratorExit())
            return self._after(generator._throw_exception(*self._args))
        return self._after(None, value)

    def _throw_in(self, typ: Any, val: Any = None, tb: Any = None) -> Any:
        generator = self._generator
        if self._state == self._CLOSED:
            raise RuntimeError("cannot reuse already awaited aclose()/athrow()")
        return self._after(generator._throw_exception(typ, val, tb))

    def _after(self, throw: Optional[BaseException], value: Any = None) -> Any:
        """Throw ``throw`` into the generator (or send ``value``), then CPython's athrow outcome."""
        closing = self._args is None
        generator = self._generator
        try:
            yielded, value = generator._throw(throw) if throw is not None else generator._resume(value)
        except BaseException as error:
            self._fail()
            if not (closing and isinstance(error, (StopAsyncIteration, GeneratorExit))):
                raise
            yielded = None
        finally:
            throw = None  # not left in a local of a frame the exception's traceback holds (a cycle)
        if yielded is None:  # aclose() is done: CPython clears the exception (no context either)
            raise StopIteration
        if yielded and type(value) is AsyncGenValue:
            self._fail()
            if self._args is None:
                raise RuntimeError("async generator ignored GeneratorExit")
            raise StopIteration(value.value)
        if not yielded:
            self._fail()
            if self._args is None:
                raise StopIteration
            raise StopAsyncIteration
        return value


def next_or_end(iterator: Any, end: Any) -> Any:
    """FOR_ITER's step: the next value of ``iterator``, or ``end`` when it is exhausted.

    VM generators resume directly (no ``__next__`` call, no StopIteration raised and caught)."""
    if type(iterator) is Generator:
        if iterator._frame is None:
            return end
        yielded, value = iterator._resume(None)
        return value if yielded else end
    return next(iterator, end)


def make_generator(function: Any, frame: Frame, kind: int) -> _FrameRunner:
    """The object a call of a generator, coroutine or async generator function returns."""
    if kind & CO_COROUTINE:
        return Coroutine(function, frame)
    if kind & CO_ASYNC_GENERATOR:
        return AsyncGenerator(function, frame)
    return Generator(function, frame)


def is_iterable_coroutine(value: Any) -> bool:
    """A VM generator made by a function flagged CO_ITERABLE_COROUTINE (``types.coroutine``)."""
    return type(value) is Generator and bool(value._code.flags & CO_ITERABLE_COROUTINE)


class AnextAwaitable:
    """What ``anext(iterator, default)`` returns (CPython's anext_awaitable): awaiting it awaits
    ``iterator.__anext__()``, and its StopAsyncIteration becomes the default value.

    The VM's own, for ``anext`` called by VM code (intrinsics.py): CPython's recognises a
    ``types.coroutine`` generator by its code flag, which it cannot read on a VM generator.
    """

    __slots__ = ("_wrapped", "_default", "_iterator")

    def __init__(self, wrapped: Any, default: Any) -> None:
        self._wrapped = wrapped
        self._default = default
        self._iterator: Any = None

    def __await__(self) -> "AnextAwaitable":
        return self

    def __iter__(self) -> "AnextAwaitable":
        return self

    def _awaited(self) -> Any:
        """The iterator that awaiting the wrapped awaitable drives (made once)."""
        if self._iterator is None:
            from bytelens.vm.runtime.ops.yields import get_awaitable  # the core's cycle: ops import this
            iterator = get_awaitable(self._wrapped)
            if type(iterator) is Coroutine or type(iterator) is types.CoroutineType:
                iterator = iterator.__await__()
            self._iterator = iterator
        return self._iterator

    def _proxy(self, method: str, *args: Any) -> Any:
        try:
            return getattr(self._awaited(), method)(*args)
        except StopAsyncIteration:
            error = StopIteration(self._default)
        raise error

    def __next__(self) -> Any:
        return self._proxy("__next__")

    def send(self, value: Any) -> Any:
        return self._proxy("send", value)

    def throw(self, *args: Any) -> Any:
        return self._proxy("throw", *args)

    def close(self) -> Any:
        return self._proxy("close")


# As for functions: type(g) prints as CPython's, and g.__class__ is CPython's type, so identity and
# isinstance checks in host code (inspect.isgenerator, types.coroutine ...) accept these objects.
for _class, _name in ((Generator, "generator"), (AnextAwaitable, "anext_awaitable"), (Coroutine, "coroutine"), (AsyncGenerator, "async_generator"),
                      (CoroutineWrapper, "coroutine_wrapper"), (AsyncGenASend, "async_generator_asend"),
                      (AsyncGenAThrow, "async_generator_athrow")):
    _class.__name__ = _class.__qualname__ = _name
    _class.__module__ = "builtins"

set_type_attribute(_FrameRunner, "__qualname__", QUALNAME)


def _refuse(message: str) -> Any:
    def refuse(self: Any, *value: Any) -> None:
        raise AttributeError(message)
    return refuse


def _present_as_host_type(cls: type, host: type, members: tuple[str, ...]) -> None:
    """Make ``cls``'s methods and read-only attributes look like those of CPython's ``host`` type:
    the same docstrings, and CPython's messages when an attribute is assigned or deleted (``members``
    are C struct members, "readonly attribute"; the others getters, "... is not writable")."""
    kind = host.__name__
    for klass in cls.__mro__[:-1]:
        for name, value in vars(klass).items():
            if isinstance(value, types.FunctionType) and hasattr(host, name):
                value.__doc__ = getattr(host, name).__doc__
    for name in dir(host):
        value = getattr(cls, name, None)
        if not name.startswith("__") and isinstance(value, property) and value.fset is None:
            refuse = _refuse("readonly attribute" if name in members else
                             f"attribute '{name}' of '{kind}' objects is not writable")
            setattr(cls, name, property(value.fget, refuse, refuse, getattr(host, name).__doc__))


_present_as_host_type(Generator, types.GeneratorType, ("gi_code",))
_present_as_host_type(Coroutine, types.CoroutineType, ("cr_code", "cr_origin"))
_present_as_host_type(AsyncGenerator, types.AsyncGeneratorType, ("ag_code", "ag_running"))

collections.abc.Generator.register(Generator)
collections.abc.Coroutine.register(Coroutine)
collections.abc.AsyncGenerator.register(AsyncGenerator)
