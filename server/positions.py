"""THE one place where positions change units.

Three conventions meet in the server:
- the AST's (and so every code object's): 1-based lines, 0-based columns in UTF-8 **bytes**;
- compile diagnostics' (``bytelens check --format json``, docs/checks.md): 1-based lines, 1-based columns in **characters**
  (code points), the end column one past the last character;
- the protocol's: 0-based lines, 0-based columns in the negotiated encoding's code units
  (UTF-16 unless the client offered UTF-8 or UTF-32 in ``general.positionEncodings``).

A line is what both Python's tokenizer and LSP call a line: text up to ``\\n``, ``\\r\\n`` or
``\\r``. (``str.splitlines`` also breaks at form feeds and U+2028, which would shift every line
after one; the standard library has files with form feeds.) Every function here takes the line's
text without its terminator, or a list of lines with terminators as ``split_lines`` makes them.
Columns past the end of a line are clamped to it, lines past the end to the last one.
"""

from __future__ import annotations

import re
from typing import Literal, Optional, Sequence

from lsprotocol import types

Encoding = Literal["utf-8", "utf-16", "utf-32"]
ENCODINGS: tuple[Encoding, ...] = ("utf-8", "utf-16", "utf-32")
DEFAULT_ENCODING: Encoding = "utf-16"

_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_TERMINATOR = re.compile(r"(?:\r\n|\r|\n)\Z")


def split_lines(text: str) -> list[str]:
    """``text`` cut into lines that keep their terminators (``\\n``, ``\\r\\n`` or ``\\r`` only)."""
    if _OTHER_BREAKS.search(text) is None:
        return text.splitlines(True)
    return _LINE.findall(text)


def line_content(lines: Sequence[str], index: int) -> str:
    """Line ``index`` (0-based) without its terminator; ``""`` past the end."""
    if not 0 <= index < len(lines):
        return ""
    line = lines[index]
    if line.endswith("\n"):
        return line[:-2] if line.endswith("\r\n") else line[:-1]
    return line[:-1] if line.endswith("\r") else line


def line_count(lines: Sequence[str]) -> int:
    """Lines as an editor counts them: a final terminator starts one more (empty) line."""
    if lines and _TERMINATOR.search(lines[-1]):
        return len(lines) + 1
    return max(len(lines), 1)


def units(text: str, encoding: Encoding) -> int:
    """The length of ``text`` in ``encoding``'s code units."""
    if text.isascii() or encoding == "utf-32":
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def units_to_index(line: str, column: int, encoding: Encoding) -> int:
    """The code-point index in ``line`` of a column counted in code units (clamped to the line).

    A column inside a character (the middle of a surrogate pair or of a UTF-8 sequence) counts
    as the start of the next character.
    """
    if column <= 0:
        return 0
    if line.isascii() or encoding == "utf-32":
        return min(column, len(line))
    counted = 0
    for index, char in enumerate(line):
        if counted >= column:
            return index
        counted += _char_units(char, encoding)
    return len(line)


def index_to_units(line: str, index: int, encoding: Encoding) -> int:
    """The column in code units of code-point ``index`` of ``line``."""
    return units(line[:max(index, 0)], encoding)


def byte_to_index(line: str, byte_column: int) -> int:
    """The code-point index of an AST (UTF-8 byte) column."""
    if line.isascii():
        return min(max(byte_column, 0), len(line))
    return len(line.encode("utf-8", "surrogatepass")[:max(byte_column, 0)].decode("utf-8", "ignore"))


def index_to_byte(line: str, index: int) -> int:
    """The AST (UTF-8 byte) column of code-point ``index``."""
    if line.isascii():
        return min(max(index, 0), len(line))
    return len(line[:max(index, 0)].encode("utf-8", "surrogatepass"))


def _char_units(char: str, encoding: Encoding) -> int:
    code = ord(char)
    if encoding == "utf-16":
        return 2 if code > 0xFFFF else 1
    if code < 0x80:
        return 1
    return 2 if code < 0x800 else 3 if code < 0x10000 else 4


def _clamp_line(lines: Sequence[str], line: int) -> int:
    return min(max(line, 0), max(line_count(lines) - 1, 0))


def ast_to_lsp(lines: Sequence[str], line: int, byte_column: int, encoding: Encoding) -> types.Position:
    """An AST position (1-based line, UTF-8 byte column) as an LSP position."""
    row = _clamp_line(lines, line - 1)
    content = line_content(lines, row)
    return types.Position(row, index_to_units(content, byte_to_index(content, byte_column), encoding))


def lsp_to_ast(lines: Sequence[str], position: types.Position, encoding: Encoding) -> tuple[int, int]:
    """An LSP position as an AST position (1-based line, UTF-8 byte column)."""
    row = _clamp_line(lines, position.line)
    content = line_content(lines, row)
    return row + 1, index_to_byte(content, units_to_index(content, position.character, encoding))


def lsp_to_index(lines: Sequence[str], position: types.Position, encoding: Encoding) -> tuple[int, int]:
    """An LSP position as (0-based line, code-point index in that line), clamped to the text."""
    row = _clamp_line(lines, position.line)
    return row, units_to_index(line_content(lines, row), position.character, encoding)


def ast_span_to_range(lines: Sequence[str], span: tuple[Optional[int], ...],
                      encoding: Encoding) -> Optional[types.Range]:
    """An instruction's (line, column, end line, end column) as an LSP range; None if incomplete."""
    line, column, end_line, end_column = span
    if line is None or column is None:
        return None
    start = ast_to_lsp(lines, line, column, encoding)
    if end_line is None or end_column is None:
        return types.Range(start, start)
    return types.Range(start, ast_to_lsp(lines, end_line, end_column, encoding))


def char_span_to_range(lines: Sequence[str], line: int, column: int, end_line: int, end_column: int,
                       encoding: Encoding) -> types.Range:
    """A diagnostic's span (1-based lines, 1-based character columns) as an LSP range."""
    def convert(row1: int, column1: int) -> types.Position:
        row = _clamp_line(lines, row1 - 1)
        content = line_content(lines, row)
        return types.Position(row, index_to_units(content, min(column1 - 1, len(content)), encoding))

    start = convert(line, column)
    end = convert(end_line, end_column)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start, end)
