"""Instructions grouped by source line, built once per compilation so that a hover is a lookup.

``disassembler.instructions_for_line`` decodes every code object of the module on each call, which
for a 6,000-line file costs far more than a hover may take; this index decodes each code object
once, off the event loop, and answers per line (and per expression span) in microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bytelens.vm.code import Code
from bytelens.vm.disassembler import Instruction, get_instructions

#: Names of code objects that are not what a user calls a function (hovers skip their summaries).
COMPREHENSION_NAMES = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"})


@dataclass(frozen=True)
class Section:
    """The instructions one code object has on one line."""

    code: Code
    instructions: tuple[Instruction, ...]


class LineIndex:
    """Every instruction of a module's code objects, by line (outermost code object first)."""

    def __init__(self, module: Code) -> None:
        by_line: dict[int, list[Section]] = {}
        defined_on: dict[int, list[Code]] = {}
        for unit in module.walk():
            grouped: dict[int, list[Instruction]] = {}
            for instruction in get_instructions(unit):
                if instruction.line is not None:
                    grouped.setdefault(instruction.line, []).append(instruction)
                if isinstance(instruction.argval, Code) and instruction.line is not None:
                    defined_on.setdefault(instruction.line, []).append(instruction.argval)
            for line, instructions in grouped.items():
                by_line.setdefault(line, []).append(Section(unit, tuple(instructions)))
        self._by_line = by_line
        self._defined_on = defined_on

    def sections(self, line: int) -> list[Section]:
        """The instructions of source ``line`` (1-based), one section per code object."""
        return self._by_line.get(line, [])

    def defined_on(self, line: int) -> list[Code]:
        """Functions, classes and lambdas whose code object is loaded by an instruction on ``line``
        (a ``def`` or ``class`` statement's line, a lambda's), without comprehensions."""
        seen: list[Code] = []
        for code in self._defined_on.get(line, []):
            if code.name not in COMPREHENSION_NAMES and all(code is not other for other in seen):
                seen.append(code)
        return seen

    def expression_at(self, line: int, column: int) -> Optional[tuple[tuple[int, int, int, int], list[Section]]]:
        """The innermost span of an instruction on ``line`` that contains the AST position
        (``line``, byte ``column``), and the instructions lying inside that span; None when no
        instruction's span contains it."""
        here = (line, column)
        best: Optional[tuple[int, int, int, int]] = None
        for section in self.sections(line):
            for instruction in section.instructions:
                span = instruction.positions
                if None in span:
                    continue
                start, end = (span[0], span[1]), (span[2], span[3])
                if start <= here < end and (best is None or _inside(span, best)):
                    best = span  # type: ignore[assignment]
        if best is None:
            return None
        start, end = (best[0], best[1]), (best[2], best[3])
        chosen = []
        for section in self.sections(line):
            inside = tuple(i for i in section.instructions
                           if None not in i.positions
                           and start <= (i.positions[0], i.positions[1])
                           and (i.positions[2], i.positions[3]) <= end)
            if inside:
                chosen.append(Section(section.code, inside))
        return best, chosen


def _inside(span: tuple, other: tuple) -> bool:
    """Whether ``span`` lies within ``other`` (and so is at least as specific)."""
    return (other[0], other[1]) <= (span[0], span[1]) and (span[2], span[3]) <= (other[2], other[3])
