"""Hover text: the bytecode of the hovered line, and of the hovered expression where positions allow.

Plain functions over a compilation's LineIndex; nothing here compiles or runs anything. Each code
object with instructions on the line gets a heading (``f`` at line 3) and a ``text`` block of its
instructions in the disassembler's own format; under them a legend says, once per opname of the
line, what the instruction does (its stack picture and explanation, from the opcode table); a
``def``, ``class`` or ``lambda`` line adds the summary of the code object it creates; the caller may
add CPython's listing of the same line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

from lsprotocol import types

from bytelens.server.comparison import CPYTHON, CPythonListing
from bytelens.server.compiling import PARTIAL_NOTE
from bytelens.server.documents import corresponding_line
from bytelens.server.lineindex import LineIndex, Section
from bytelens.server.positions import Encoding, ast_span_to_range, byte_to_index, line_content, lsp_to_ast
from bytelens.vm.isa.disassembler import code_summary, format_instruction, legend, legend_pictures

#: Longest hovered-expression text quoted in the hover.
QUOTE_LIMIT = 60
#: Most instructions listed per code object (a line holding a 10,000-element literal would make a
#: hover nobody can read); the whole-file disassembly has the rest.
ROW_LIMIT = 200

Span = tuple[int, int, int, int]


@dataclass(frozen=True)
class HoverText:
    markdown: str
    #: The hovered expression's span (AST convention), for the hover's range; None for a whole line.
    span: Optional[Span]


def hover_at(index: LineIndex, compiled: Sequence[str], current: Sequence[str], position: types.Position,
             encoding: Encoding, *, cpython: Optional[CPythonListing] = None,
             stale: bool = False, partial: bool = False) -> Optional[types.Hover]:
    """The LSP hover at ``position`` of the ``current`` text, from a compilation of the text
    ``compiled`` (an older one while the buffer does not compile: lines the edit moved are
    followed, lines it changed get no hover)."""
    row = corresponding_line(current, compiled, position.line)
    if row is None:
        return None
    line, column = lsp_to_ast(compiled, types.Position(row, position.character), encoding)
    text = describe(index, compiled, line, column, cpython=cpython, stale=stale, partial=partial)
    if text is None:
        return None
    span = ast_span_to_range(compiled, text.span, encoding) if text.span is not None else None
    if span is not None and row != position.line:
        moved = position.line - row
        span = types.Range(types.Position(span.start.line + moved, span.start.character),
                           types.Position(span.end.line + moved, span.end.character))
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text.markdown),
                       range=span)


def describe(index: LineIndex, lines: Sequence[str], line: int, column: Optional[int], *,
             cpython: Optional[CPythonListing] = None, stale: bool = False,
             partial: bool = False) -> Optional[HoverText]:
    """The hover for AST position (``line``, byte ``column``); None when the line has no bytecode.

    ``stale``: from the last compilation that compiled; ``partial``: from a module that does not
    compile, its top-level statements compiled alone (compiling.py)."""
    sections = index.sections(line)
    if not sections:
        return None
    parts: list[str] = []
    if stale:
        parts.append("_The buffer does not compile: this is the last compilation that did._")
    elif partial:
        parts.append(f"_{PARTIAL_NOTE}_")
    span = None
    expression = index.expression_at(line, column) if column is not None else None
    if expression is not None:
        found_span, chosen = expression
        line_count = sum(len(s.instructions) for s in sections)
        if sum(len(s.instructions) for s in chosen) < line_count:
            span = found_span
            parts.append(f"**Expression** `{_quote(lines, found_span)}`")
            parts.extend(_blocks(chosen, headings=len(chosen) > 1))
            parts.append(f"**Line {line}**")
    parts.extend(_blocks(sections, headings=True))
    explained = _legend(sections)
    if explained:
        parts.append(explained)
    for code in index.defined_on(line):
        parts.append(f"**Code object `{code.qualname}`**")
        parts.append(_fence(code_summary(code).rstrip("\n")))
    if cpython is not None:
        parts.append(_cpython_part(cpython, line))
    return HoverText("\n\n".join(parts), span)


def _blocks(sections: list[Section], *, headings: bool) -> list[str]:
    parts = []
    for section in sections:
        if headings:
            parts.append(_heading(section.code.qualname, section.code.firstlineno))
        shown = section.instructions[:ROW_LIMIT]
        rows = [format_instruction(i, show_line=False, show_position=False) for i in shown]
        if len(section.instructions) > ROW_LIMIT:
            rows.append(f"... {len(section.instructions) - ROW_LIMIT} more instructions "
                        "(the whole-file disassembly lists them)")
        parts.append(_fence("\n".join(rows)))
    return parts


def _legend(sections: list[Section]) -> str:
    """Each distinct opname of the line once: its stack pictures and its explanation."""
    entries = legend([instr for section in sections for instr in section.instructions[:ROW_LIMIT]])
    return "\n".join(f"- `{info.name}` `{legend_pictures(info)}`: {info.explanation}" for info in entries)


def _cpython_part(listing: CPythonListing, line: int) -> str:
    if listing.error is not None:
        return f"**{CPYTHON} `dis`**: {listing.error}"
    groups = listing.line(line)
    if not groups:
        return f"**{CPYTHON} `dis`**: no instructions on this line"
    parts = [f"**{CPYTHON} `dis`**"]
    for qualname, first_line, rows in groups:
        parts.append(_heading(qualname, first_line))
        parts.append(_fence("\n".join(rows)))
    return "\n\n".join(parts)


def _heading(qualname: str, first_line: int) -> str:
    """How a section names its code object, the same for bytelens's and CPython's: `f` at line 3."""
    return f"`{qualname}` at line {first_line}"


def _fence(text: str) -> str:
    """A fenced ``text`` block; the fence grows if the text itself holds backquote runs."""
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}text\n{text}\n{fence}"


def _quote(lines: Sequence[str], span: Span) -> str:
    """The source text of a span (first line only, shortened), safe inside an inline code span."""
    start_line, start_column, end_line, end_column = span
    content = line_content(lines, start_line - 1)
    start = byte_to_index(content, start_column)
    end = byte_to_index(content, end_column) if end_line == start_line else len(content)
    text = content[start:end]
    if end_line != start_line:
        text += " …"
    if len(text) > QUOTE_LIMIT:
        text = text[:QUOTE_LIMIT - 1] + "…"
    return text.replace("`", "'")
