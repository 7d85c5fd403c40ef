"""The symbol table against CPython's own (the ``_symtable`` module behind the stdlib ``symtable``).

Every scope's symbols (raw flags and the decided scope, which share CPython's numbering), its
parameters and its child scopes must be identical; every error must carry CPython's message and
position.
"""

from __future__ import annotations

import ast
import sysconfig
import _symtable
from pathlib import Path

import pytest

from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.compiler.source import parse_source
from bytelens.vm.compiler.symtable import (CELL, FREE, GLOBAL_EXPLICIT, GLOBAL_IMPLICIT, LOCAL, ScopeKind,
                                  build_symtable, mangle)

_TYPES = {ScopeKind.MODULE: _symtable.TYPE_MODULE, ScopeKind.CLASS: _symtable.TYPE_CLASS,
          ScopeKind.FUNCTION: _symtable.TYPE_FUNCTION}


def assert_same_scopes(ours, theirs, where="") -> None:
    where = f"{where}/{ours.name}@{ours.lineno}"
    assert (ours.name, _TYPES[ours.kind]) == (theirs.name, theirs.type), where
    assert ours.symbols == theirs.symbols, where
    assert ours.params == list(theirs.varnames), where
    assert [c.name for c in ours.children] == [c.name for c in theirs.children], where
    for mine, cpython in zip(ours.children, theirs.children):
        assert_same_scopes(mine, cpython, where)


def assert_like_cpython(source: str) -> None:
    theirs = _symtable.symtable(source, "<test>", "exec")
    ours = build_symtable(ast.parse(source), "<test>").top
    assert_same_scopes(ours, theirs)


PROGRAMS = {
    "closures": """
def outer(a, *args, b=1, **kw):
    x = 1
    def inner(c):
        nonlocal x
        x += c
        return a, b, kw, args, y
    y = 2
    return inner
""",
    "class scopes": """
def f():
    x = 1
    class C:
        x = 2
        y = x
        def m(self):
            return x
        def n(self):
            return super().n(), __class__
    class D:
        def m(self):
            return x
        z = x
    return C, D
""",
    "class free and local": """
def f():
    a = 1
    class C:
        a = a
        def g(self):
            return a
""",
    "comprehensions": """
def f(data):
    xs = [x for x in data if x]
    ys = {y: z for y, z in data for w in y}
    zs = {a for a in data}
    g = (b + c for b in data for c in b)
    return [[i * j for j in range(i)] for i in data]
""",
    "walrus in comprehensions": """
def f(data):
    [last := x for x in data]
    [[inner := y for y in x] for x in data]
    return last, inner
[top := x for x in range(3)]
def g():
    global gg
    [gg := x for x in range(3)]
""",
    "global and nonlocal": """
x = 1
def f():
    global x
    x = 2
    def g():
        global y
        y = x
    def h():
        nonlocal_var = 1
        def i():
            nonlocal nonlocal_var
            nonlocal_var = 2
""",
    "name mangling": """
class C:
    __slot = 1
    def __m(self, __a, b__):
        self.__x = __a
        return __slot, __class__, __dunder__
    class __Inner:
        __y = 1
class _:
    __z = 1
""",
    "imports and handlers": """
import a.b.c
import d.e as f
from g import h, i as j
from . import k
from m import *
def func():
    import n.o
    try:
        pass
    except Exception as exc:
        pass
    with open(p) as (q, r):
        pass
    for s, *t in u:
        del s
""",
    "annotations": """
x: int = 1
y: str
class C:
    z: list[int] = []
    (w): int = 2
def f(a: A, /, b: B = 1, *c: C, d: D, **e: E) -> R:
    v: V = 1
    u: U
    return v
""",
    "future annotations": """
from __future__ import annotations
x: int = 1
def f(a: A, *, b: B) -> R:
    v: V = 1
    return [w for w in v]
def g():
    y = 1
    def h(z: y) -> y:
        pass
    q: y = 2
class K:
    k: Klass = 3
""",
    "lambdas and defaults": """
def f(a=lambda: b, *, c=lambda d=e: d):
    return lambda x, y=1, *z, w, **k: (x, y, z, w, k, a)
g = lambda: (yield)
""",
    "generators and async": """
def gen():
    yield 1
    x = yield from other()
async def coro():
    await thing()
    async for a in b:
        pass
    async with c as d:
        pass
    return [e async for e in f], [await g for g in h], (i async for i in j)
async def agen():
    yield 1
""",
    "match": """
def f(subject):
    match subject:
        case [a, *rest] if a:
            pass
        case {"k": v, **others}:
            pass
        case Point(x, y=yy) | Point(x=x, y=yy):
            pass
        case (1 | 2) as num:
            pass
        case Color.RED:
            pass
        case _:
            pass
""",
    "super in comprehension and lambda": """
class C:
    def m(self):
        return [super() for _ in range(1)], lambda: super()
    def n(self):
        def inner():
            return __class__
        return inner
""",
    "try star and debug": """
def f():
    try:
        pass
    except* ValueError as eg:
        pass
    if __debug__:
        pass
""",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_scopes_match_cpython(name: str) -> None:
    assert_like_cpython(PROGRAMS[name])


def _stdlib_sample() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts)
    return files[::40]


