"""The kinds of code unit and of compile-time frame block: one set for the checks and the code generator.

compile.c keeps, for every code unit it compiles, the unit's kind (``COMPILER_SCOPE_*``) and a stack
of frame blocks (``fblocktype``). bytelens walks the tree twice in that model, once in
vm/compiler/checks.py (which needs them to raise compile.c's errors in compile.c's order) and once
in vm/compiler/codegen/ (which needs them to emit the right exits and count run-time blocks), so
both take their kinds from here instead of keeping a copy each.

``UnitKind`` refines the symbol table's ``ScopeKind`` (symtable.c's block types): every unit kind
has exactly one scope kind (``UnitKind.scope_kind``), and an annotation scope (under the annotations
future) never becomes a unit.

``FBlockKind`` names all of compile.c 3.11's frame blocks; each walk pushes the ones it needs
(docs/compiler.md, "Units and frame blocks", says which).
"""

from __future__ import annotations

import ast
import enum

from bytelens.vm.compiler.symtable import ScopeKind


class UnitKind(enum.Enum):
    """compile.c's COMPILER_SCOPE_*: which kind of code object a unit compiles to."""

    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"
    ASYNC_FUNCTION = "async function"
    LAMBDA = "lambda"
    COMPREHENSION = "comprehension"

    @property
    def scope_kind(self) -> ScopeKind:
        """The symbol table's kind of the scope this unit compiles."""
        return _SCOPE_KINDS[self]

    @property
    def is_function_block(self) -> bool:
        """symtable.c's FunctionBlock: functions, async functions, lambdas and comprehensions."""
        return _SCOPE_KINDS[self] is ScopeKind.FUNCTION


_SCOPE_KINDS = {UnitKind.MODULE: ScopeKind.MODULE, UnitKind.CLASS: ScopeKind.CLASS,
                UnitKind.FUNCTION: ScopeKind.FUNCTION, UnitKind.ASYNC_FUNCTION: ScopeKind.FUNCTION,
                UnitKind.LAMBDA: ScopeKind.FUNCTION, UnitKind.COMPREHENSION: ScopeKind.FUNCTION}

_UNIT_KINDS = {ast.Module: UnitKind.MODULE, ast.ClassDef: UnitKind.CLASS,
               ast.FunctionDef: UnitKind.FUNCTION, ast.AsyncFunctionDef: UnitKind.ASYNC_FUNCTION,
               ast.Lambda: UnitKind.LAMBDA, ast.ListComp: UnitKind.COMPREHENSION,
               ast.SetComp: UnitKind.COMPREHENSION, ast.DictComp: UnitKind.COMPREHENSION,
               ast.GeneratorExp: UnitKind.COMPREHENSION}


def unit_kind(node: ast.AST) -> UnitKind:
    """The kind of unit a module, class, def, async def, lambda or comprehension node opens."""
    return _UNIT_KINDS[type(node)]


class FBlockKind(enum.Enum):
    """compile.c 3.11's fblocktype, every member; the value says what the block stands for."""

    WHILE_LOOP = "while loop"
    FOR_LOOP = "for loop"
    TRY_EXCEPT = "try body"
    FINALLY_TRY = "try body with finally"
    FINALLY_END = "finally body"
    WITH = "with body"
    ASYNC_WITH = "async with body"
    HANDLER_CLEANUP = "except clause body"
    POP_VALUE = "value kept while a finally body runs again"
    EXCEPTION_HANDLER = "except-handler block"
    EXCEPTION_GROUP_HANDLER = "except* handler"
    ASYNC_COMPREHENSION_GENERATOR = "async comprehension loop"


#: The blocks ``break`` and ``continue`` look for.
LOOPS = frozenset((FBlockKind.WHILE_LOOP, FBlockKind.FOR_LOOP))

#: CO_MAXBLOCKS: the most frame blocks one code unit may nest ("too many statically nested blocks").
MAX_BLOCKS = 20
