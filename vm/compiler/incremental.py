"""Compiling an edited module again from its previous compilation: only what the edit touched.

A keystroke changes a few lines. The top-level statements those lines belong to (the previous
compilation's outline, vm/compiler/outline.py) are parsed and compiled again, alone at their place;
every other statement keeps its code, and those after the edit move by the lines it added or
removed instead of being compiled again. The module body is then generated from its statements,
with the code of each top-level ``def`` and ``class`` taken as it is:

    old outline + changed lines --region--> old lines [start, end) to compile again
      new lines [start, end + delta): parsed and compiled alone at their place (blank lines before)
        (does not parse alone: widened by one statement on each side, once)
      diagnostics: the old ones before the region, the region's, the old ones after it moved
      module: statements before + the region's + those after, moved; symbol table and code
        generation over them, with the code of each def and class reused (moved: positions shifted)

The result equals a whole compile of the new text (tests/test_server_incremental.py checks the
diagnostics and every code object against one, over random edits of real files). That holds
because the region parses alone: the text before it is unchanged and ends where a statement ends,
the text after it starts a statement in column 0 (or is blank lines and comments), so the
tokenizer reads the whole as the three parts read alone; and because a top-level def or class
compiles the same wherever the module around it changes, but for two things that reach across a
module. Those are checked whole: an edit before the last ``from __future__`` import, or one that
adds one, and any ``global`` or ``nonlocal`` in module-level code, leave the module to a whole
compile (``recompile`` returns None). So does any error: only a whole compile knows which error
CPython reports first.
"""

from __future__ import annotations

import ast
import bisect
import copy
import dataclasses
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from bytelens.vm.compiler.codegen.generator import generate_code
from bytelens.vm.compiler.diagnostics import CompileError, Diagnostic
from bytelens.vm.compiler.outline import Outline, Statement, declares_global, first_line, is_future_import, \
    outline_of, statements_of
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.compiler.symtable import build_symtable
from bytelens.vm.isa.code import CO_FUTURE_ANNOTATIONS, Code

#: A future import that changes how the module parses: a region cannot be given it as a prologue.
_PARSER_FUTURES = frozenset({"barry_as_FLUFL"})
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
_FUTURE_PROLOGUE = "from __future__ import annotations\n"


@dataclass(frozen=True, eq=False)
class ModuleParts:
    """What a compilation keeps so that the next version of its text compiles incrementally.

    The module-level statements, each def and class among them with its body dropped (its code is
    in ``codes``; a body is never read again), grouped as the outline's statements."""

    outline: Outline
    #: For each statement of the outline, its nodes (more than one when they share a line).
    nodes: tuple[tuple[ast.stmt, ...], ...]
    #: The code of each top-level def and class node.
    codes: dict[ast.stmt, Code]
    #: ``from __future__ import annotations`` is in effect.
    future_annotations: bool


@dataclass(frozen=True, eq=False)
class Recompiled:
    code: Code
    diagnostics: tuple[Diagnostic, ...]
    parts: ModuleParts


def parts_of(tree: ast.Module, code: Code, lines: Sequence[str]) -> Optional[ModuleParts]:
    """The parts of a whole compile, from its tree, module code and lines (the tree's def and class
    bodies are dropped: call it once the code exists). None when a def's code cannot be told apart."""
    codes = _definitions(tree.body, code, lines)
    if codes is None:
        return None
    outline = outline_of(tree)
    return ModuleParts(outline, _grouped(tree.body, outline.statements), codes,
                       bool(code.flags & CO_FUTURE_ANNOTATIONS))


def changed_lines(old: Sequence[str], new: Sequence[str]) -> tuple[Optional[int], int, int]:
    """(first changed line, end of the change in new, end of it in old): 0-based, ends excluded;
    first is None when the texts are equal."""
    shortest = min(len(old), len(new))
    first = 0
    while first < shortest and old[first] == new[first]:
        first += 1
    if first == len(old) == len(new):
        return None, 0, 0
    suffix = 0
    while suffix < shortest - first and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return first, len(new) - suffix, len(old) - suffix