def test_scopes_match_cpython_on_a_stdlib_sample() -> None:
    checked = 0
    for path in _stdlib_sample():
        source = path.read_text(encoding="utf-8", errors="replace")
        try:
            theirs = _symtable.symtable(source, str(path), "exec")
        except SyntaxError:
            continue
        assert_same_scopes(build_symtable(ast.parse(source), str(path)).top, theirs, str(path))
        checked += 1
    assert checked > 30


ERRORS = [
    "def f(a, a): pass",
    "lambda a, a: 1",
    "def f(*, a, a): pass",
    "def f(a, *a): pass",
    "def f(a):\n global a",
    "def f(a):\n nonlocal a",
    "def f(**a): global a",
    "def f():\n x = 1\n global x",
    "def f():\n x\n global x",
    "def f():\n x: int\n global x",
    "def f():\n global x\n x: int",
    "def f():\n x = 1\n def g():\n  nonlocal x\n  x: int",
    "def f():\n x = 1\n def g():\n  x = 2\n  nonlocal x",
    "def f():\n x = 1\n def g():\n  x\n  nonlocal x",
    "def f():\n nonlocal x",
    "nonlocal x",
    "class C:\n nonlocal x",
    "def f():\n global x\n nonlocal x",
    "def f():\n from m import *",
    "class C:\n from m import *",
    "class C:\n [(y := 1) for x in z]",
    "def f():\n [(x := 1) for x in z]",
    "def f():\n [i for i in (x := z)]",
    "def f():\n [i for i in z for j in (x := z)]",
    "def f():\n [(x := 1) for i in z for x in z]",
    "def f():\n [j for i in (lambda: (x := 1))()]",
    "def f():\n [x for i in z for x in (yield)]",
    "def f():\n [(yield) for i in z]",
    "def f():\n ((yield) for i in z)",
    "def f():\n {(yield): 1 for i in z}",
    "def f():\n {(yield from x) for i in z}",
    "from __future__ import annotations\nx: (yield) = 1",
    "from __future__ import annotations\ndef f(x: (yield)): pass",
    "from __future__ import annotations\ndef g():\n  def f(x: (y := 1)): pass",
    "from __future__ import annotations\nasync def g():\n  x: (await y)",
    "def f():\n  [[(a := 1) for a in b] for c in d]",
]


@pytest.mark.parametrize("source", ERRORS)
def test_errors_match_cpython(source: str) -> None:
    with pytest.raises(SyntaxError) as cpython:
        compile(source, "<test>", "exec")
    with pytest.raises(CompileError) as ours:
        build_symtable(ast.parse(source), "<test>")
    expected = cpython.value
    got = ours.value
    assert (got.msg, got.lineno, got.offset, got.end_lineno, got.end_offset) == \
        (expected.msg, expected.lineno, expected.offset, expected.end_lineno, expected.end_offset)


def test_error_columns_count_characters() -> None:
    source = "def f():\n    'ééé'; x = 1; global x\n"
    tree, _ = parse_source(source, "<test>")
    with pytest.raises(CompileError) as error:
        build_symtable(tree, "<test>")
    assert error.value.offset == source.splitlines()[1].index("global") + 1
    assert error.value.text == source.splitlines()[1]


def test_query_api() -> None:
    tree = ast.parse("async def f():\n    yield 1\nclass C:\n    def m(self):\n        return super()\n"
                     "g = lambda: [x for x in ()]\n")
    table = build_symtable(tree, "<test>")
    function = table.scope_for(tree.body[0])
    assert function.is_function and function.is_async and function.is_generator
    klass = table.scope_for(tree.body[1])
    assert klass.is_class and klass.needs_class_closure and klass.cellvars() == ["__class__"]
    method = table.scope_for(tree.body[1].body[0])
    assert method.scope_of("__class__") == FREE and method.freevars() == ["__class__"]
    assert method.scope_of("self") == LOCAL and method.scope_of("super") == GLOBAL_IMPLICIT
    lam = table.scope_for(tree.body[2].value)
    assert lam.is_lambda and lam.children[0].comprehension is not None
    assert lam.children[0].scope_of(".0") == LOCAL
    assert table.top.is_module and table.top.scope_of("g") == LOCAL


def test_cells_and_explicit_globals() -> None:
    tree = ast.parse("def f(a):\n    global g\n    def h():\n        return a, g\n    return h\n")
    table = build_symtable(tree, "<test>")
    f = table.scope_for(tree.body[0])
    assert f.scope_of("a") == CELL and f.cellvars() == ["a"]
    assert f.scope_of("g") == GLOBAL_EXPLICIT
    h = f.children[0]
    # As in CPython: a name declared global in an enclosing function is an implicit global here.
    assert h.scope_of("a") == FREE and h.scope_of("g") == GLOBAL_IMPLICIT


def test_mangle() -> None:
    assert mangle("C", "__x") == "_C__x"
    assert mangle("_C", "__x") == "_C__x"
    assert mangle("__", "__x") == "__x"
    assert mangle("C", "__x__") == "__x__"
    assert mangle("C", "__a.b") == "__a.b"
    assert mangle(None, "__x") == "__x"
    assert mangle("C", "_x") == "_x"
