"""The symbol table: which scope every name of a module belongs to.

A separate pass before code generation, as in CPython (``Python/symtable.c``, 3.11 semantics):

1. Walk the AST once, creating a ``Scope`` for the module, each class, function, lambda and
   comprehension, and recording raw facts about each name in it (assigned, used, parameter,
   declared global/nonlocal, imported, annotated, comprehension iteration variable). Errors that
   need only these facts (global after use, duplicate parameters, walrus misuse in comprehensions,
   ``yield`` in a comprehension, ``import *`` in a function ...) are raised here.
2. Analyse the scopes top-down, deciding for each name whether it is LOCAL, GLOBAL_EXPLICIT,
   GLOBAL_IMPLICIT, FREE or CELL, propagating free variables up to the scope that binds them, and
   giving a class the implicit ``__class__`` cell when a method uses ``super`` or ``__class__``.

The flag and scope numbers are CPython's, so a scope's ``symbols`` compare directly with the stdlib
``symtable`` module (the differential tests do exactly that). The code generator and the compile
checks (vm/compiler/checks.py) read the result through the small query API of ``Scope`` and ``SymbolTable``.
"""

from __future__ import annotations

import ast
import enum
import weakref
from typing import Iterator, NamedTuple, Optional

from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.compiler.source import SourceLines, error_at, read_future, source_lines

# Raw facts about a name in one scope (CPython's DEF_* flags).
DEF_GLOBAL = 1  # `global` statement
DEF_LOCAL = 2  # assigned in this scope
DEF_PARAM = 4  # a parameter
DEF_NONLOCAL = 8  # `nonlocal` statement
USE = 16  # read in this scope
DEF_FREE = 32  # (unused since 3.x, kept for numbering)
DEF_FREE_CLASS = 64  # free in a method and bound in the class body
DEF_IMPORT = 128  # bound by an import
DEF_ANNOT = 256  # annotated (`x: int`)
DEF_COMP_ITER = 512  # a comprehension's iteration variable
DEF_BOUND = DEF_LOCAL | DEF_PARAM | DEF_IMPORT

# The scope decided by the analysis, stored in the flags at SCOPE_OFFSET.
LOCAL = 1
GLOBAL_EXPLICIT = 2
GLOBAL_IMPLICIT = 3
FREE = 4
CELL = 5
SCOPE_OFFSET = 11
SCOPE_MASK = DEF_GLOBAL | DEF_LOCAL | DEF_PARAM | DEF_NONLOCAL

SCOPE_NAMES = {LOCAL: "local", GLOBAL_EXPLICIT: "global (declared)", GLOBAL_IMPLICIT: "global",
               FREE: "free", CELL: "cell"}


class ScopeKind(enum.Enum):
    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"  # def, async def, lambda and comprehensions
    ANNOTATION = "annotation"  # annotations under `from __future__ import annotations`


class Comprehension(enum.Enum):
    LIST = "list comprehension"
    SET = "set comprehension"
    DICT = "dict comprehension"
    GENERATOR = "generator expression"


_COMPREHENSIONS = {ast.ListComp: (Comprehension.LIST, "listcomp"),
                   ast.SetComp: (Comprehension.SET, "setcomp"),
                   ast.DictComp: (Comprehension.DICT, "dictcomp"),
                   ast.GeneratorExp: (Comprehension.GENERATOR, "genexpr")}


def mangle(private: Optional[str], name: str) -> str:
    """Private name mangling: ``__x`` in class ``C`` becomes ``_C__x`` (CPython's _Py_Mangle)."""
    if private is None or not name.startswith("__") or name.endswith("__") or "." in name:
        return name
    stripped = private.lstrip("_")
    if not stripped:
        return name
    return f"_{stripped}{name}"


