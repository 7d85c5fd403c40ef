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

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import CO_NOFREE, Code, Position
from bytelens.vm.isa.opcodes import Flow

_EXTENDED_ARG = opcodes.EXTENDED_ARG
_CONTINUE_LOOP = opcodes.CONTINUE_LOOP
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
_RETURN_VALUE = opcodes.RETURN_VALUE
_NOP = opcodes.NOP
_PUSHES_BLOCK = [False] * 256
for _info in opcodes.OPS:
    _PUSHES_BLOCK[_info.code] = _info.pushes_block is not None
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
        _renumber_labels(instrs, [depth >= 0 for depth in depths])
    place_exits(kept)
    kept = drop_redundant_nops(kept)
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


def _renumber_labels(instrs: list[Instr], keep: list[bool]) -> None:
    """Point every jump's label at the kept instruction it refers to once the others are gone (a
    dropped instruction's label moves to the next kept one)."""
    new_index = [0] * (len(instrs) + 1)
    kept = 0
    for index, keeping in enumerate(keep):
        new_index[index] = kept
        if keeping:
            kept += 1
    new_index[len(instrs)] = kept
    seen: set[int] = set()
    for op, arg, target, _ in instrs:
        if target is not None and id(target) not in seen:
            seen.add(id(target))
            target.index = new_index[target.index]


def place_exits(instrs: list[Instr]) -> None:
    """Give every instruction without a position one, as CPython 3.11 does
    (propagate_line_numbers, duplicate_exits_without_lineno).

    The code generator leaves out the position of instructions no source line asks for: the jump
    over an ``else``, a loop's jump back, and the implicit ``return None`` at the end of a body.
    A jump takes the position of the instruction before it (the last line of the body it ends).
    An exit (``return None``) takes the position of the instruction that falls into it, and every
    other jump to it gets a copy of the exit, appended at the end, with the jump's own position:
    a function ending in ``if c: a() else: b()`` returns on the line of ``a()`` or of ``b()``. So a
    trace or a debugger never sees a line event for a line the program did not run. Block handler
    edges (SETUP_LOOP's ``break`` target) keep pointing at the original exit.
    """
    count = len(instrs)
    jump_sources: dict[int, list[int]] = {}
    for source, instr in enumerate(instrs):
        if instr[2] is not None and not _PUSHES_BLOCK[instr[0]]:
            jump_sources.setdefault(instr[2].index, []).append(source)
    exits: list[tuple[int, int]] = []
    index = 0
    while index < count:
        if instrs[index][3][0] is not None:
            index += 1
            continue
        end = index
        while end < count and instrs[end][3][0] is None and instrs[end][2] is None:
            end += 1
        if end > index and instrs[end - 1][0] == _RETURN_VALUE:
            exits.append((index, end))
            index = end
            continue
        # A positionless instruction that is not an exit: the position of what leads to it (the
        # instruction falling into it, else the first jump to it), else of the one before it.
        falls = index > 0 and not _STOPS[instrs[index - 1][0]]
        sources = [] if falls else [instrs[source][3] for source in jump_sources.get(index, ())
                                    if instrs[source][3][0] is not None]
        if sources:
            instrs[index] = instrs[index][:3] + (sources[0],)
        elif index > 0:
            instrs[index] = instrs[index][:3] + (instrs[index - 1][3],)
        else:
            following = next((instr[3] for instr in instrs if instr[3][0] is not None), None)
            if following is not None:
                instrs[index] = instrs[index][:3] + (following,)
        index += 1
    for start, end in exits:
        exit_block = instrs[start:end]
        jumps = list(jump_sources.get(start, ()))
        if start > 0 and not _STOPS[instrs[start - 1][0]]:
            position = instrs[start - 1][3]
        elif jumps:
            position = instrs[jumps.pop(0)][3]
        elif start > 0:
            position = instrs[start - 1][3]
        else:
            continue
        for index in range(start, end):
            instrs[index] = instrs[index][:3] + (position,)
        for index in jumps:
            op, arg, _, jump_position = instrs[index]
            if jump_position[0] == position[0]:
                continue
            copy = Label()
            copy.index = len(instrs)
            instrs[index] = (op, arg, copy, jump_position)
            instrs.extend(instr[:3] + (jump_position,) for instr in exit_block)


def drop_redundant_nops(instrs: list[Instr]) -> list[Instr]:
    """Drop each NOP that no line needs (CPython's remove_redundant_nops): one whose line the
    instruction before it (falling into it, not jumped to) or the one after it already has.

    The code generator emits a NOP for ``pass`` and for a constant ``if``/``while`` test, so that
    their line still has an instruction (a line event, a hover) where CPython 3.11 keeps one."""
    if not any(instr[0] == _NOP for instr in instrs):
        return instrs
    targets = {instr[2].index for instr in instrs if instr[2] is not None}
    keep = [True] * len(instrs)
    for index, instr in enumerate(instrs):
        if instr[0] == _NOP:
            line = instr[3][0]
            before = instrs[index - 1] if index > 0 else None
            after = instrs[index + 1] if index + 1 < len(instrs) else None
            keep[index] = not (line is None or (after is not None and after[3][0] == line) or (
                before is not None and index not in targets and not _STOPS[before[0]]
                and before[3][0] == line))
    if all(keep):
        return instrs
    _renumber_labels(instrs, keep)
    return [instr for instr, keeping in zip(instrs, keep) if keeping]


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
