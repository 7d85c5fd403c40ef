"""A module's top-level statements by line, and what ties them together.

A buffer being edited changes a few lines at a time. Which top-level statements those lines belong
to decides what must be checked again (server/preview.py), and what compiles alone when the module
does not (vm/compiler/partial.py). A top-level statement's diagnostics depend on its own text, with
two exceptions that reach across the module: ``from __future__`` imports (which must come first,
and change how annotations compile) and ``global``/``nonlocal`` in module-level code (which the
symbol table checks against every use of the name before them). The outline records both, from
the tree of a whole compile, without another parse.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class Statement:
    """A top-level statement's lines: ``start`` to ``end``, 0-based, ``end`` excluded.

    Statements that share a line (``a = 1; b = 2``) are one; a decorated one starts at its first
    decorator."""

    start: int
    end: int


@dataclass(frozen=True)
class Outline:
    """The top-level statements of a module that parsed, and the module-wide facts about them."""

    statements: tuple[Statement, ...]
    #: The names imported from ``__future__``.
    futures: frozenset[str]
    #: The line after the last ``from __future__`` import (0 when there is none): a change before
    #: it can change whether they still come first.
    futures_end: int
    #: Module-level code holds ``global`` or ``nonlocal`` (maybe only inside a nested block, which
    #: makes this an over-estimate): a statement's checks then depend on the others.
    declares_global: bool


def statements_of(body: list[ast.stmt], line_offset: int = 0) -> list[Statement]:
    """The statements of a module's ``body``, lines counted from ``line_offset``."""
    found: list[Statement] = []
    for node in body:
        first = first_line(node) - 1
        end = node.end_lineno or node.lineno
        first, end = first - line_offset, end - line_offset
        if found and first < found[-1].end:  # statements sharing a line (``a = 1; b = 2``)
            found[-1] = Statement(found[-1].start, max(end, found[-1].end))
        else:
            found.append(Statement(first, end))
    return found


def first_line(node: ast.stmt) -> int:
    """The 1-based line a statement starts on: its first decorator's, if it has any."""
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])


def outline_of(tree: ast.Module) -> Outline:
    """The outline of a parsed module (a walk of its module-level code, not of its functions)."""
    futures: set[str] = set()
    futures_end = 0
    for node in tree.body:
        if is_future_import(node):
            futures.update(alias.name for alias in node.names)
            futures_end = node.end_lineno or node.lineno
    return Outline(tuple(statements_of(tree.body)), frozenset(futures), futures_end,
                   declares_global(tree.body))


def is_future_import(node: ast.AST) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == "__future__" and not node.level


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def declares_global(body: list[ast.stmt]) -> bool:
    """Whether module-level code in ``body`` holds ``global`` or ``nonlocal`` (functions and
    classes are not entered: their declarations are theirs)."""
    pending: list[ast.AST] = [node for node in body if not isinstance(node, _SCOPES)]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return True
        if isinstance(node, ast.stmt):
            pending.extend(child for child in ast.iter_child_nodes(node)
                           if isinstance(child, ast.stmt) and not isinstance(child, _SCOPES))
        for handler in getattr(node, "handlers", ()):
            pending.extend(handler.body)
        for case in getattr(node, "cases", ()):
            pending.extend(case.body)
    return False
