"""What the running CPython's own ``dis`` shows for a source line, to set beside bytelens's.

Only for this optional comparison is CPython's ``compile()`` used, and its code is never run.
A text's listing is built once (compile plus ``dis`` of every code object, tens of milliseconds
for a large file: done off the event loop) and then answers per line.
"""

from __future__ import annotations

import dis
import sys
import types as pytypes
import warnings
from typing import Any, Optional

from bytelens.vm.isa.long_ints import int_repr, is_long_int

#: How the comparison's heading names the interpreter.
CPYTHON = f"CPython {sys.version_info.major}.{sys.version_info.minor}"


class CPythonListing:
    """CPython's instructions of one text, grouped by line, each group headed by its code object."""

    def __init__(self, text: str, filename: str) -> None:
        self.error: Optional[str] = None
        self._by_line: dict[int, list[tuple[str, int, list[str]]]] = {}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                module = compile(text, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
            self.error = f"{CPYTHON} cannot compile this text: {error}"
            return
        pending = [_displayable(module)]
        while pending:
            code = pending.pop(0)
            grouped: dict[int, list[str]] = {}
            for instruction in dis.get_instructions(code):
                line = instruction.positions.lineno if instruction.positions else None
                if line is not None:
                    grouped.setdefault(line, []).append(format_cpython_instruction(instruction))
            for line, rows in grouped.items():
                self._by_line.setdefault(line, []).append((code.co_qualname, code.co_firstlineno, rows))
            pending.extend(const for const in code.co_consts if isinstance(const, pytypes.CodeType))

    def line(self, line: int) -> list[tuple[str, int, list[str]]]:
        """(qualified name, first line, instruction rows) of each code object with instructions on
        ``line``."""
        return self._by_line.get(line, [])


class _Shown:
    """A stand-in constant whose repr is the given text (identity-hashed, so frozensets take it)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _displayable(value: Any) -> Any:
    """``value`` with each long int in it (in tuples, frozensets and nested code objects) replaced by
    a stand-in showing ``int_repr``'s shortened form: ``dis`` calls ``repr()`` on constants, which
    raises ValueError past ``sys.get_int_max_str_digits()``, a limit this process must not change."""
    kind = type(value)
    if kind is int and is_long_int(value):
        return _Shown(int_repr(value))
    if kind is tuple:
        return tuple(map(_displayable, value))
    if kind is frozenset:
        return frozenset(map(_displayable, value))
    if kind is pytypes.CodeType:
        return value.replace(co_consts=_displayable(value.co_consts))
    return value


def format_cpython_instruction(instruction: dis.Instruction) -> str:
    """One of CPython's instructions in the same columns as bytelens's listing."""
    mark = ">>" if instruction.is_jump_target else "  "
    text = f"{mark} {instruction.offset:>4} {instruction.opname:<20}"
    if instruction.arg is not None:
        text += f" {instruction.arg:>5}"
        if instruction.argrepr:
            text += f" ({instruction.argrepr})"
    return text.rstrip()
