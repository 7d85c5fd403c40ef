"""Handlers for jumps, loops, the block stack, raising and ``with``."""

from __future__ import annotations

from bytelens.vm.hostbuiltins import SNAPSHOT as __builtins__  # noqa: F401  (see hostbuiltins.py)

from bytelens.vm.isa import opcodes
from bytelens.vm.runtime.decode import Instr, handles
from bytelens.vm.runtime.excstate import current_handled, set_handled
from bytelens.vm.runtime.frame import (BREAK, EXCEPT_HANDLER, FINALLY, SILENCED, Block, ContinueMarker,
                    ReturnMarker, BreakMarker)
from bytelens.vm.runtime.generators import next_or_end
from bytelens.vm.runtime.interpreter import unwind_jump
from bytelens.vm.runtime.values import lookup_special

_END = object()


@handles("JUMP_FORWARD", "JUMP_ABSOLUTE")
def _jump(ins: Instr):
    target = ins.target

    def jump(f, s, l):
        return target
    return jump


@handles("POP_JUMP_IF_FALSE")
def _pop_jump_if_false(ins: Instr):
    nxt = ins.next
    target = ins.target

    def pop_jump_if_false(f, s, l):
        if s.pop():
            return nxt
        return target
    return pop_jump_if_false


@handles("POP_JUMP_IF_TRUE")
def _pop_jump_if_true(ins: Instr):
    nxt = ins.next
    target = ins.target

    def pop_jump_if_true(f, s, l):
        if s.pop():
            return target
        return nxt
    return pop_jump_if_true


@handles("JUMP_IF_FALSE_OR_POP")
def _jump_if_false_or_pop(ins: Instr):
    nxt = ins.next
    target = ins.target

    def jump_if_false_or_pop(f, s, l):
        if s[-1]:
            s.pop()
            return nxt
        return target
    return jump_if_false_or_pop


@handles("JUMP_IF_TRUE_OR_POP")
def _jump_if_true_or_pop(ins: Instr):
    nxt = ins.next
    target = ins.target

    def jump_if_true_or_pop(f, s, l):
        if s[-1]:
            return target
        s.pop()
        return nxt
    return jump_if_true_or_pop


@handles("GET_ITER")
def _get_iter(ins: Instr):
    nxt = ins.next

    def get_iter(f, s, l):
        s[-1] = iter(s[-1])
        return nxt
    return get_iter


@handles("FOR_ITER")
def _for_iter(ins: Instr):
    nxt = ins.next
    target = ins.target

    def for_iter(f, s, l):
        value = next_or_end(s[-1], _END)
        if value is _END:
            s.pop()
            return target
        s.append(value)
        return nxt
    return for_iter


# --- the block stack ------------------------------------------------------------------------------

def push_block(f, kind, handler: int, level: int) -> None:
    """Push a block of ``kind`` whose handler is at byte offset ``handler`` and whose stack level is
    ``level`` (what every SETUP_* does, here and in compiled blocks). A frame's block list is made
    on the first push: most frames never have one."""
    if f.blocks:
        f.blocks.append(Block(kind, handler, level))
    else:
        f.blocks = [Block(kind, handler, level)]


def _setup(ins: Instr):
    nxt = ins.next
    handler = ins.target * 2
    kind = ins.op.pushes_block

    def setup(f, s, l):
        push_block(f, kind, handler, len(s))
        return nxt
    setup.__name__ = ins.op.name.lower()
    return setup


handles(*opcodes.BLOCK_SETUP.values())(_setup)


@handles("POP_BLOCK")
def _pop_block(ins: Instr):
    nxt = ins.next

    def pop_block(f, s, l):
        f.blocks.pop()
        return nxt
    return pop_block


@handles("POP_EXCEPT")
def _pop_except(ins: Instr):
    nxt = ins.next

    def pop_except(f, s, l):
        block = f.blocks.pop()
        if block.type is not EXCEPT_HANDLER:
            raise SystemError("popped block is not an except handler")
        set_handled(block.prev)
        return nxt
    return pop_except


@handles("END_FINALLY")
def _end_finally(ins: Instr):
    nxt = ins.next

    def end_finally(f, s, l):
        pending = s.pop()
        if pending is None:
            return nxt
        kind = type(pending)
        if kind is ReturnMarker or kind is ContinueMarker or kind is BreakMarker:
            return unwind_jump(f, pending)
        if pending is SILENCED:
            block = f.blocks.pop()
            if block.type is not EXCEPT_HANDLER:
                raise SystemError("silenced exception without an except handler")
            del s[block.level:]
            set_handled(block.prev)
            return nxt
        if isinstance(pending, BaseException):
            # A re-raise, like CPython's RERAISE: no new traceback entry, and no implicit chaining
            # (the host ``raise`` would set __context__ to the handled exception; it is put back).
            f.reraise = True
            f.reraised = (pending, pending.__context__, pending.__suppress_context__)
            raise pending
        raise SystemError(f"END_FINALLY: bad pending value {pending!r}")
    return end_finally


@handles("BREAK_LOOP")
def _break_loop(ins: Instr):
    def break_loop(f, s, l):
        return unwind_jump(f, BREAK)
    return break_loop


@handles("CONTINUE_LOOP")
def _continue_loop(ins: Instr):
    target = ins.target * 2

    def continue_loop(f, s, l):
        return unwind_jump(f, ContinueMarker(target))
    return continue_loop


@handles("RAISE_VARARGS")
def _raise_varargs(ins: Instr):
    n = ins.arg
    if n == 0:
        def reraise(f, s, l):
            exc = current_handled()
            if exc is None:
                raise RuntimeError("No active exception to reraise")
            f.reraise = True
            raise exc
        return reraise
    if n == 1:
        def raise_exception(f, s, l):
            raise s.pop()
        return raise_exception

    def raise_from(f, s, l):
        cause = s.pop()
        raise s.pop() from cause
    return raise_from


@handles("LOAD_ASSERTION_ERROR")
def _load_assertion_error(ins: Instr):
    nxt = ins.next

    def load_assertion_error(f, s, l):
        s.append(AssertionError)
        return nxt
    return load_assertion_error


# --- with -----------------------------------------------------------------------------------------

@handles("SETUP_WITH")
def _setup_with(ins: Instr):
    nxt = ins.next
    handler = ins.target * 2

    def setup_with(f, s, l):
        manager = s.pop()
        enter = lookup_special(manager, "__enter__")
        if enter is None:
            raise TypeError(f"'{type(manager).__name__}' object does not support the context manager "
                            f"protocol")
        exit = lookup_special(manager, "__exit__")
        if exit is None:
            raise TypeError(f"'{type(manager).__name__}' object does not support the context manager "
                            f"protocol (missed __exit__ method)")
        s.append(exit)
        result = enter()
        push_block(f, FINALLY, handler, len(s))
        s.append(result)
        return nxt
    return setup_with


@handles("WITH_CLEANUP_START")
def _with_cleanup_start(ins: Instr):
    nxt = ins.next

    def with_cleanup_start(f, s, l):
        pending = s.pop()
        exit = s.pop()
        s.append(pending)
        if isinstance(pending, BaseException):
            s.append(exit(type(pending), pending, pending.__traceback__))
        else:
            s.append(exit(None, None, None))
        return nxt
    return with_cleanup_start


@handles("WITH_CLEANUP_FINISH")
def _with_cleanup_finish(ins: Instr):
    nxt = ins.next

    def with_cleanup_finish(f, s, l):
        result = s.pop()
        if isinstance(s[-1], BaseException) and result:
            s[-1] = SILENCED
        return nxt
    return with_cleanup_finish
