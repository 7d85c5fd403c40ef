"""Diagnostics of an edit inside one top-level function or class, before the whole file compiles.

Typing in a large file changes one function at a time. The compile errors and warnings of a
top-level ``def`` or ``class`` depend on its own text only (its scopes end inside it; the module
adds nothing but ``from __future__ import annotations``), and so do those of a method of a
top-level class (a class scope is invisible to its methods), so when the previous compilation had
no error and the edit stays inside one such statement, the file's new diagnostics are the previous
ones outside that statement (those after it moved by the lines the edit added or removed) plus the
statement's own, found by compiling the statement alone at its place (a method inside a ``class
_:`` on the line before). That takes milliseconds where the whole of ``_pydecimal.py`` takes about
60. (Not a function nested in a function: its diagnostics depend on the enclosing one.)

It is a preview: the scheduler publishes it, then compiles the text (incrementally when it can:
vm/compiler/incremental.py, which recompiles a whole top-level class where this checks one
method) and publishes that result if it differs (documents.py ``published``). Whatever it cannot
vouch for, it leaves to that compile (returns None): an edit outside a top-level ``def``/``class``
or reaching past the old statement it began in, a statement that
does not parse alone into exactly that one statement, a previous compilation with an error or
without code, or a statement with an error of its own (only the whole compile knows which error
CPython reports first).
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from typing import Optional, Sequence

from bytelens.vm.isa.code import CO_FUTURE_ANNOTATIONS, CO_NEWLOCALS, Code
from bytelens.vm.check import check_source
from bytelens.vm.compiler.diagnostics import Diagnostic
from bytelens.vm.compiler.incremental import changed_lines, combined
from bytelens.vm.compiler.outline import Outline

#: A line that starts a function or class (or a decorator of one), after its indentation.
_DEFINITION = re.compile(r"(?:async[ \t]+def|def|class)[ \t]|@")
_STATEMENT_KINDS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def preview_diagnostics(old_lines: Sequence[str], old_code: Optional[Code],
                        old_diagnostics: Sequence[Diagnostic], new_lines: Sequence[str],
                        filename: str, outline: Optional[Outline] = None
                        ) -> Optional[tuple[Diagnostic, ...]]:
    """The new text's diagnostics from the previous compilation's and the edited statement's, or
    None when the whole file must be compiled to know them (see the module docstring).

    ``outline`` is the previous text's (the compilation's): it says which statement the edited
    lines were part of; without it, nothing is previewed. An edit elsewhere (module-level code,
    comments, the docstring, a new statement) is vm/compiler/incremental.py's."""
    if old_code is None or outline is None or any(d.severity == "error" for d in old_diagnostics):
        return None
    first, new_end, old_end = changed_lines(old_lines, new_lines)
    if first is None:
        return tuple(old_diagnostics)
    future = bool(old_code.flags & CO_FUTURE_ANNOTATIONS)
    return _definition_preview(old_lines, old_code, old_diagnostics, new_lines, filename, outline,
                               future, first, new_end)


def _definition_preview(old_lines: Sequence[str], old_code: Code, old_diagnostics: Sequence[Diagnostic],
                        new_lines: Sequence[str], filename: str, outline: Outline, future: bool,
                        first: int, new_end: int):
    """The diagnostics of an edit inside one top-level def or class (or one method of a class),
    found by checking that statement alone; None when the edit is not inside one."""
    if first >= len(new_lines):  # lines removed at the end
        return None
    start = _statement_start(new_lines, first)
    statement = _code_at(old_code, start + 1) if start is not None else None
    if statement is None:
        return None
    end = _statement_end(new_lines, max(new_end, start + 1))
    delta = len(new_lines) - len(old_lines)
    # In a class, the method the edit is in is enough (classes of thousands of lines are common).
    # Not in a function: a nested function's diagnostics depend on it (nonlocal, free variables).
    found = None
    if not statement.flags & CO_NEWLOCALS:
        region = _method_region(new_lines, first, new_end, statement)
        if region is not None and _inside_one_statement(outline, region[0], region[1] - delta):
            found = _statement_diagnostics(new_lines, *region, future, filename, in_class=True)
            if found is not None:
                start, end = region
    if found is None:
        if not _inside_one_statement(outline, start, end - delta):
            return None
        found = _statement_diagnostics(new_lines, start, end, future, filename)
    if found is None:
        return None
    return combined(old_diagnostics, found, start, end - delta, delta)


