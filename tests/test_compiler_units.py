"""The unit and frame-block kinds shared by the compile checks and the code generator (vm/compiler/units.py).

The kinds are one set for two walks; these tests keep that set honest: every unit kind agrees
with the symbol table's kind of the same scope, no frame-block kind is pushed by nobody, and the
table in docs/compiler.md that says which walk pushes which kind is the source's truth.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bytelens.vm.compiler.symtable import ScopeKind, build_symtable
from bytelens.vm.compiler.units import FBlockKind, UnitKind, unit_kind

ROOT = Path(__file__).resolve().parent.parent
COMPILER = ROOT / "vm" / "compiler"

PROGRAM = '''
import asyncio

class C:
    x = [i for i in range(3)]
    def m(self):
        return lambda y: {k: v for k, v in ()}
    async def a(self):
        return [j async for j in self.gen()] + [n for n in (yield_ for yield_ in ())]

def f():
    def g():
        return (z for z in ())
    return g
'''


def _scopes(scope):
    yield scope
    for child in scope.children:
        yield from _scopes(child)


def test_every_unit_kind_has_the_symbol_tables_kind_of_its_scope():
    table = build_symtable(ast.parse(PROGRAM), "<units>")
    seen = set()
    for scope in _scopes(table.top):
        kind = unit_kind(scope.node)
        seen.add(kind)
        assert kind.scope_kind is scope.kind, scope.name
        assert kind.is_function_block == (scope.kind is ScopeKind.FUNCTION), scope.name
    assert seen == set(UnitKind)


def _pushed(paths: list[Path]) -> set[str]:
    """The FBlockKind members a walk names in its source (``FBlockKind.X``)."""
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if type(node) is ast.Attribute and type(node.value) is ast.Name and node.value.id == "FBlockKind":
                names.add(node.attr)
    return names


def _documented() -> dict[str, tuple[bool, bool]]:
    """docs/compiler.md's table: for each kind, whether the checks and the code generator push it."""
    text = (ROOT / "docs" / "compiler.md").read_text()
    section = text[text.index("## Units and frame blocks"):]
    rows = {}
    for match in re.finditer(r"^\| `(\w+)` \| (yes|no) \| (yes|no) \|", section, re.MULTILINE):
        rows[match.group(1)] = (match.group(2) == "yes", match.group(3) == "yes")
    return rows


def test_the_documented_table_says_which_walk_uses_which_block_kind():
    checks = _pushed([COMPILER / "checks.py"])
    codegen = _pushed(sorted((COMPILER / "codegen").glob("*.py")))
    documented = _documented()
    assert set(documented) == {kind.name for kind in FBlockKind}
    for name, (in_checks, in_codegen) in documented.items():
        assert (name in checks, name in codegen) == (in_checks, in_codegen), name
        assert in_checks or in_codegen, f"{name} is pushed by neither walk"