class Scope:
    """One block of the symbol table (CPython's PySTEntryObject).

    Query API, for the code generator and the compile checks:
    ``kind``, ``name``, ``node``, ``parent``, ``children``; ``is_function``, ``is_class``,
    ``is_module``, ``is_lambda``, ``comprehension`` (a ``Comprehension`` or None); ``is_async``
    (a coroutine: ``async def``, ``await`` or an async comprehension inside), ``is_generator``
    (contains ``yield``; a generator expression), ``returns_value``; ``flags(name)`` (raw DEF_*
    flags with the scope bits), ``scope_of(name)`` (LOCAL ... CELL, 0 when unknown), and the
    code-object views ``cellvars()``, ``freevars()``, ``params``.
    """

    def __init__(self, name: str, kind: ScopeKind, node: ast.AST, parent: Optional["Scope"],
                 lineno: int, col_offset: int) -> None:
        self.name = name
        self.kind = kind
        self.node = node
        self._parent = weakref.ref(parent) if parent is not None else None
        self.lineno = lineno
        self.col_offset = col_offset
        self.symbols: dict[str, int] = {}
        self.params: list[str] = []  # parameters in order (CPython's ste_varnames)
        self.children: list[Scope] = []
        self.nested = parent is not None and (parent.nested or parent.kind is ScopeKind.FUNCTION)
        self.is_generator = False
        self.is_async = False
        self.is_lambda = isinstance(node, ast.Lambda)
        self.comprehension: Optional[Comprehension] = None
        self.has_varargs = False
        self.has_varkeywords = False
        self.returns_value = False
        self.needs_class_closure = False
        self.has_free = False
        self.child_free = False
        self.comp_iter_target = False
        self.comp_iter_expr = parent.comp_iter_expr if parent is not None else 0
        # name -> where its global/nonlocal statement is, for errors found by the analysis
        self.directives: dict[str, _Location] = {}

    def __repr__(self) -> str:
        return f"<Scope {self.kind.value} {self.name!r} line {self.lineno}>"

    @property
    def parent(self) -> Optional["Scope"]:
        """The enclosing scope. Held weakly: a parent owns its children, and a back link would make
        every symbol table (and the tree its scopes point into) a cycle for the garbage collector."""
        return self._parent() if self._parent is not None else None

    @property
    def is_function(self) -> bool:
        return self.kind is ScopeKind.FUNCTION

    @property
    def is_class(self) -> bool:
        return self.kind is ScopeKind.CLASS

    @property
    def is_module(self) -> bool:
        return self.kind is ScopeKind.MODULE

    def flags(self, name: str) -> int:
        """The raw flags of ``name`` (already mangled), 0 when the scope never saw it."""
        return self.symbols.get(name, 0)

    def scope_of(self, name: str) -> int:
        """LOCAL, GLOBAL_EXPLICIT, GLOBAL_IMPLICIT, FREE or CELL; 0 for an unknown name."""
        return (self.symbols.get(name, 0) >> SCOPE_OFFSET) & SCOPE_MASK

    def cellvars(self) -> list[str]:
        """Cell variables in CPython's order (sorted; ``__class__`` alone for a class)."""
        if self.needs_class_closure:
            return ["__class__"]
        return sorted(n for n, f in self.symbols.items() if (f >> SCOPE_OFFSET) & SCOPE_MASK == CELL)

    def freevars(self) -> list[str]:
        """Free variables in CPython's order (sorted), including class-body names a method uses."""
        return sorted(n for n, f in self.symbols.items()
                      if (f >> SCOPE_OFFSET) & SCOPE_MASK == FREE or f & DEF_FREE_CLASS)

    def walk(self) -> Iterator["Scope"]:
        yield self
        for child in self.children:
            yield from child.walk()


class SymbolTable:
    """The scopes of one module, found by their AST node (``scope_for``)."""

    def __init__(self, top: Scope, scopes: dict[ast.AST, Scope], filename: str,
                 future_annotations: bool) -> None:
        self.top = top
        self.scopes = scopes
        self.filename = filename
        self.future_annotations = future_annotations

    def scope_for(self, node: ast.AST) -> Scope:
        """The scope a def, lambda, class or comprehension node opens."""
        return self.scopes[node]


def build_symtable(tree: ast.Module, filename: str = "<string>") -> SymbolTable:
    """Build and analyse the symbol table of a module; raise CompileError like CPython's symtable.c.

    Error positions are those CPython reports, in characters (``source.error_at`` converts).
    """
    lines = source_lines(tree)
    builder = _Builder(filename, lines, read_future(tree, filename).annotations)
    top = builder.build(tree)
    _Analyzer(filename, lines).analyze(top)
    return SymbolTable(top, builder.scopes, filename, builder.future_annotations)


class _Location(NamedTuple):
    """Where a global/nonlocal directive (or a walrus standing for one) was written."""

    lineno: int
    col_offset: int
    end_lineno: Optional[int]
    end_col_offset: Optional[int]


