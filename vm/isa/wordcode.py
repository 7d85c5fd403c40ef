"""Reading wordcode: the one decoder and the one jump-target function.

Wordcode is a sequence of 2-byte units, opcode then argument byte. Arguments wider than a byte
come as EXTENDED_ARG prefixes, each shifting its byte into the next unit's argument. Everything
that reads bytecode (the disassembler, the VM's handler decoder, the block compiler) reads it
through ``units`` or ``instructions`` here, and turns jump arguments into targets with
``jump_target``: relative jumps count from the next instruction, absolute jumps from the start of
the code, both in bytes (3.7's convention).
"""

from __future__ import annotations

from typing import Iterator, NamedTuple, Optional

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.opcodes import Arg


class Unit(NamedTuple):
    """One 2-byte unit: its offset, its opcode, and its argument with earlier prefixes folded in."""

    offset: int
    opcode: int
    arg: int


class Word(NamedTuple):
    """One instruction without its EXTENDED_ARG prefixes: the decoder's internal form (slot indexes
    are byte offsets // 2). The public record of an instruction is the disassembler's
    ``Instruction``; the VM's handler factories get a ``runtime.decode.Instr``, built from this."""

    first: int  # slot of its first EXTENDED_ARG prefix (its own slot when it has none)
    index: int  # its own slot
    opcode: int
    arg: int


def units(code: bytes) -> Iterator[Unit]:
    """Every unit, EXTENDED_ARG included (with the argument accumulated so far, as ``dis`` lists
    it), each prefix's value folded into the next. An odd trailing byte reads as argument 0."""
    extended = 0
    prefix = opcodes.EXTENDED_ARG
    for offset in range(0, len(code), 2):
        op = code[offset]
        arg = (code[offset + 1] if offset + 1 < len(code) else 0) | extended
        extended = arg << 8 if op == prefix else 0
        yield Unit(offset, op, arg)


def instructions(code: bytes) -> list[Word]:
    """Every instruction of ``code`` (wordcode), EXTENDED_ARG prefixes folded in."""
    result = []
    first = 0
    prefix = opcodes.EXTENDED_ARG
    for offset, op, arg in units(code):
        if op == prefix:
            continue
        index = offset // 2
        result.append(Word(first, index, op, arg))
        first = index + 1
    return result


def jump_target(op: opcodes.OpInfo, offset: int, arg: int) -> Optional[int]:
    """The byte offset ``op`` at byte ``offset`` with argument ``arg`` jumps to (for SETUP_*: its
    block's handler), or None when it does not jump."""
    if op.arg is Arg.JREL:
        return offset + 2 + arg
    if op.arg is Arg.JABS:
        return arg
    return None


def target_index(op: opcodes.OpInfo, index: int, arg: int) -> int:
    """``jump_target`` in slots (offset // 2) for the instruction at slot ``index``; -1 for none."""
    target = jump_target(op, 2 * index, arg)
    return -1 if target is None else target // 2