def recompile(parts: ModuleParts, old_lines: Sequence[str], old_diagnostics: Sequence[Diagnostic],
              new_lines: Sequence[str], filename: str,
              on_diagnostics: Optional[Callable[[tuple[Diagnostic, ...]], None]] = None
              ) -> Optional[Recompiled]:
    """The new text's compilation from the old one's parts and diagnostics, or None when only a
    whole compile can say (see the module docstring). ``on_diagnostics`` gets the diagnostics as
    soon as they are known, before the module's code is generated."""
    outline = parts.outline
    if outline.declares_global or outline.futures & _PARSER_FUTURES \
            or any(d.severity == "error" for d in old_diagnostics):
        return None
    first, _, old_end = changed_lines(old_lines, new_lines)
    if first is None:
        return None
    statements = outline.statements
    start, end = region(statements, old_lines, first, old_end)
    delta = len(new_lines) - len(old_lines)
    for _ in range(2):
        if start < outline.futures_end:
            return None
        compiled = _compile_region(new_lines, start, end + delta, parts.future_annotations, filename)
        if compiled is not _UNPARSED:
            break
        start, end = widened(statements, start, end)
    else:
        return None
    if compiled is None:
        return None
    body, region_code, found = compiled
    diagnostics = combined(old_diagnostics, found, start, end, delta)
    if on_diagnostics is not None:
        on_diagnostics(diagnostics)
    return _assembled(parts, body, region_code, new_lines, start, end, delta, diagnostics, filename)


def region(statements: Sequence[Statement], old_lines: Sequence[str], first: int, old_end: int
           ) -> tuple[int, int]:
    """The old lines ``[start, end)`` to compile again for a change of old lines ``[first,
    old_end)``: the statements holding them, or the lines between statements they are in."""
    starts = [statement.start for statement in statements]
    holding = bisect.bisect_right(starts, first) - 1
    if holding >= 0 and first < statements[holding].end:
        start = statements[holding].start
    else:
        start = first
        before = statements[holding] if holding >= 0 else None
        if before is not None and start == before.end and old_lines[start - 1].rstrip("\r\n").endswith("\\"):
            start = before.start  # a backslash joins the line after a statement to it
    if old_end <= first:  # lines inserted before old line ``first``
        inside = holding >= 0 and statements[holding].start < first < statements[holding].end
        return start, statements[holding].end if inside else first
    last = bisect.bisect_right(starts, old_end - 1) - 1
    end = statements[last].end if last >= 0 and old_end - 1 < statements[last].end else old_end
    return start, end


def widened(statements: Sequence[Statement], start: int, end: int) -> tuple[int, int]:
    """``[start, end)`` with the statement before it and the one after it."""
    before = [statement.start for statement in statements if statement.start < start]
    after = [statement.end for statement in statements if statement.start >= end]
    return (before[-1] if before else 0), (after[0] if after else end)


def combined(old_diagnostics: Sequence[Diagnostic], found: Sequence[Diagnostic], start: int,
             old_end: int, delta: int) -> tuple[Diagnostic, ...]:
    """The old diagnostics before line ``start`` and from ``old_end`` on (moved by ``delta``
    lines), with ``found`` in place of those between (0-based lines, ``old_end`` excluded)."""
    kept = [d for d in old_diagnostics if d.end_line <= start]
    moved = [dataclasses.replace(d, line=d.line + delta, end_line=d.end_line + delta)
             for d in old_diagnostics if d.line > old_end]
    unique = dict.fromkeys([*kept, *found, *moved])
    return tuple(sorted(unique, key=lambda d: (d.line, d.column, d.end_line, d.end_column, d.message)))


# --- the region --------------------------------------------------------------------------------

#: What a region that does not parse alone is told apart by (it may parse with its neighbours).
_UNPARSED = object()


class _LeftToWholeCompile(Exception):
    """Raised from the parse callback: the region holds what ties statements together."""


def _compile_region(lines: Sequence[str], start: int, end: int, future: bool, filename: str):
    """New lines ``[start, end)`` compiled alone at their place: (their statements, the region's
    module code, its diagnostics); ``_UNPARSED`` when they do not parse alone; None when the whole
    compile must decide (an error; a ``from __future__`` import or a ``global`` in module-level
    code)."""
    padding = start - (1 if future else 0)
    if padding < 0:
        return None
    source = (_FUTURE_PROLOGUE if future else "") + "\n" * padding + "".join(lines[start:end])
    parsed: list[ast.Module] = []

    def check(tree: ast.Module) -> None:
        body = tree.body[1:] if future else tree.body
        if any(is_future_import(node) for node in body) or declares_global(body):
            raise _LeftToWholeCompile()
        parsed.append(tree)

    found: list[Diagnostic] = []
    try:
        code = compile_source(source, filename, warnings_out=found, on_parsed=check)
    except _LeftToWholeCompile:
        return None
    except CompileError as error:
        if not parsed and error.kind in ("SyntaxError", "IndentationError", "TabError"):
            return _UNPARSED
        return None
    body = parsed[0].body[1:] if future else parsed[0].body
    return body, code, found


# --- the module --------------------------------------------------------------------------------

