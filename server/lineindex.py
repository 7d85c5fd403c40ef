"""Instructions grouped by source line, so that a hover is a lookup.

``disassembler.instructions_for_line`` decodes every code object of the module on each call, far
more than a hover may cost in a 6,000-line file. This index is built in two stages: which code
objects have instructions on which line (read from the position tables alone: a few milliseconds
for a large file), then each code object's instructions, decoded once, on first use or ahead of
time by ``warm()`` in a worker thread. Decoding races are harmless: two threads decoding the same
code object produce equal results and either may be kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from bytelens.vm.isa.code import Code
from bytelens.vm.isa.disassembler import Instruction, get_instructions

#: Names of code objects that are not what a user calls a function (hovers skip their summaries).
COMPREHENSION_NAMES = frozenset({"<listcomp>", "<setcomp>", "<dictcomp>", "<genexpr>"})

Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class Section:
    """The instructions one code object has on one line."""

    code: Code
    instructions: tuple[Instruction, ...]


class LineIndex:
    """A module's code objects' instructions by line (outermost code object first)."""

    def __init__(self, module: Code) -> None:
        units_by_line: dict[int, list[Code]] = {}
        self._units: list[Code] = list(module.walk())
        for unit in self._units:
            seen: set[int] = set()
            for position in unit.positions:
                line = position[0]
                if line is not None and line not in seen:
                    seen.add(line)
                    units_by_line.setdefault(line, []).append(unit)
        self._units_by_line = units_by_line
        self._decoded: dict[int, dict[int, tuple[Instruction, ...]]] = {}

    def _lines_of(self, unit: Code) -> dict[int, tuple[Instruction, ...]]:
        decoded = self._decoded.get(id(unit))
        if decoded is None:
            grouped: dict[int, list[Instruction]] = {}
            for instruction in get_instructions(unit):
                if instruction.line is not None:
                    grouped.setdefault(instruction.line, []).append(instruction)
            decoded = {line: tuple(found) for line, found in grouped.items()}
            self._decoded[id(unit)] = decoded
        return decoded

    def warm(self) -> None:
        """Decode every code object now (in a worker thread), so no hover has to."""
        for unit in self._units:
            self._lines_of(unit)

    def sections(self, line: int) -> list[Section]:
        """The instructions of source ``line`` (1-based), one section per code object."""
        return [Section(unit, self._lines_of(unit)[line]) for unit in self._units_by_line.get(line, ())
                if line in self._lines_of(unit)]

    def defined_on(self, line: int) -> list[Code]:
        """Functions, classes and lambdas whose code object an instruction on ``line`` loads (a
        ``def`` or ``class`` statement's line, a lambda's), without comprehensions."""
        found: list[Code] = []
        for section in self.sections(line):
            for instruction in section.instructions:
                code = instruction.argval
                if (isinstance(code, Code) and code.name not in COMPREHENSION_NAMES
                        and all(code is not other for other in found)):
                    found.append(code)
        return found

    def expression_at(self, line: int, column: int) -> Optional[tuple[Span, list[Section]]]:
        """The innermost span of an instruction on ``line`` that contains the AST position
        (``line``, byte ``column``), and the instructions lying inside that span; None when no
        instruction's span contains it."""
        here = (line, column)
        sections = self.sections(line)
        best: Optional[Span] = None
        for section in sections:
            for instruction in section.instructions:
                span = instruction.positions
                if None in span:
                    continue
                if (span[0], span[1]) <= here < (span[2], span[3]) and (best is None or _inside(span, best)):
                    best = span  # type: ignore[assignment]
        if best is None:
            return None
        chosen = []
        for section in sections:
            inside = tuple(i for i in section.instructions if None not in i.positions and _inside(i.positions, best))
            if inside:
                chosen.append(Section(section.code, inside))
        return best, chosen


def _inside(span: tuple, other: tuple) -> bool:
    """Whether ``span`` lies within ``other``."""
    return (other[0], other[1]) <= (span[0], span[1]) and (span[2], span[3]) <= (other[2], other[3])