def _location(node: ast.AST) -> _Location:
    return _Location(node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


class _Builder:
    """Pass 1: create the scopes and record the raw facts about each name."""

    def __init__(self, filename: str, lines: Optional[SourceLines], future_annotations: bool) -> None:
        self.filename = filename
        self.lines = lines
        self.future_annotations = future_annotations
        self.scopes: dict[ast.AST, Scope] = {}
        self.stack: list[Scope] = []
        self.cur: Scope = None  # type: ignore[assignment]
        self.module: Scope = None  # type: ignore[assignment]
        self.private: Optional[str] = None

    def build(self, tree: ast.Module) -> Scope:
        top = self.enter("top", ScopeKind.MODULE, tree, 0, 0)
        self.module = top
        self.visit_body(tree.body)
        self.leave()
        return top

    # --- scopes ---------------------------------------------------------------------------------

    def enter(self, name: str, kind: ScopeKind, node: ast.AST, lineno: int, col_offset: int) -> Scope:
        parent = self.cur
        scope = Scope(name, kind, node, parent, lineno, col_offset)
        self.stack.append(scope)
        self.cur = scope
        if kind is ScopeKind.ANNOTATION:
            return scope  # never attached: annotations are strings under the future import
        self.scopes[node] = scope
        if parent is not None:
            parent.children.append(scope)
        return scope

    def leave(self) -> None:
        self.stack.pop()
        self.cur = self.stack[-1] if self.stack else None  # type: ignore[assignment]

    # --- recording facts ------------------------------------------------------------------------

    def add_def(self, name: str, flag: int, location, scope: Optional[Scope] = None) -> None:
        scope = scope or self.cur
        mangled = mangle(self.private, name)
        old = scope.symbols.get(mangled)
        if old is not None:
            if flag & DEF_PARAM and old & DEF_PARAM:
                raise self.error(f"duplicate argument '{name}' in function definition", location)
            value = old | flag
        else:
            value = flag
        if scope.comp_iter_target:
            if value & (DEF_GLOBAL | DEF_NONLOCAL):
                raise self.error(f"comprehension inner loop cannot rebind assignment expression "
                                 f"target '{name}'", location)
            value |= DEF_COMP_ITER
        scope.symbols[mangled] = value
        if flag & DEF_PARAM:
            scope.params.append(mangled)
        elif flag & DEF_GLOBAL:
            module = self.module.symbols
            module[mangled] = module.get(mangled, 0) | flag

    def lookup(self, name: str) -> int:
        return self.cur.symbols.get(mangle(self.private, name), 0)

    def error(self, message: str, where) -> CompileError:
        return error_at(message, self.filename, self.lines, where)

    def record_directive(self, name: str, location: _Location) -> None:
        self.cur.directives.setdefault(mangle(self.private, name), location)

    # --- statements -----------------------------------------------------------------------------

    def visit_body(self, body: list[ast.stmt]) -> None:
        handlers = _STMT_HANDLERS
        for stmt in body:
            handlers[type(stmt)](self, stmt)

    def visit_exprs(self, exprs) -> None:
        handlers = _EXPR_HANDLERS
        for expr in exprs:
            if expr is not None:
                handlers[type(expr)](self, expr)

    def visit_expr(self, expr: ast.expr) -> None:
        _EXPR_HANDLERS[type(expr)](self, expr)

    def stmt_function(self, node) -> None:
        self.add_def(node.name, DEF_LOCAL, node)
        args = node.args
        self.visit_exprs(args.defaults)
        self.visit_exprs(args.kw_defaults)
        self.visit_annotations(node, args, node.returns)
        self.visit_exprs(node.decorator_list)
        scope = self.enter(node.name, ScopeKind.FUNCTION, node, node.lineno, node.col_offset)
        if isinstance(node, ast.AsyncFunctionDef):
            scope.is_async = True
        self.visit_arguments(args)
        self.visit_body(node.body)
        self.leave()

    def stmt_class(self, node: ast.ClassDef) -> None:
        self.add_def(node.name, DEF_LOCAL, node)
        self.visit_exprs(node.bases)
        for keyword in node.keywords:
            self.visit_expr(keyword.value)
        self.visit_exprs(node.decorator_list)
        self.enter(node.name, ScopeKind.CLASS, node, node.lineno, node.col_offset)
        saved, self.private = self.private, node.name
        self.visit_body(node.body)
        self.private = saved
        self.leave()

    def stmt_return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.visit_expr(node.value)
            self.cur.returns_value = True

    def stmt_delete(self, node: ast.Delete) -> None:
        self.visit_exprs(node.targets)

    def stmt_assign(self, node: ast.Assign) -> None:
        self.visit_exprs(node.targets)
        self.visit_expr(node.value)

    def stmt_annassign(self, node: ast.AnnAssign) -> None:
        target = node.target
        if isinstance(target, ast.Name):
            current = self.lookup(target.id)
            if current & (DEF_GLOBAL | DEF_NONLOCAL) and self.cur is not self.module and node.simple:
                kind = "global" if current & DEF_GLOBAL else "nonlocal"
                raise self.error(f"annotated name '{target.id}' can't be {kind}", node)
            if node.simple:
                self.add_def(target.id, DEF_ANNOT | DEF_LOCAL, target)
            elif node.value is not None:
                self.add_def(target.id, DEF_LOCAL, target)
        else:
            self.visit_expr(target)
        self.visit_annotation(node.annotation)
        if node.value is not None:
            self.visit_expr(node.value)

    def stmt_augassign(self, node: ast.AugAssign) -> None:
        self.visit_expr(node.target)
        self.visit_expr(node.value)

    def stmt_for(self, node) -> None:
        self.visit_expr(node.target)
        self.visit_expr(node.iter)
        self.visit_body(node.body)
        self.visit_body(node.orelse)

    def stmt_while(self, node: ast.While) -> None:
        self.visit_expr(node.test)
        self.visit_body(node.body)
        self.visit_body(node.orelse)

    def stmt_if(self, node: ast.If) -> None:
        self.visit_expr(node.test)
        self.visit_body(node.body)
        self.visit_body(node.orelse)

    def stmt_match(self, node: ast.Match) -> None:
        self.visit_expr(node.subject)
        for case in node.cases:
            self.visit_pattern(case.pattern)
            if case.guard is not None:
                self.visit_expr(case.guard)
            self.visit_body(case.body)

    def stmt_raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self.visit_expr(node.exc)
            if node.cause is not None:
                self.visit_expr(node.cause)

    def stmt_try(self, node) -> None:
        self.visit_body(node.body)
        self.visit_body(node.orelse)
        for handler in node.handlers:
            if handler.type is not None:
                self.visit_expr(handler.type)
            if handler.name is not None:
                self.add_def(handler.name, DEF_LOCAL, handler)
            self.visit_body(handler.body)
        self.visit_body(node.finalbody)

    def stmt_assert(self, node: ast.Assert) -> None:
        self.visit_expr(node.test)
        if node.msg is not None:
            self.visit_expr(node.msg)

    def stmt_import(self, node) -> None:
        for alias in node.names:
            name = alias.asname or alias.name
            if name == "*":
                if self.cur.kind is not ScopeKind.MODULE:
                    raise self.error("import * only allowed at module level", alias)
                continue
            self.add_def(name.partition(".")[0], DEF_IMPORT, alias)

    def stmt_global(self, node: ast.Global) -> None:
        for name in node.names:
            current = self.lookup(name)
            if current & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT):
                if current & DEF_PARAM:
                    message = f"name '{name}' is parameter and global"
                elif current & USE:
                    message = f"name '{name}' is used prior to global declaration"
                elif current & DEF_ANNOT:
                    message = f"annotated name '{name}' can't be global"
                else:
                    message = f"name '{name}' is assigned to before global declaration"
                raise self.error(message, node)
            self.add_def(name, DEF_GLOBAL, node)
            self.record_directive(name, _location(node))

    def stmt_nonlocal(self, node: ast.Nonlocal) -> None:
        for name in node.names:
            current = self.lookup(name)
            if current & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT):
                if current & DEF_PARAM:
                    message = f"name '{name}' is parameter and nonlocal"
                elif current & USE:
                    message = f"name '{name}' is used prior to nonlocal declaration"
                elif current & DEF_ANNOT:
                    message = f"annotated name '{name}' can't be nonlocal"
                else:
                    message = f"name '{name}' is assigned to before nonlocal declaration"
                raise self.error(message, node)
            self.add_def(name, DEF_NONLOCAL, node)
            self.record_directive(name, _location(node))

    def stmt_expr(self, node: ast.Expr) -> None:
        self.visit_expr(node.value)

    def stmt_with(self, node) -> None:
        for item in node.items:
            self.visit_expr(item.context_expr)
            if item.optional_vars is not None:
                self.visit_expr(item.optional_vars)
        self.visit_body(node.body)

    def stmt_nothing(self, node) -> None:
        pass

    # --- function pieces ------------------------------------------------------------------------

    def visit_arguments(self, args: ast.arguments) -> None:
        for arg in args.posonlyargs:
            self.add_def(arg.arg, DEF_PARAM, arg)
        for arg in args.args:
            self.add_def(arg.arg, DEF_PARAM, arg)
        for arg in args.kwonlyargs:
            self.add_def(arg.arg, DEF_PARAM, arg)
        if args.vararg is not None:
            self.add_def(args.vararg.arg, DEF_PARAM, args.vararg)
            self.cur.has_varargs = True
        if args.kwarg is not None:
            self.add_def(args.kwarg.arg, DEF_PARAM, args.kwarg)
            self.cur.has_varkeywords = True

    def visit_annotations(self, node, args: ast.arguments, returns) -> None:
        future = self.future_annotations
        if future:
            self.enter("_annotation", ScopeKind.ANNOTATION, node, node.lineno, node.col_offset)
        for group in (args.posonlyargs, args.args):
            for arg in group:
                if arg.annotation is not None:
                    self.visit_expr(arg.annotation)
        if args.vararg is not None and args.vararg.annotation is not None:
            self.visit_expr(args.vararg.annotation)
        if args.kwarg is not None and args.kwarg.annotation is not None:
            self.visit_expr(args.kwarg.annotation)
        for arg in args.kwonlyargs:
            if arg.annotation is not None:
                self.visit_expr(arg.annotation)
        if future:
            self.leave()
        if returns is not None:
            self.visit_annotation(returns)

    def visit_annotation(self, annotation: ast.expr) -> None:
        if self.future_annotations:
            self.enter("_annotation", ScopeKind.ANNOTATION, annotation, annotation.lineno,
                       annotation.col_offset)
            self.visit_expr(annotation)
            self.leave()
        else:
            self.visit_expr(annotation)

    # --- patterns -------------------------------------------------------------------------------

    def visit_pattern(self, pattern: ast.pattern) -> None:
        kind = type(pattern)
        if kind is ast.MatchValue:
            self.visit_expr(pattern.value)
        elif kind is ast.MatchSingleton:
            pass
        elif kind is ast.MatchSequence:
            for sub in pattern.patterns:
                self.visit_pattern(sub)
        elif kind is ast.MatchStar:
            if pattern.name is not None:
                self.add_def(pattern.name, DEF_LOCAL, pattern)
        elif kind is ast.MatchMapping:
            self.visit_exprs(pattern.keys)
            for sub in pattern.patterns:
                self.visit_pattern(sub)
            if pattern.rest is not None:
                self.add_def(pattern.rest, DEF_LOCAL, pattern)
        elif kind is ast.MatchClass:
            self.visit_expr(pattern.cls)
            for sub in pattern.patterns:
                self.visit_pattern(sub)
            for sub in pattern.kwd_patterns:
                self.visit_pattern(sub)
        elif kind is ast.MatchAs:
            if pattern.pattern is not None:
                self.visit_pattern(pattern.pattern)
            if pattern.name is not None:
                self.add_def(pattern.name, DEF_LOCAL, pattern)
        elif kind is ast.MatchOr:
            for sub in pattern.patterns:
                self.visit_pattern(sub)
        else:  # pragma: no cover - ast.parse produces no other pattern
            raise TypeError(f"unknown pattern {kind.__name__}")

    # --- expressions ----------------------------------------------------------------------------

    def expr_name(self, node: ast.Name) -> None:
        self.add_def(node.id, USE if type(node.ctx) is ast.Load else DEF_LOCAL, node)
        # `super` counts as a use of __class__, so that super() can find the class.
        if node.id == "super" and type(node.ctx) is ast.Load and self.cur.kind is ScopeKind.FUNCTION:
            self.add_def("__class__", USE, node)

    def expr_boolop(self, node: ast.BoolOp) -> None:
        self.visit_exprs(node.values)

    def expr_namedexpr(self, node: ast.NamedExpr) -> None:
        self.raise_if_annotation("named expression", node)
        if self.cur.comp_iter_expr > 0:
            raise self.error("assignment expression cannot be used in a comprehension iterable "
                             "expression", node)
        if self.cur.comprehension is not None:
            self.extend_namedexpr_scope(node.target)
        self.visit_expr(node.value)
        self.visit_expr(node.target)

    def extend_namedexpr_scope(self, target: ast.Name) -> None:
        """A walrus in a comprehension binds in the nearest enclosing function or module scope."""
        name = target.id
        location = _location(target)
        for scope in reversed(self.stack):
            if scope.comprehension is not None:
                if scope.symbols.get(name, 0) & DEF_COMP_ITER:
                    raise self.error(f"assignment expression cannot rebind comprehension iteration "
                                     f"variable '{name}'", target)
                continue
            if scope.kind is ScopeKind.FUNCTION:
                if scope.symbols.get(name, 0) & DEF_GLOBAL:
                    self.add_def(name, DEF_GLOBAL, location)
                else:
                    self.add_def(name, DEF_NONLOCAL, location)
                self.record_directive(name, location)
                self.add_def(name, DEF_LOCAL, location, scope)
                return
            if scope.kind is ScopeKind.MODULE:
                self.add_def(name, DEF_GLOBAL, location)
                self.record_directive(name, location)
                self.add_def(name, DEF_GLOBAL, location, scope)
                return
            if scope.kind is ScopeKind.CLASS:
                raise self.error("assignment expression within a comprehension cannot be used in a class "
                             "body", target)
        raise AssertionError("a comprehension outside any scope")  # pragma: no cover

    def expr_binop(self, node: ast.BinOp) -> None:
        # Left-nested chains (a + b + c + ...) are walked iteratively: they can be very long.
        rights = []
        while type(node) is ast.BinOp:
            rights.append(node.right)
            node = node.left
        self.visit_expr(node)
        for right in reversed(rights):
            self.visit_expr(right)

    def expr_unaryop(self, node: ast.UnaryOp) -> None:
        self.visit_expr(node.operand)

    def expr_lambda(self, node: ast.Lambda) -> None:
        args = node.args
        self.visit_exprs(args.defaults)
        self.visit_exprs(args.kw_defaults)
        self.enter("lambda", ScopeKind.FUNCTION, node, node.lineno, node.col_offset)
        self.visit_arguments(args)
        self.visit_expr(node.body)
        self.leave()

    def expr_ifexp(self, node: ast.IfExp) -> None:
        self.visit_expr(node.test)
        self.visit_expr(node.body)
        self.visit_expr(node.orelse)

    def expr_dict(self, node: ast.Dict) -> None:
        self.visit_exprs(node.keys)
        self.visit_exprs(node.values)

    def expr_elts(self, node) -> None:
        self.visit_exprs(node.elts)

    def expr_comprehension(self, node) -> None:
        generators = node.generators
        outermost = generators[0]
        self.cur.comp_iter_expr += 1
        self.visit_expr(outermost.iter)
        self.cur.comp_iter_expr -= 1
        kind, name = _COMPREHENSIONS[type(node)]
        scope = self.enter(name, ScopeKind.FUNCTION, node, node.lineno, node.col_offset)
        scope.comprehension = kind
        if outermost.is_async:
            scope.is_async = True
        self.add_def(".0", DEF_PARAM, node)
        scope.comp_iter_target = True
        self.visit_expr(outermost.target)
        scope.comp_iter_target = False
        self.visit_exprs(outermost.ifs)
        for generator in generators[1:]:
            scope.comp_iter_target = True
            self.visit_expr(generator.target)
            scope.comp_iter_target = False
            scope.comp_iter_expr += 1
            self.visit_expr(generator.iter)
            scope.comp_iter_expr -= 1
            self.visit_exprs(generator.ifs)
            if generator.is_async:
                scope.is_async = True
        if isinstance(node, ast.DictComp):
            self.visit_expr(node.key)
            self.visit_expr(node.value)
        else:
            self.visit_expr(node.elt)
        scope.is_generator = kind is Comprehension.GENERATOR
        self.leave()
        # Awaiting an async list/set/dict comprehension makes the enclosing scope a coroutine too.
        if scope.is_async and not scope.is_generator:
            self.cur.is_async = True

    def expr_await(self, node: ast.Await) -> None:
        self.raise_if_annotation("await expression", node)
        self.visit_expr(node.value)
        self.cur.is_async = True

    def expr_yield(self, node) -> None:
        self.raise_if_annotation("yield expression", node)
        if node.value is not None:
            self.visit_expr(node.value)
        self.cur.is_generator = True
        if self.cur.comprehension is not None:
            raise self.error(f"'yield' inside {self.cur.comprehension.value}", node)

    def expr_compare(self, node: ast.Compare) -> None:
        self.visit_expr(node.left)
        self.visit_exprs(node.comparators)

    def expr_call(self, node: ast.Call) -> None:
        self.visit_expr(node.func)
        self.visit_exprs(node.args)
        for keyword in node.keywords:
            self.visit_expr(keyword.value)

    def expr_formatted(self, node: ast.FormattedValue) -> None:
        self.visit_expr(node.value)
        if node.format_spec is not None:
            self.visit_expr(node.format_spec)

    def expr_joined(self, node: ast.JoinedStr) -> None:
        self.visit_exprs(node.values)

    def expr_nothing(self, node) -> None:
        pass

    def expr_value(self, node) -> None:
        self.visit_expr(node.value)

    def expr_subscript(self, node: ast.Subscript) -> None:
        self.visit_expr(node.value)
        self.visit_expr(node.slice)

    def expr_slice(self, node: ast.Slice) -> None:
        if node.lower is not None:
            self.visit_expr(node.lower)
        if node.upper is not None:
            self.visit_expr(node.upper)
        if node.step is not None:
            self.visit_expr(node.step)

    def raise_if_annotation(self, what: str, node: ast.AST) -> None:
        if self.cur.kind is ScopeKind.ANNOTATION:
            raise self.error(f"'{what}' can not be used within an annotation", node)


