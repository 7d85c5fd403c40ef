"""Hand-assembled code objects for tests that must not depend on the compiler's choices."""

from __future__ import annotations

from typing import Optional, Sequence, Union

from bytelens.vm import opcodes
from bytelens.vm.code import Code, Position

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
