"""The assembler: from the code generator's instruction list to a ``Code`` object.

Passes, in order:

1. **Flow analysis** over the instructions (a worklist over basic blocks, as CPython's
   ``stackdepth()``): every jump, every SETUP_* handler edge and every fall-through is followed with
   the stack depth the instruction table's ``stack_effect(arg, jump=...)`` gives, which yields the
   maximum stack depth and the set of reachable instructions. Every instruction must be reached
   with one depth whatever the path (a check that catches code generator bugs). CONTINUE_LOOP
   leaves through the VM's unwinding, which cuts the stack; its target is followed only if nothing
   else reaches it, with the depth before the jump as an upper bound.
2. **Dead code removal**: unreachable instructions are dropped (the implicit ``return None`` after
   an explicit return, the ``POP_BLOCK`` after an infinite loop ...).
3. **Jump resolution**: byte offsets and jump arguments, growing EXTENDED_ARG prefixes until a fixed
   point (sizes only ever grow, so this terminates).
4. **Emission**: wordcode bytes, and one position per 2-byte unit (EXTENDED_ARG prefixes take the
   position of the instruction they extend).
"""

from __future__ import annotations

from typing import Optional, Sequence

from . import opcodes
from .code import CO_NOFREE, Code, Position
from .opcodes import Flow

_EXTENDED_ARG = opcodes.BY_NAME["EXTENDED_ARG"].code
_CONTINUE_LOOP = opcodes.BY_NAME["CONTINUE_LOOP"].code
_JREL = opcodes.Arg.JREL


class Label:
    """A position in the instruction list that jumps and SETUP_* handlers refer to."""

    __slots__ = ("index",)

    def __init__(self) -> None:
        self.index = -1  # the index of the instruction that follows the label, once placed

    def __repr__(self) -> str:
        return f"<Label {self.index}>"


#: One instruction: (opcode, argument, jump target or None, position).
Instr = tuple[int, int, Optional[Label], Position]


def _effect_table() -> tuple[list, list, list]:
    """Per opcode: the fall-through effect, the jump effect and whether control stops after it.

    Each entry is an int when the effect does not depend on the argument, else a function of it.
    """
    effect: list = [None] * 256
    jump_effect: list = [None] * 256
    stops: list = [False] * 256
    for info in opcodes.OPS:
        code = info.code
        effect[code] = _net(info.pops, info.pushes)
        jump_effect[code] = _net(*(info.jump_stack or (info.pops, info.pushes)))
        stops[code] = info.flow in (Flow.JUMP, Flow.STOP)
    return effect, jump_effect, stops


def _net(pops: opcodes.Count, pushes: opcodes.Count):
    """``pushes - pops`` as an int, or as a function of the argument when either depends on it."""
    if callable(pops) and callable(pushes):
        return lambda arg: pushes(arg) - pops(arg)
    if callable(pops):
        return lambda arg: pushes - pops(arg)
    if callable(pushes):
        return lambda arg: pushes(arg) - pops
    return pushes - pops


_EFFECT, _JUMP_EFFECT, _STOPS = _effect_table()
_IS_JREL = [False] * 256
for _info in opcodes.OPS:
    _IS_JREL[_info.code] = _info.arg is _JREL


class AssemblyError(Exception):
    """The instruction list is inconsistent (a code generator bug, never the user's)."""


def analyze_flow(instrs: Sequence[Instr]) -> tuple[int, list[int]]:
    """The maximum stack depth, and the depth before each instruction (-1 where unreachable)."""
    count = len(instrs)
    depths = [-1] * count
    effect, jump_effect, stops = _EFFECT, _JUMP_EFFECT, _STOPS
    worklist: list[tuple[int, int]] = [(0, 0)] if count else []
    deferred: list[tuple[int, int]] = []
    max_depth = 0
    while worklist or deferred:
        if not worklist:
            index, depth = deferred.pop()
            if depths[index] < 0:
                worklist.append((index, depth))
            continue
        index, depth = worklist.pop()
        while index < count:
            known = depths[index]
            if known >= 0:
                if known != depth:
                    raise AssemblyError(f"inconsistent stack depth at instruction {index}: "
                                        f"{known} and {depth}")
                break
            depths[index] = depth
            op, arg, target, _ = instrs[index]
            if target is not None:
                if op == _CONTINUE_LOOP:
                    deferred.append((target.index, depth))
                    break
                change = jump_effect[op]
                jumped = depth + (change if change.__class__ is int else change(arg))
                if jumped > max_depth:
                    max_depth = jumped
                worklist.append((target.index, jumped))
            change = effect[op]
            depth += change if change.__class__ is int else change(arg)
            if depth < 0:
                raise AssemblyError(f"stack underflow at instruction {index} "
                                    f"({opcodes.BY_CODE[op].name})")
            if depth > max_depth:
                max_depth = depth
            if stops[op]:
                break
            index += 1
        else:
            if index >= count and count:
                raise AssemblyError("control falls off the end of the code")
    return max_depth, depths


