"""A tiny assembler for VM unit tests: code objects from (opname, argument) lists with labels.

Not a compiler: it only packs instructions the test spells out, so a test can exercise exactly the
sequence docs/bytecode.md describes (or one the compiler never emits, like ROT_N) on the VM.
"""

from __future__ import annotations

from typing import Any, Sequence, Union

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import CO_NEWLOCALS, CO_OPTIMIZED, Code
from bytelens.vm.isa.opcodes import Arg

Item = Union[str, tuple]  # "LABEL:" or (opname,) or (opname, argument)


def assemble(items: Sequence[Item], *, consts: Sequence[Any] = (None,), names: Sequence[str] = (),
             varnames: Sequence[str] = (), cellvars: Sequence[str] = (), freevars: Sequence[str] = (),
             argcount: int = 0, flags: int = 0, name: str = "<test>", stacksize: int = 10,
             blockdepth: int = 5, line: int = 1) -> Code:
    """Assemble; a jump's argument may be a label name (resolved to the right relative/absolute)."""
    labels: dict[str, int] = {}
    offset = 0
    for item in items:
        if isinstance(item, str):
            labels[item.rstrip(":")] = offset
        else:
            offset += 2
    code = bytearray()
    for item in items:
        if isinstance(item, str):
            continue
        op = opcodes.BY_NAME[item[0]]
        arg = item[1] if len(item) > 1 else 0
        if isinstance(arg, str):
            target = labels[arg]
            arg = target - (len(code) + 2) if op.arg is Arg.JREL else target
        if arg > 255:
            raise ValueError("the test assembler does not emit EXTENDED_ARG")
        code += bytes((op.code, arg))
    count = len(code) // 2
    return Code(name=name, qualname=name, filename="<test>", firstlineno=line, argcount=argcount,
                posonlyargcount=0, kwonlyargcount=0, flags=flags, code=bytes(code),
                consts=tuple(consts), names=tuple(names), varnames=tuple(varnames),
                cellvars=tuple(cellvars), freevars=tuple(freevars), stacksize=stacksize,
                blockdepth=blockdepth, positions=tuple((line, 0, line, 1) for _ in range(count)))


FUNCTION_FLAGS = CO_OPTIMIZED | CO_NEWLOCALS
