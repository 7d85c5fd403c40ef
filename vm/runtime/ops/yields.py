"""Handlers for ``yield``, ``yield from``, ``await``, ``async for`` and ``async with``."""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

import types

from bytelens.vm.isa.code import CO_ASYNC_GENERATOR, CO_COROUTINE, CO_ITERABLE_COROUTINE
from bytelens.vm.runtime.decode import Instr, handles
from bytelens.vm.isa.opcodes import BEFORE_ASYNC_WITH, BY_CODE, WITH_CLEANUP_START
from bytelens.vm.runtime.excstate import set_handled
from bytelens.vm.runtime.frame import EXCEPT_HANDLER, FINALLY
from bytelens.vm.runtime.ops.blocks import push_block
from bytelens.vm.runtime.generators import AsyncGenerator, AsyncGenValue, Coroutine, Generator, is_iterable_coroutine
from bytelens.vm.runtime.values import lookup_special


@handles("YIELD_VALUE")
def _yield_value(ins: Instr):
    nxt = ins.next
    if ins.code.flags & CO_ASYNC_GENERATOR:
        def yield_async_value(f, s, l):
            f.result = AsyncGenValue(s.pop())
            f.yielding = True
            f.pc = nxt
            return None
        return yield_async_value

    def yield_value(f, s, l):
        f.result = s.pop()
        f.yielding = True
        f.pc = nxt
        return None
    return yield_value


@handles("YIELD_FROM")
def _yield_from(ins: Instr):
    nxt = ins.next
    here = ins.index

    def yield_from(f, s, l):
        value = s.pop()
        iterator = s[-1]
        kind = type(iterator)
        if (kind is Generator or kind is Coroutine) and iterator._frame is not None \
                and (iterator._started or value is None):
            yielded, result = iterator._resume(value)  # the common case, without send()
            if not yielded:
                s[-1] = result
                return nxt
            f.result = result
            f.yielding = True
            f.pc = here
            return None
        try:
            if value is None and hasattr(type(iterator), "__next__"):
                result = next(iterator)
            else:
                result = iterator.send(value)
        except StopIteration as stop:
            s[-1] = stop.value
            return nxt
        f.result = result
        f.yielding = True
        f.pc = here
        return None
    return yield_from


@handles("GET_YIELD_FROM_ITER")
def _get_yield_from_iter(ins: Instr):
    nxt = ins.next
    in_coroutine = bool(ins.code.flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE))

    def get_yield_from_iter(f, s, l):
        value = s[-1]
        if type(value) is Coroutine or type(value) is types.CoroutineType:
            if not in_coroutine:
                raise TypeError("cannot 'yield from' a coroutine object in a non-coroutine generator")
        elif type(value) is not Generator and type(value) is not types.GeneratorType:
            s[-1] = iter(value)
        return nxt
    return get_yield_from_iter


def get_awaitable(value, context: str = ""):
    """The iterator ``await value`` drives (CPython's _PyCoro_GetAwaitableIter), or TypeError.

    ``context`` is "__aenter__" or "__aexit__" when the value comes from ``async with``.
    """
    kind = type(value)
    if kind is Coroutine or kind is types.CoroutineType:
        return value
    if is_iterable_coroutine(value):
        return value
    if kind is types.GeneratorType and value.gi_code.co_flags & CO_ITERABLE_COROUTINE:
        return value
    method = lookup_special(value, "__await__")
    if method is None:
        if context:
            raise TypeError(f"'async with' received an object from {context} that does not implement "
                            f"__await__: {kind.__name__}")
        raise TypeError(f"object {kind.__name__} can't be used in 'await' expression")
    result = method()
    if type(result) is Coroutine or type(result) is types.CoroutineType:
        raise TypeError("__await__() returned a coroutine")
    if not hasattr(type(result), "__next__"):
        raise TypeError(f"__await__() returned non-iterator of type '{type(result).__name__}'")
    return result


_AWAIT_CONTEXTS = {BEFORE_ASYNC_WITH: "__aenter__", WITH_CLEANUP_START: "__aexit__"}


@handles("GET_AWAITABLE")
def _get_awaitable(ins: Instr):
    nxt = ins.next
    context = ""
    if ins.index > 0:  # CPython 3.11's GET_AWAITABLE argument, recovered from the sequence
        previous = BY_CODE.get(ins.code.code[2 * (ins.index - 1)])
        context = _AWAIT_CONTEXTS.get(previous.code, "") if previous is not None else ""

    def get_awaitable_handler(f, s, l):
        value = s[-1]
        awaitable = get_awaitable(value, context)
        if type(awaitable) is Coroutine and awaitable.cr_await is not None:
            raise RuntimeError("coroutine is being awaited already")
        s[-1] = awaitable
        return nxt
    return get_awaitable_handler


@handles("GET_AITER")
def _get_aiter(ins: Instr):
    nxt = ins.next

    def get_aiter(f, s, l):
        value = s[-1]
        method = lookup_special(value, "__aiter__")
        if method is None:
            raise TypeError(f"'async for' requires an object with __aiter__ method, got {type(value).__name__}")
        iterator = method()
        if lookup_special(iterator, "__anext__") is None:
            raise TypeError(f"'async for' received an object from __aiter__ that does not implement "
                            f"__anext__: {type(iterator).__name__}")
        s[-1] = iterator
        return nxt
    return get_aiter


@handles("GET_ANEXT")
def _get_anext(ins: Instr):
    nxt = ins.next

    def get_anext(f, s, l):
        iterator = s[-1]
        if type(iterator) is AsyncGenerator:
            s.append(iterator.__anext__())
            return nxt
        method = lookup_special(iterator, "__anext__")
        if method is None:
            raise TypeError(f"'async for' requires an iterator with __anext__ method, got "
                            f"{type(iterator).__name__}")
        result = method()
        try:
            awaitable = get_awaitable(result)
        except Exception as error:
            raise TypeError(f"'async for' received an invalid object from __anext__: "
                            f"{type(result).__name__}") from error
        s.append(awaitable)
        return nxt
    return get_anext


@handles("END_ASYNC_FOR")
def _end_async_for(ins: Instr):
    nxt = ins.next

    def end_async_for(f, s, l):
        exc = s[-1]
        if isinstance(exc, StopAsyncIteration):
            del s[-2:]
            block = f.blocks.pop()
            if block.type is not EXCEPT_HANDLER:
                raise SystemError("END_ASYNC_FOR without an except handler")
            del s[block.level:]
            set_handled(block.prev)
            return nxt
        s.pop()
        f.reraise = True
        raise exc
    return end_async_for


@handles("BEFORE_ASYNC_WITH")
def _before_async_with(ins: Instr):
    nxt = ins.next

    def before_async_with(f, s, l):
        manager = s.pop()
        enter = lookup_special(manager, "__aenter__")
        if enter is None:
            raise TypeError(f"'{type(manager).__name__}' object does not support the asynchronous context "
                            f"manager protocol")
        exit = lookup_special(manager, "__aexit__")
        if exit is None:
            raise TypeError(f"'{type(manager).__name__}' object does not support the asynchronous context "
                            f"manager protocol (missed __aexit__ method)")
        s.append(exit)
        s.append(enter())
        return nxt
    return before_async_with


@handles("SETUP_ASYNC_WITH")
def _setup_async_with(ins: Instr):
    nxt = ins.next
    handler = ins.target * 2

    def setup_async_with(f, s, l):
        result = s.pop()
        push_block(f, FINALLY, handler, len(s))
        s.append(result)
        return nxt
    return setup_async_with