_STMT_HANDLERS = {
    ast.FunctionDef: _Builder.stmt_function, ast.AsyncFunctionDef: _Builder.stmt_function,
    ast.ClassDef: _Builder.stmt_class, ast.Return: _Builder.stmt_return,
    ast.Delete: _Builder.stmt_delete, ast.Assign: _Builder.stmt_assign,
    ast.AugAssign: _Builder.stmt_augassign, ast.AnnAssign: _Builder.stmt_annassign,
    ast.For: _Builder.stmt_for, ast.AsyncFor: _Builder.stmt_for, ast.While: _Builder.stmt_while,
    ast.If: _Builder.stmt_if, ast.With: _Builder.stmt_with, ast.AsyncWith: _Builder.stmt_with,
    ast.Match: _Builder.stmt_match, ast.Raise: _Builder.stmt_raise, ast.Try: _Builder.stmt_try,
    ast.TryStar: _Builder.stmt_try, ast.Assert: _Builder.stmt_assert,
    ast.Import: _Builder.stmt_import, ast.ImportFrom: _Builder.stmt_import,
    ast.Global: _Builder.stmt_global, ast.Nonlocal: _Builder.stmt_nonlocal,
    ast.Expr: _Builder.stmt_expr, ast.Pass: _Builder.stmt_nothing, ast.Break: _Builder.stmt_nothing,
    ast.Continue: _Builder.stmt_nothing,
}