def _ext_count(arg: int) -> int:
    if arg <= 0xFF:
        return 0
    if arg <= 0xFFFF:
        return 1
    if arg <= 0xFFFFFF:
        return 2
    return 3


def assemble(instrs: list[Instr], *, name: str, qualname: str, filename: str, firstlineno: int,
             argcount: int, posonlyargcount: int, kwonlyargcount: int, flags: int, consts: tuple,
             names: tuple[str, ...], varnames: tuple[str, ...], cellvars: tuple[str, ...],
             freevars: tuple[str, ...], blockdepth: int) -> Code:
    """Build the ``Code`` object for one unit's instruction list (see the module docstring)."""
    stacksize, depths = analyze_flow(instrs)
    kept = [instr for instr, depth in zip(instrs, depths) if depth >= 0]
    if len(kept) != len(instrs):
        _renumber_labels(instrs, depths)
    code, positions = _resolve_and_emit(kept)
    if not cellvars and not freevars:
        flags |= CO_NOFREE
    nargs = argcount + kwonlyargcount + (1 if flags & 0x04 else 0) + (1 if flags & 0x08 else 0)
    arguments = varnames[:nargs]
    cell2arg = tuple(arguments.index(cell) if cell in arguments else -1 for cell in cellvars)
    if all(index < 0 for index in cell2arg):
        cell2arg = ()
    return Code(name=name, qualname=qualname, filename=filename, firstlineno=firstlineno,
                argcount=argcount, posonlyargcount=posonlyargcount, kwonlyargcount=kwonlyargcount,
                flags=flags, code=code, consts=consts, names=names, varnames=varnames,
                cellvars=cellvars, freevars=freevars, stacksize=stacksize, blockdepth=blockdepth,
                positions=positions, cell2arg=cell2arg)


def _renumber_labels(instrs: list[Instr], depths: list[int]) -> None:
    """Point every jump's label at the kept instruction it refers to once dead code is gone."""
    new_index = [0] * (len(instrs) + 1)
    kept = 0
    for index, depth in enumerate(depths):
        new_index[index] = kept
        if depth >= 0:
            kept += 1
    new_index[len(instrs)] = kept
    seen: set[int] = set()
    for op, arg, target, _ in instrs:
        if target is not None and id(target) not in seen:
            seen.add(id(target))
            target.index = new_index[target.index]


def _resolve_and_emit(instrs: list[Instr]) -> tuple[bytes, tuple[Position, ...]]:
    count = len(instrs)
    is_jrel = _IS_JREL
    args = [instr[1] for instr in instrs]
    jumps = [index for index, instr in enumerate(instrs) if instr[2] is not None]
    # Sizes in code units (2 bytes): what each argument needs; jumps start at one unit.
    units = [1 if arg <= 0xFF else 1 + _ext_count(arg) for arg in args]
    for index in jumps:
        units[index] = 1
    offsets = [0] * (count + 1)
    while True:
        total = 0
        for index, size in enumerate(units):
            offsets[index] = total
            total += size
        offsets[count] = total
        grew = False
        for index in jumps:
            op, _, target, _ = instrs[index]
            destination = offsets[target.index] * 2
            if is_jrel[op]:
                arg = destination - (offsets[index] + units[index]) * 2
                if arg < 0:
                    raise AssemblyError(f"backward relative jump at instruction {index}")
            else:
                arg = destination
            args[index] = arg
            if arg > 0xFF and 1 + _ext_count(arg) > units[index]:
                units[index] = 1 + _ext_count(arg)
                grew = True
        if not grew:
            break
    ops = [instr[0] for instr in instrs]
    positions = [instr[3] for instr in instrs]
    if total != count:
        # Put each EXTENDED_ARG prefix in front of its instruction. A jump whose argument shrank
        # keeps its prefixes (EXTENDED_ARG 0): sizes never shrink.
        wide_ops: list[int] = []
        wide_args: list[int] = []
        wide_positions: list[Position] = []
        for op, arg, size, position in zip(ops, args, units, positions):
            for shift in range((size - 1) * 8, 0, -8):
                wide_ops.append(_EXTENDED_ARG)
                wide_args.append((arg >> shift) & 0xFF)
                wide_positions.append(position)
            wide_ops.append(op)
            wide_args.append(arg & 0xFF)
            wide_positions.append(position)
        ops, args, positions = wide_ops, wide_args, wide_positions
    code = bytearray(2 * len(ops))
    code[0::2] = bytes(ops)
    code[1::2] = bytes(args)
    return bytes(code), tuple(positions)
