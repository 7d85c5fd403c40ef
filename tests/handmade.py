"""Hand-assembled code objects for tests that must not depend on the compiler's choices."""

from __future__ import annotations

import dataclasses
import struct
from typing import Optional, Sequence, Union

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import Code, Position

#: One instruction: an opname, or (opname, arg), or (opname, arg, position).
Op = Union[str, tuple]


def assemble(ops: Sequence[Op], *, name: str = "f", firstlineno: int = 1, consts: tuple = (),
             names: tuple = (), varnames: tuple = (), cellvars: tuple = (), freevars: tuple = (),
             flags: int = 0, argcount: int = 0, stacksize: int = 2, blockdepth: int = 0,
             filename: str = "<handmade>", qualname: Optional[str] = None) -> Code:
    """A Code from (opname, arg, position) triples; wide arguments get EXTENDED_ARG prefixes that
    share the position of the instruction they extend. Instructions without a position get line
    ``firstlineno`` and no columns.
    """
    code = bytearray()
    positions: list[Position] = []
    for op in ops:
        opname, arg, position = (op, 0, None) if isinstance(op, str) else (tuple(op) + (0, None))[:3]
        position = position or (firstlineno, None, firstlineno, None)
        prefixes = []
        rest = arg >> 8
        while rest:
            prefixes.append(rest & 0xFF)
            rest >>= 8
        for byte in reversed(prefixes):
            code += bytes((opcodes.EXTENDED_ARG, byte))
            positions.append(position)
        code += bytes((opcodes.BY_NAME[opname].code, arg & 0xFF))
        positions.append(position)
    return Code(name=name, qualname=qualname or name, filename=filename, firstlineno=firstlineno,
                argcount=argcount, posonlyargcount=0, kwonlyargcount=0, flags=flags, code=bytes(code),
                consts=consts, names=names, varnames=varnames, cellvars=cellvars, freevars=freevars,
                stacksize=stacksize, blockdepth=blockdepth, positions=tuple(positions))


def first_difference(a: Code, b: Code) -> Optional[str]:
    """The first field (a dotted path into nested code) where two code objects differ, else None.

    Compares field by field and type by type; floats bit for bit (nan equals nan, -0.0 is not 0.0).
    """
    for field in dataclasses.fields(Code):
        difference = _value_difference(getattr(a, field.name), getattr(b, field.name))
        if difference is not None:
            return field.name + difference
    return None


def _value_difference(left, right) -> Optional[str]:
    if type(left) is not type(right):
        return f": {type(left).__name__} != {type(right).__name__}"
    if isinstance(left, Code):
        inner = first_difference(left, right)
        return None if inner is None else "." + inner
    if isinstance(left, tuple):
        if len(left) != len(right):
            return f": length {len(left)} != {len(right)}"
        for index, (x, y) in enumerate(zip(left, right)):
            inner = _value_difference(x, y)
            if inner is not None:
                return f"[{index}]{inner}"
        return None
    if isinstance(left, frozenset):
        return None if len(left) == len(right) and all(
            any(_value_difference(x, y) is None for y in right) for x in left) else ": sets differ"
    if isinstance(left, float):
        return None if struct.pack("<d", left) == struct.pack("<d", right) else f": {left!r} != {right!r}"
    if isinstance(left, complex):
        return _value_difference((left.real, left.imag), (right.real, right.imag))
    return None if left == right else f": {left!r} != {right!r}"