_EXPR_HANDLERS = {
    ast.BoolOp: _Builder.expr_boolop, ast.NamedExpr: _Builder.expr_namedexpr,
    ast.BinOp: _Builder.expr_binop, ast.UnaryOp: _Builder.expr_unaryop,
    ast.Lambda: _Builder.expr_lambda, ast.IfExp: _Builder.expr_ifexp, ast.Dict: _Builder.expr_dict,
    ast.Set: _Builder.expr_elts, ast.ListComp: _Builder.expr_comprehension,
    ast.SetComp: _Builder.expr_comprehension, ast.DictComp: _Builder.expr_comprehension,
    ast.GeneratorExp: _Builder.expr_comprehension, ast.Await: _Builder.expr_await,
    ast.Yield: _Builder.expr_yield, ast.YieldFrom: _Builder.expr_yield,
    ast.Compare: _Builder.expr_compare, ast.Call: _Builder.expr_call,
    ast.FormattedValue: _Builder.expr_formatted, ast.JoinedStr: _Builder.expr_joined,
    ast.Constant: _Builder.expr_nothing, ast.Attribute: _Builder.expr_value,
    ast.Subscript: _Builder.expr_subscript, ast.Starred: _Builder.expr_value,
    ast.Name: _Builder.expr_name, ast.List: _Builder.expr_elts, ast.Tuple: _Builder.expr_elts,
    ast.Slice: _Builder.expr_slice,
}