def _inside_one_statement(outline: Outline, start: int, old_end: int) -> bool:
    """Whether old lines ``[start, old_end)`` lie inside one top-level statement of the old text
    (and the blank lines and comments after it).

    The region checked again must replace no more than the statement it is in: an edit that turns
    the line after a function into part of its body takes the ``if`` there its first line, and
    leaves its ``else:`` after the region, where it is an error."""
    starts = [statement.start for statement in outline.statements]
    holding = bisect.bisect_right(starts, start) - 1
    following = starts[holding + 1] if holding + 1 < len(starts) else None
    return holding >= 0 and (following is None or old_end <= following)


def _is_code_at_column_0(line: str) -> bool:
    return bool(line) and not line[0].isspace() and line[0] != "#"


def _statement_start(lines: Sequence[str], index: int) -> Optional[int]:
    """The first line (decorators included) of the top-level def/class holding line ``index``."""
    while index >= 0 and not _is_code_at_column_0(lines[index]):
        index -= 1
    if index < 0 or not _DEFINITION.match(lines[index]):
        return None
    while index > 0 and lines[index - 1].startswith("@"):
        index -= 1
    return index


def _statement_end(lines: Sequence[str], index: int, indent: int = 0) -> int:
    """The line after the statement: the next one that starts code indented ``indent`` columns or
    less (0: top-level code), or the end."""
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and len(line) - len(line.lstrip()) <= indent:
            break
        index += 1
    return index


def _code_at(code: Code, firstlineno: int) -> Optional[Code]:
    """The code object defined directly in ``code`` that starts on line ``firstlineno``."""
    for const in code.consts:
        if isinstance(const, Code) and const.firstlineno == firstlineno:
            return const
    return None


def _method_region(lines: Sequence[str], first: int, new_end: int, class_code: Code
                   ) -> Optional[tuple[int, int]]:
    """The lines (decorators included) of the method of a top-level class that holds the edit
    ``[first, new_end)``, found among the class's code objects; None when the edit is elsewhere in
    the class (or ``class_code`` is a function's)."""
    firsts = {const.firstlineno for const in class_code.consts if isinstance(const, Code)}
    start = first
    while start > 0 and start + 1 not in firsts:
        start -= 1
    if start + 1 not in firsts or not lines[start][:1].isspace():
        return None
    indent = lines[start][:len(lines[start]) - len(lines[start].lstrip())]
    header = start
    while header < len(lines) and lines[header].startswith(indent + "@"):
        header += 1
    if header >= len(lines) or not _DEFINITION.match(lines[header][len(indent):]):
        return None
    end = _statement_end(lines, header + 1, len(indent))
    return (start, end) if new_end <= end else None


def _statement_diagnostics(lines: Sequence[str], start: int, end: int, future: bool, filename: str,
                           in_class: bool = False) -> Optional[list[Diagnostic]]:
    """The diagnostics of ``lines[start:end]`` compiled alone at its place (a method inside a
    ``class _:`` on the line before), or None if it is not exactly one def/class there or has an
    error."""

    padding = start - (1 if future else 0) - (1 if in_class else 0)
    if padding < 0:
        return None
    prologue = ("from __future__ import annotations\n" if future else "") + "\n" * padding \
        + ("class _:\n" if in_class else "")
    source = prologue + "".join(lines[start:end])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    body = tree.body[1:] if future else tree.body
    if in_class:
        if len(body) != 1 or not isinstance(body[0], ast.ClassDef):
            return None
        body = body[0].body
    last = max((number for number in range(start, end) if lines[number].strip()), default=start)
    if len(body) != 1 or not isinstance(body[0], _STATEMENT_KINDS) or body[0].end_lineno != last + 1:
        return None
    if in_class and isinstance(body[0], ast.ClassDef):
        return None
    result = check_source(source, filename)
    if result.code is None:
        return None
    return list(result.diagnostics)