def _assembled(parts: ModuleParts, body: list[ast.stmt], region_code: Code, lines: Sequence[str],
               start: int, end: int, delta: int, diagnostics: tuple[Diagnostic, ...], filename: str
               ) -> Optional[Recompiled]:
    """The module from the statements before the region, the region's and those after it."""
    statements = parts.outline.statements
    codes = _definitions(body, region_code, lines)
    if codes is None:
        return None
    before = [index for index, statement in enumerate(statements) if statement.end <= start]
    after = [index for index, statement in enumerate(statements) if statement.start >= end]
    nodes: list[tuple[ast.stmt, ...]] = [parts.nodes[index] for index in before]
    new_statements = [statements[index] for index in before]
    for node in (node for index in before for node in parts.nodes[index]):
        if node in parts.codes:
            codes[node] = parts.codes[node]
    region_statements = statements_of(body)
    nodes.extend(_grouped(body, region_statements))
    new_statements.extend(region_statements)
    for index in after:
        moved = []
        for node in parts.nodes[index]:
            shifted = _shifted_node(node, delta)
            if node in parts.codes:
                codes[shifted] = shifted_code(parts.codes[node], delta)
            moved.append(shifted)
        nodes.append(tuple(moved))
        statement = statements[index]
        new_statements.append(Statement(statement.start + delta, statement.end + delta))
    tree = ast.Module(body=[node for group in nodes for node in group], type_ignores=[])
    table = build_symtable(tree, filename)
    code = generate_code(tree, table, filename, reuse=codes)
    outline = dataclasses.replace(parts.outline, statements=tuple(new_statements))
    return Recompiled(code, diagnostics, ModuleParts(outline, tuple(nodes), codes, parts.future_annotations))


def shifted_code(code: Code, delta: int) -> Code:
    """``code`` and the code nested in it, ``delta`` lines further down."""
    if not delta:
        return code
    consts = tuple(shifted_code(const, delta) if isinstance(const, Code) else const for const in code.consts)
    positions = tuple((line + delta if line is not None else None, column,
                       end_line + delta if end_line is not None else None, end_column)
                      for line, column, end_line, end_column in code.positions)
    return code.replace(firstlineno=code.firstlineno + delta, consts=consts, positions=positions)


def _shifted_node(node: ast.stmt, delta: int) -> ast.stmt:
    """A copy of a module-level statement ``delta`` lines further down (the old one is the previous
    compilation's, which stays as it was)."""
    if not delta:
        return node
    moved = copy.deepcopy(node)
    ast.increment_lineno(moved, delta)
    return moved


def _grouped(body: Sequence[ast.stmt], statements: Sequence[Statement]) -> list[tuple[ast.stmt, ...]]:
    """``body``'s nodes grouped as ``statements`` (statements sharing a line are one)."""
    groups: list[list[ast.stmt]] = [[] for _ in statements]
    starts = [statement.start for statement in statements]
    for node in body:
        groups[bisect.bisect_right(starts, first_line(node) - 1) - 1].append(node)
    return [tuple(group) for group in groups]


def _definitions(body: Sequence[ast.stmt], code: Code, lines: Sequence[str]) -> Optional[dict[ast.stmt, Code]]:
    """The code of each def and class of ``body`` (a module's, compiled to ``code``), their bodies
    dropped; None when one's code cannot be told apart."""
    made = {(const.firstlineno, const.name): const for const in code.consts if isinstance(const, Code)}
    codes: dict[ast.stmt, Code] = {}
    for node in body:
        if isinstance(node, _DEFINITIONS):
            found = made.get((first_line(node), node.name))
            if found is None:
                return None
            codes[node] = found
            _drop_body(node, lines)
    return codes


#: The body of a def or class kept for its module: its code is made already.
_NO_BODY = [ast.Pass(lineno=1, col_offset=0, end_lineno=1, end_col_offset=4)]


def _drop_body(node: ast.stmt, lines: Sequence[str]) -> None:
    """Replace a def's or class's body with what the module's symbol table needs of it: nothing,
    but the names it (or a function nested in it) declares ``global``, which CPython's symbol table
    marks global in the module too, so that the module stores them with STORE_GLOBAL. They are
    kept as one ``global`` statement in a function nested in the body (not in the body itself,
    where a parameter of the same name would be an error)."""
    text = "".join(lines[first_line(node) - 1:node.end_lineno])
    names = set()
    if "global" in text:
        names = {name for statement in node.body for child in ast.walk(statement)
                 if isinstance(child, ast.Global) for name in child.names}
    if not names:
        node.body = _NO_BODY
        return
    where = {"lineno": node.lineno, "col_offset": 0, "end_lineno": node.lineno, "end_col_offset": 0}
    declaration = ast.Global(names=sorted(names), **where)
    arguments = ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                              kwarg=None, defaults=[])
    node.body = [ast.FunctionDef(name="_", args=arguments, body=[declaration], decorator_list=[],
                                 returns=None, type_comment=None, **where)]
