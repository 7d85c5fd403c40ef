"""The disassembler: code objects as instruction records, and the one formatter every view shares.

``bytelens dis``, the language server's hovers and side-by-side view, and the VM's trace renderer all
turn instructions into text through this module, so an instruction reads the same everywhere. As in
CPython's ``dis``, renderers consume ``Instruction`` records, never raw bytes; as in clox's
``debug.c``, the argument's meaning is rendered by its *kind* (read from the instruction table in
``opcodes``), not by a list of opcodes.

Output is stable across runs: no memory addresses, and sets of constants are listed in sorted order.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, fields, replace
from typing import Any, Optional

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import NO_POSITION, Code, Position
from bytelens.vm.isa.opcodes import Arg
from bytelens.vm.isa.long_ints import int_repr
from bytelens.vm.isa.wordcode import jump_target, units

#: Width of the opname column (dis's); longer names push the argument along instead of being cut.
OPNAME_WIDTH = 20
#: Width of the numeric argument column.
ARG_WIDTH = 5
#: Column at which ``format_instruction`` starts the source range.
DEFAULT_WIDTH = 60
#: Longest rendering of a constant in ``argrepr`` (a docstring must not make a hover unreadable).
MAX_CONST_REPR = 60

@dataclass(frozen=True)
class Instruction:
    """One instruction of a code object, decoded and explained."""

    opname: str
    opcode: int
    #: The numeric argument, EXTENDED_ARG prefixes folded in; None when the instruction takes none.
    arg: Optional[int]
    #: What the argument stands for: the constant, the name, the jump's target offset ...
    argval: Any
    #: ``argval`` as text: ``x``, ``'text'``, ``to 24``, ``<``, ``defaults, closure`` ...
    argrepr: str
    offset: int
    #: The line when this instruction is the first of a new source line, else None.
    starts_line: Optional[int]
    line: Optional[int]
    #: (line, column, end line, end column): 1-based lines, 0-based UTF-8 byte columns.
    positions: Position
    is_jump_target: bool
    #: The offset this instruction may jump to (for SETUP_*: the block's handler), else None.
    jump_target: Optional[int]
    #: For SETUP_*: the block it pushes and its handler, e.g. ``loop -> 24``; else None.
    block: Optional[str]


def _record(opname: str, opcode: int, arg: Optional[int], argval: Any, argrepr: str, offset: int,
            starts_line: Optional[int], line: Optional[int], positions: Position, is_jump_target: bool,
            jump_target: Optional[int], block: Optional[str]) -> Instruction:
    """``Instruction(...)`` without the frozen dataclass's one ``object.__setattr__`` a field: the
    same record (equality, hash, repr and immutability come from the class), built 4x faster,
    which is most of the cost of decoding a large file.
    """
    record = object.__new__(Instruction)
    record.__dict__.update(opname=opname, opcode=opcode, arg=arg, argval=argval, argrepr=argrepr,
                           offset=offset, starts_line=starts_line, line=line, positions=positions,
                           is_jump_target=is_jump_target, jump_target=jump_target, block=block)
    return record


if [f.name for f in fields(Instruction)] != list(inspect.signature(_record).parameters):
    raise RuntimeError("_record must take exactly Instruction's fields, in order")  # pragma: no cover


def get_instructions(code: Code) -> list[Instruction]:
    """Every instruction of ``code`` (not of nested code objects), in order."""
    decoded = []
    targets = set()
    for offset, op, arg in units(code.code):
        info = opcodes.BY_CODE.get(op)
        target = jump_target(info, offset, arg) if info is not None else None
        if target is not None:
            targets.add(target)
        decoded.append((offset, op, arg, info, target))
    positions = code.positions
    explained: dict[tuple[int, int], tuple[Any, str]] = {}  # (opcode, arg) -> meaning, for non-jumps
    instructions = []
    previous_line = None
    for offset, op, arg, info, target in decoded:
        index = offset // 2
        position = positions[index] if index < len(positions) else NO_POSITION
        line = position[0]
        starts_line = line if line is not None and line != previous_line else None
        if line is not None:
            previous_line = line
        if info is None:
            instructions.append(_record(f"<{op}>", op, arg, arg, "", offset, starts_line, line, position,
                                        offset in targets, None, None))
            continue
        if target is not None:
            argval, argrepr = target, f"to {target}"
        else:
            meaning = explained.get((op, arg))
            if meaning is None:
                meaning = explained[op, arg] = _explain(code, info, arg)
            argval, argrepr = meaning
        block = f"{info.pushes_block.value} -> {target}" if info.pushes_block is not None else None
        instructions.append(_record(info.name, op, arg if info.has_arg else None, argval, argrepr,
                                    offset, starts_line, line, position, offset in targets, target, block))
    return instructions


def _explain(code: Code, info: opcodes.OpInfo, arg: int) -> tuple[Any, str]:
    """``(argval, argrepr)`` for one instruction that does not jump, by the kind of its argument."""
    kind = info.arg
    if kind is Arg.NONE:
        return None, ""
    if kind is Arg.CONST:
        if arg < len(code.consts):
            value = code.consts[arg]
            return value, const_repr(value)
        return None, f"<no constant {arg}>"
    if kind is Arg.NAME:
        return _lookup(code.names, arg, "name")
    if kind is Arg.LOCAL:
        return _lookup(code.varnames, arg, "local")
    if kind is Arg.FREE:
        return _lookup(code.cellvars + code.freevars, arg, "cell")
    if kind is Arg.COMPARE:
        if arg < len(opcodes.COMPARE_OPS):
            return opcodes.COMPARE_OPS[arg], opcodes.COMPARE_OPS[arg]
        return arg, f"<no comparison {arg}>"
    if kind is Arg.FUNCTION_FLAGS:
        return arg, ", ".join(name for bit, name in opcodes.FUNCTION_FLAG_NAMES if arg & bit)
    if kind is Arg.FORMAT_FLAGS:
        conversion = opcodes.FORMAT_CONVERSIONS[arg & 0x03]
        has_spec = bool(arg & opcodes.FORMAT_HAS_SPEC)
        parts = [conversion] if conversion else []
        if has_spec:
            parts.append("with format")
        return (conversion or None, has_spec), ", ".join(parts)
    if kind is Arg.CALL_EX_FLAGS:
        return arg, "with keywords" if arg & 1 else ""
    return arg, ""


def _lookup(table: tuple[str, ...], index: int, what: str) -> tuple[Any, str]:
    if index < len(table):
        return table[index], table[index]
    return None, f"<no {what} {index}>"


def const_repr(value: Any, limit: int = MAX_CONST_REPR) -> str:
    """A constant as the disassembly shows it: stable across runs and at most ``limit`` characters
    (a long int, even inside a tuple or frozenset, in ``int_repr``'s shortened form)."""
    text = _stable_repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def code_label(code: Code) -> str:
    """``<code object f at line 3>``: how a code object is named in listings (no memory address)."""
    return f"<code object {code.name} at line {code.firstlineno}>"


def _stable_repr(value: Any) -> str:
    if isinstance(value, Code):
        return code_label(value)
    if isinstance(value, tuple):
        items = [_stable_repr(item) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, frozenset):
        if not value:
            return "frozenset()"
        return "frozenset({" + ", ".join(sorted(_stable_repr(item) for item in value)) + "})"
    if type(value) is int:
        return int_repr(value)
    return repr(value)


# --- formatting ------------------------------------------------------------------------------------


def format_position(position: Position) -> str:
    """``3:4-12`` (one line) or ``3:4-5:2``; 0-based byte columns as in the AST; "" when unknown."""
    line, column, end_line, end_column = position
    if line is None:
        return ""
    if column is None:
        return f"{line}"
    if end_line is None or end_column is None:
        return f"{line}:{column}"
    if end_line == line:
        return f"{line}:{column}-{end_column}"
    return f"{line}:{column}-{end_line}:{end_column}"


def format_instruction(instr: Instruction, *, mark_jump_targets: bool = True, width: int = DEFAULT_WIDTH,
                       show_line: bool = True, show_position: bool = True, line_width: int = 4,
                       offset_width: int = 4) -> str:
    """One instruction as one line of text, ``dis``-like columns::

        line  >>  offset OPNAME               arg (meaning)                    source range

    The line column shows the line where a new one starts and ``|`` where the line repeats (as clox
    does); ``>>`` marks jump targets; SETUP_* show the block they push (``loop -> 24``) as their
    meaning. The source range starts at column ``width`` (or two spaces after a longer text).
    """
    return _format_row(instr, _line_text(instr) if show_line else None, mark_jump_targets=mark_jump_targets,
                       width=width, show_position=show_position, line_width=line_width,
                       offset_width=offset_width)


def _line_text(instr: Instruction) -> str:
    """The line column: the line where one starts, ``|`` where it goes on, blank without a line."""
    if instr.starts_line is not None:
        return str(instr.starts_line)
    return "|" if instr.line is not None else ""


def _format_row(instr: Instruction, line_text: Optional[str], *, mark_jump_targets: bool, width: int,
                show_position: bool, line_width: int, offset_width: int) -> str:
    columns = []
    if line_text is not None:
        columns.append(line_text.rjust(line_width))
    columns.append(">>" if mark_jump_targets and instr.is_jump_target else "  ")
    columns.append(str(instr.offset).rjust(offset_width))
    if instr.arg is None:
        columns.append(instr.opname.ljust(OPNAME_WIDTH))
    else:
        # A name longer than its column borrows from the argument's, so the meanings stay aligned.
        arg = str(instr.arg)
        gap = max(1, OPNAME_WIDTH + 1 + ARG_WIDTH - len(instr.opname) - len(arg))
        columns.append(instr.opname + " " * gap + arg)
        meaning = instr.block or instr.argrepr
        if meaning:
            columns.append(f"({meaning})")
    text = " ".join(columns).rstrip()
    if show_position:
        position = format_position(instr.positions)
        if position:
            text = text.ljust(width - 2) + "  " + position
    return text


@dataclass(frozen=True)
class _Row:
    """One line of a listing, and the instruction it shows (None for headers and blank lines)."""

    text: str
    instruction: Optional[Instruction] = None


def _relative(code: Code, instructions: list[Instruction]) -> list[Instruction]:
    """Lines counted from the code object's first line (which becomes line 1), for golden files."""
    delta = code.firstlineno - 1

    def shift(line: Optional[int]) -> Optional[int]:
        return None if line is None else line - delta

    return [replace(instr, line=shift(instr.line), starts_line=shift(instr.starts_line),
                    positions=(shift(instr.positions[0]), instr.positions[1], shift(instr.positions[2]),
                               instr.positions[3]))
            for instr in instructions]


def _render(code: Code, *, line: Optional[int], recursive: bool, relative_lines: bool,
            explain: bool = False) -> list[_Row]:
    """The rows of a listing; ``format_disassembly`` and ``disassembly_map`` both read them. With
    ``explain``, each run of one source line's instructions is followed by its legend."""
    codes = list(code.walk()) if recursive else [code]
    sections: list[tuple[Code, list[Instruction]]] = []
    for unit in codes:
        instructions = get_instructions(unit)
        if line is not None:
            instructions = [instr for instr in instructions if instr.line == line]
            if not instructions:
                continue
        if relative_lines:
            instructions = _relative(unit, instructions)
        sections.append((unit, instructions))
    all_instructions = [instr for _, section in sections for instr in section]
    offset_width = max([4] + [len(str(instr.offset)) for instr in all_instructions])
    line_width = max([4] + [len(str(instr.line)) for instr in all_instructions])
    width = DEFAULT_WIDTH + (offset_width - 4) + (line_width - 4)
    rows: list[_Row] = []
    for unit, instructions in sections:
        if rows:
            rows.append(_Row(""))
        where = f", line {line}" if line is not None else ""
        relative = " (lines relative to it)" if relative_lines and unit.firstlineno != 1 else ""
        rows.append(_Row(f"Disassembly of {code_label(unit)}{where}{relative}:"))
        previous_offset = None
        for position, instr in enumerate(instructions):
            contiguous = previous_offset is not None and instr.offset == previous_offset + 2
            if line is not None:
                line_text = "|" if contiguous else str(instr.line)
            else:
                line_text = _line_text(instr)
            rows.append(_Row(_format_row(instr, line_text, mark_jump_targets=True, width=width,
                                         show_position=True, line_width=line_width,
                                         offset_width=offset_width), instr))
            previous_offset = instr.offset
            if explain and (position + 1 == len(instructions) or instructions[position + 1].line != instr.line):
                run = instructions[_run_start(instructions, position):position + 1]
                rows.extend(_Row(" " * (line_width + 4) + text) for text in format_legend(run))
    return rows


def _run_start(instructions: list[Instruction], end: int) -> int:
    """The index of the first instruction of the run of one source line that ends at ``end``."""
    start = end
    while start > 0 and instructions[start - 1].line == instructions[end].line:
        start -= 1
    return start


# --- the legend: what each opcode does, from the table ------------------------------------------------


def legend(instructions: list[Instruction]) -> list[opcodes.OpInfo]:
    """The table entries of the distinct opcodes of ``instructions``, in the order they first appear
    (what a legend under a listing explains: each opname once)."""
    seen: dict[str, opcodes.OpInfo] = {}
    for instr in instructions:
        info = opcodes.BY_NAME.get(instr.opname)
        if info is not None and info.name not in seen:
            seen[info.name] = info
    return list(seen.values())


def legend_pictures(info: opcodes.OpInfo) -> str:
    """``… a b → … a+b``, with the jump edge's and the block stack's pictures where they differ:
    ``… iterator → … iterator next; when it jumps … iterator → …``."""
    text = info.picture
    if info.jump_picture is not None:
        text += f"; when it jumps {info.jump_picture}"
    if info.block_picture is not None:
        text += f"; blocks {info.block_picture}"
    return text


def format_legend(instructions: list[Instruction]) -> list[str]:
    """The legend of ``instructions`` as text lines: per distinct opcode its name and pictures,
    then its explanation indented under them."""
    entries = legend(instructions)
    width = max((len(info.name) for info in entries), default=0)
    lines = []
    for info in entries:
        lines.append(f"{info.name.ljust(width)}  {legend_pictures(info)}")
        lines.append(f"    {info.explanation}")
    return lines


def format_disassembly(code: Code, *, line: Optional[int] = None, recursive: bool = True,
                       relative_lines: bool = False, explain: bool = False) -> str:
    """The listing of ``code`` and (when ``recursive``) every code object nested in it, each headed
    ``Disassembly of <code object f at line 3>:``; with ``line``, only that source line's
    instructions, grouped by code object. ``relative_lines`` counts each code object's lines from 1
    at its first line, so that golden files do not churn when a program above them grows.
    ``explain`` adds a legend under each source line's instructions (``format_legend``).
    """
    rows = _render(code, line=line, recursive=recursive, relative_lines=relative_lines, explain=explain)
    if not rows:
        return f"No instructions on line {line}.\n"
    return "".join(row.text + "\n" for row in rows)


def disassembly_map(code: Code) -> tuple[str, dict[int, list[int]]]:
    """The whole-file listing, and for each source line (1-based) the 0-based indexes of the listing's
    text lines that hold its instructions (what the server's ``bytelens.disassemble`` returns).
    """
    text, mapping, _ = explained_disassembly_map(code)
    return text, mapping


def explained_disassembly_map(code: Code) -> tuple[str, dict[int, list[int]], list[opcodes.OpInfo]]:
    """``disassembly_map``, and the legend of the whole listing: the table entries of its distinct
    opcodes in the order they first appear (read from the same rows, not decoded again)."""
    rows = _render(code, line=None, recursive=True, relative_lines=False)
    mapping: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        if row.instruction is not None and row.instruction.line is not None:
            mapping.setdefault(row.instruction.line, []).append(index)
    explained = legend([row.instruction for row in rows if row.instruction is not None])
    return "".join(row.text + "\n" for row in rows), mapping, explained


# --- selections for the language server -------------------------------------------------------------


def instructions_for_line(code: Code, line: int) -> list[tuple[Code, list[Instruction]]]:
    """The instructions of source line ``line`` in ``code`` and its nested code objects, grouped by
    code object (outermost first); code objects with none on that line are left out.
    """
    selection = []
    for unit in code.walk():
        chosen = [instr for instr in get_instructions(unit) if instr.line == line]
        if chosen:
            selection.append((unit, chosen))
    return selection


def instructions_in_range(code: Code, start: tuple[int, int],
                          end: tuple[int, int]) -> list[tuple[Code, list[Instruction]]]:
    """The instructions whose whole source range lies inside ``start``-``end`` (each a ``(line,
    column)`` pair: 1-based line, 0-based UTF-8 byte column, ``end`` exclusive), grouped by code
    object: the code of one hovered expression. Instructions without a column are left out.
    """
    selection = []
    for unit in code.walk():
        chosen = []
        for instr in get_instructions(unit):
            line, column, end_line, end_column = instr.positions
            if None in (line, column, end_line, end_column):
                continue
            if start <= (line, column) and (end_line, end_column) <= end:
                chosen.append(instr)
        if chosen:
            selection.append((unit, chosen))
    return selection


def _flags_text(code: Code) -> str:
    names = ", ".join(code.flag_names)
    return f"{code.flags:#06x} ({names})" if names else f"{code.flags:#06x}"


def code_summary(code: Code) -> str:
    """What a code object holds, like ``dis.code_info``: counts, variables, constants, flags, depths."""
    lines = [
        f"Name:              {code.name}",
        f"Qualified name:    {code.qualname}",
        f"Filename:          {code.filename}",
        f"First line:        {code.firstlineno}",
        f"Argument count:    {code.argcount}",
        f"Positional-only arguments: {code.posonlyargcount}",
        f"Kw-only arguments: {code.kwonlyargcount}",
        f"Number of locals:  {code.nlocals}",
        f"Stack size:        {code.stacksize}",
        f"Block depth:       {code.blockdepth}",
        f"Flags:             {_flags_text(code)}",
        f"Instructions:      {len(code.code) // 2}",
    ]
    for title, items in (("Constants", [const_repr(c) for c in code.consts]), ("Names", code.names),
                         ("Variable names", code.varnames), ("Cell variables", code.cellvars),
                         ("Free variables", code.freevars)):
        if items:
            lines.append(f"{title}:")
            lines.extend(f"{index:4}: {item}" for index, item in enumerate(items))
    return "\n".join(lines) + "\n"