class _Analyzer:
    """Pass 2: decide the scope of every name (CPython's analyze_block and friends)."""

    def __init__(self, filename: str, lines: Optional[SourceLines]) -> None:
        self.filename = filename
        self.lines = lines

    def analyze(self, top: Scope) -> None:
        self.analyze_block(top, None, set(), set())

    def analyze_block(self, scope: Scope, bound: Optional[set], free: set, global_: set) -> None:
        local: set = set()
        scopes: dict[str, int] = {}
        new_global: set = set()
        new_free: set = set()
        new_bound: set = set()
        is_class = scope.kind is ScopeKind.CLASS
        if is_class:
            # Class bindings are invisible to nested functions: pass down only outer ones.
            new_global |= global_
            if bound is not None:
                new_bound |= bound
        for name, flags in scope.symbols.items():
            self.analyze_name(scope, scopes, name, flags, bound, local, free, global_)
        if not is_class:
            if scope.kind is ScopeKind.FUNCTION:
                new_bound |= local
            if bound is not None:
                new_bound |= bound
            new_global |= global_
        else:
            new_bound.add("__class__")
        all_free: set = set()
        for child in scope.children:
            child_free = set(new_free)
            self.analyze_block(child, set(new_bound), child_free, set(new_global))
            all_free |= child_free
            if child.has_free or child.child_free:
                scope.child_free = True
        new_free |= all_free
        if scope.kind is ScopeKind.FUNCTION:
            for name, value in scopes.items():
                if value == LOCAL and name in new_free:
                    scopes[name] = CELL
                    new_free.discard(name)
        elif is_class and "__class__" in new_free:
            new_free.discard("__class__")
            scope.needs_class_closure = True
        self.update_symbols(scope.symbols, scopes, bound, new_free, is_class)
        free |= new_free

    def analyze_name(self, scope: Scope, scopes: dict, name: str, flags: int, bound: Optional[set],
                     local: set, free: set, global_: set) -> None:
        if flags & DEF_GLOBAL:
            if flags & DEF_NONLOCAL:
                raise self.directive_error(scope, name, f"name '{name}' is nonlocal and global")
            scopes[name] = GLOBAL_EXPLICIT
            global_.add(name)
            if bound is not None:
                bound.discard(name)
            return
        if flags & DEF_NONLOCAL:
            if bound is None:
                raise self.directive_error(scope, name, "nonlocal declaration not allowed at module level")
            if name not in bound:
                raise self.directive_error(scope, name, f"no binding for nonlocal '{name}' found")
            scopes[name] = FREE
            scope.has_free = True
            free.add(name)
            return
        if flags & DEF_BOUND:
            scopes[name] = LOCAL
            local.add(name)
            global_.discard(name)
            return
        if bound is not None and name in bound:
            scopes[name] = FREE
            scope.has_free = True
            free.add(name)
            return
        if scope.nested:
            scope.has_free = True
        scopes[name] = GLOBAL_IMPLICIT

    def directive_error(self, scope: Scope, name: str, message: str) -> CompileError:
        return error_at(message, self.filename, self.lines, scope.directives[name])

    @staticmethod
    def update_symbols(symbols: dict, scopes: dict, bound: Optional[set], free: set,
                       is_class: bool) -> None:
        for name, flags in symbols.items():
            symbols[name] = flags | (scopes[name] << SCOPE_OFFSET)
        for name in free:
            flags = symbols.get(name)
            if flags is not None:
                # A method's free variable that the class body binds: LOCAL in the class, but the
                # class must also pass the outer cell on to the method.
                if is_class and flags & (DEF_BOUND | DEF_GLOBAL):
                    symbols[name] = flags | DEF_FREE_CLASS
                continue
            if bound is not None and name not in bound:
                continue  # a global
            symbols[name] = FREE << SCOPE_OFFSET
