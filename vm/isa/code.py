"""Code objects: what the compiler produces, the cache stores, the disassembler reads and the VM runs.

A bytelens ``Code`` mirrors CPython's: wordcode bytes (two bytes an instruction, EXTENDED_ARG for wide
arguments), constants, names, local/cell/free variable names, flags, the stack size the code needs,
and a position table with one (line, column, end line, end column) entry per instruction. Positions
follow the AST's convention: 1-based lines, 0-based UTF-8 byte columns; ``None`` where unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterator, Optional

# Code flags, with CPython's values.
CO_OPTIMIZED = 0x0001
CO_NEWLOCALS = 0x0002
CO_VARARGS = 0x0004
CO_VARKEYWORDS = 0x0008
CO_NESTED = 0x0010
CO_GENERATOR = 0x0020
CO_NOFREE = 0x0040
CO_COROUTINE = 0x0080
CO_ITERABLE_COROUTINE = 0x0100
CO_ASYNC_GENERATOR = 0x0200
CO_FUTURE_ANNOTATIONS = 0x1000000

FLAG_NAMES = (
    (CO_OPTIMIZED, "OPTIMIZED"), (CO_NEWLOCALS, "NEWLOCALS"), (CO_VARARGS, "VARARGS"),
    (CO_VARKEYWORDS, "VARKEYWORDS"), (CO_NESTED, "NESTED"), (CO_GENERATOR, "GENERATOR"),
    (CO_NOFREE, "NOFREE"), (CO_COROUTINE, "COROUTINE"), (CO_ITERABLE_COROUTINE, "ITERABLE_COROUTINE"),
    (CO_ASYNC_GENERATOR, "ASYNC_GENERATOR"), (CO_FUTURE_ANNOTATIONS, "FUTURE_ANNOTATIONS"),
)

#: (line, column, end line, end column) of one instruction; any part may be None.
Position = tuple[Optional[int], Optional[int], Optional[int], Optional[int]]

NO_POSITION: Position = (None, None, None, None)


@dataclass(eq=False)
class Code:
    """One compiled unit: a module body, a function, a class body, a lambda or a comprehension."""

    name: str
    qualname: str
    filename: str
    firstlineno: int
    argcount: int
    posonlyargcount: int
    kwonlyargcount: int
    flags: int
    code: bytes
    consts: tuple
    names: tuple[str, ...]
    varnames: tuple[str, ...]
    cellvars: tuple[str, ...]
    freevars: tuple[str, ...]
    stacksize: int
    blockdepth: int
    positions: tuple[Position, ...]
    #: For each cell variable that is also an argument, the index of that argument (else -1).
    cell2arg: tuple[int, ...] = field(default=())

    def __repr__(self) -> str:
        return f"<code object {self.name} at {id(self):#x}, file {self.filename!r}, line {self.firstlineno}>"

    @property
    def nlocals(self) -> int:
        return len(self.varnames)

    @property
    def flag_names(self) -> list[str]:
        return [name for bit, name in FLAG_NAMES if self.flags & bit]

    def position_at(self, offset: int) -> Position:
        """The position of the instruction at byte ``offset``."""
        return self.positions[offset // 2]

    def line_at(self, offset: int) -> Optional[int]:
        return self.positions[offset // 2][0]

    def walk(self) -> Iterator["Code"]:
        """This code object and every code object nested in its constants, depth first."""
        yield self
        for const in self.consts:
            if isinstance(const, Code):
                yield from const.walk()

    def replace(self, **changes) -> "Code":
        return replace(self, **changes)
