"""The code generator: the AST and its symbol table to code objects (CPython 3.7's compile.c model).

One ``CodeGenerator`` walks a module. Each module, class body, function, lambda and comprehension
is compiled in its own *unit* (instruction list, constants, names, local and cell variables, and a
compile-time block stack mirroring the run-time one), which the assembler turns into a ``Code``.
The sequences emitted are those of docs/bytecode.md; each generator has the bytecode it emits in a
comment above it.

The generator is split by subject: this module holds the units, names, constants, functions,
classes, lambdas and comprehensions; ``statements`` the statements, ``expressions`` the
expressions, ``patterns`` pattern matching. It assumes the tree passed the symbol table and
the compile checks (vm/compiler/checks.py); what is left to fail here is a bug, reported as such.

Constant folding is limited to what the instruction sequences need: a negated number literal
(``-1``) and a tuple whose items are constants (``(1, 'a', -2.5)``) become one constant, and
``__debug__`` is the constant True.
"""

from __future__ import annotations

import ast
from typing import Any, Mapping, Optional

from bytelens.vm.isa import opcodes as op
from bytelens.vm.compiler.assembler import AssemblyError, Label, assemble
from bytelens.vm.isa.code import (CO_ASYNC_GENERATOR, CO_COROUTINE, CO_FUTURE_ANNOTATIONS, CO_GENERATOR,
                   CO_NESTED, CO_NEWLOCALS, CO_OPTIMIZED, CO_VARARGS, CO_VARKEYWORDS, NO_POSITION, Code,
                   Position)
from bytelens.vm.compiler.codegen.expressions import ExpressionCompiler, constant_value, NOT_CONSTANT
from bytelens.vm.compiler.codegen.patterns import PatternCompiler
from bytelens.vm.compiler.codegen.statements import FBlock, StatementCompiler
from bytelens.vm.compiler.diagnostics import CompilerBug
from bytelens.vm.compiler.symtable import (CELL, FREE, GLOBAL_EXPLICIT, GLOBAL_IMPLICIT, LOCAL, SCOPE_MASK, SCOPE_OFFSET, Scope,
                       SymbolTable, mangle)
from bytelens.vm.compiler.units import UnitKind, unit_kind

#: The unit kinds whose nested definitions get ``<locals>`` in their qualified names.
_LOCALS_OWNERS = (UnitKind.FUNCTION, UnitKind.ASYNC_FUNCTION, UnitKind.LAMBDA)

_COMPREHENSION_NAMES = {ast.ListComp: "<listcomp>", ast.SetComp: "<setcomp>",
                        ast.DictComp: "<dictcomp>", ast.GeneratorExp: "<genexpr>"}


class _Unit:
    """The state of one code object being compiled (CPython's compiler_unit)."""

    __slots__ = ("scope", "symbols", "is_function", "kind", "name", "qualname", "private", "firstlineno", "instrs", "consts",
                 "const_index", "names", "name_index", "varnames", "varname_index", "cellvars",
                 "freevars", "cell_index", "free_index", "fblocks", "blocks", "max_blocks",
                 "argcount", "posonlyargcount", "kwonlyargcount", "pos")

    def __init__(self, scope: Scope, kind: UnitKind, name: str, qualname: str, private: Optional[str],
                 firstlineno: int, pos: Position) -> None:
        self.scope = scope
        self.symbols = scope.symbols
        self.is_function = scope.is_function
        self.kind = kind
        self.name = name
        self.qualname = qualname
        self.private = private
        self.firstlineno = firstlineno
        self.instrs: list = []
        self.consts: list = []
        self.const_index: dict = {}
        self.names: list[str] = []
        self.name_index: dict[str, int] = {}
        self.varnames: list[str] = list(scope.params)
        self.varname_index = {name: index for index, name in enumerate(self.varnames)}
        self.cellvars = scope.cellvars()
        self.freevars = scope.freevars()
        self.cell_index = {name: index for index, name in enumerate(self.cellvars)}
        offset = len(self.cellvars)
        self.free_index = {name: offset + index for index, name in enumerate(self.freevars)}
        self.fblocks: list[FBlock] = []
        self.blocks = 0
        self.max_blocks = 0
        self.argcount = self.posonlyargcount = self.kwonlyargcount = 0
        self.pos = pos


def _const_key(value: Any) -> Any:
    """A dictionary key that tells apart constants Python calls equal (1, 1.0, True; 0.0, -0.0)."""
    kind = type(value)
    if kind is float:
        return (kind, value.hex())
    if kind is complex:
        return (kind, value.real.hex(), value.imag.hex())
    if kind is tuple or kind is frozenset:
        return (kind, tuple(_const_key(item) for item in value))
    if kind is Code:
        return (kind, id(value))
    return (kind, value)


def docstring_of(body: list[ast.stmt]) -> Optional[str]:
    if body:
        first = body[0]
        if type(first) is ast.Expr and type(first.value) is ast.Constant and type(first.value.value) is str:
            return first.value.value
    return None


def position_of(node: ast.AST) -> Position:
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


class CodeGenerator(StatementCompiler, ExpressionCompiler, PatternCompiler):
    """Compiles one module; ``generate()`` returns its code object."""

    def __init__(self, tree: ast.Module, table: SymbolTable, filename: str, mode: str = "exec",
                 reuse: Optional[Mapping[ast.AST, Code]] = None) -> None:
        self.tree = tree
        #: Code already made for some top-level def and class nodes (vm/compiler/incremental.py).
        self.reuse = reuse or {}
        self.mode = mode
        self.table = table
        self.filename = filename
        self.future_flags = CO_FUTURE_ANNOTATIONS if table.future_annotations else 0
        self.future_annotations = table.future_annotations
        self.stack: list[_Unit] = []
        self.unit: _Unit = None  # type: ignore[assignment]
        self.instrs: list = []
        self.pos: Position = (1, 0, 1, 0)

    # --- units ----------------------------------------------------------------------------------

    def generate(self) -> Code:
        tree = self.tree
        first = position_of(tree.body[0]) if tree.body else (1, 0, 1, 0)
        self.enter_unit(self.table.top, UnitKind.MODULE, "<module>", 1, first)
        if self.mode == "eval":
            # The module is one expression statement (compile_source checked the grammar).
            self.visit_expr(tree.body[0].value)
            self.emit(op.RETURN_VALUE)
            return self.leave_unit()
        if self.mode == "single":
            if find_annotations(tree.body):
                self.emit(op.SETUP_ANNOTATIONS)
            self.compile_statements(tree.body)
        else:
            self.compile_body(tree.body)
        self.pos = position_of(tree.body[-1]) if tree.body else first
        self.emit_implicit_return()
        return self.leave_unit()

    def enter_unit(self, scope: Scope, kind: UnitKind, name: str, firstlineno: int, pos: Position) -> _Unit:
        parent = self.unit
        if parent is not None:
            parent.pos = self.pos
        private = parent.private if parent is not None else None
        unit = _Unit(scope, kind, name, self.qualified_name(name, kind, parent), private,
                     firstlineno, pos)
        self.stack.append(unit)
        self.unit = unit
        self.instrs = unit.instrs
        self.pos = pos
        return unit

    def leave_unit(self) -> Code:
        unit = self.stack.pop()
        code = assemble(
            unit.instrs, name=unit.name, qualname=unit.qualname, filename=self.filename,
            firstlineno=unit.firstlineno, argcount=unit.argcount,
            posonlyargcount=unit.posonlyargcount, kwonlyargcount=unit.kwonlyargcount,
            flags=self.code_flags(unit.scope), consts=tuple(unit.consts), names=tuple(unit.names),
            varnames=tuple(unit.varnames), cellvars=tuple(unit.cellvars),
            freevars=tuple(unit.freevars), blockdepth=unit.max_blocks)
        parent = self.stack[-1] if self.stack else None
        self.unit = parent  # type: ignore[assignment]
        if parent is not None:
            self.instrs = parent.instrs
            self.pos = parent.pos
        return code

    def qualified_name(self, name: str, kind: UnitKind, parent: Optional[_Unit]) -> str:
        """CPython's compiler_set_qualname: ``f.<locals>.g``, ``C.m``, a global name stays bare."""
        if parent is None or parent.kind is UnitKind.MODULE:
            return name
        if kind in (UnitKind.FUNCTION, UnitKind.ASYNC_FUNCTION, UnitKind.CLASS):
            if parent.scope.scope_of(mangle(parent.private, name)) == GLOBAL_EXPLICIT:
                return name
        if parent.kind in _LOCALS_OWNERS:
            return f"{parent.qualname}.<locals>.{name}"
        return f"{parent.qualname}.{name}"

    def code_flags(self, scope: Scope) -> int:
        flags = self.future_flags
        if scope.is_function:
            flags |= CO_OPTIMIZED | CO_NEWLOCALS
            if scope.nested:
                flags |= CO_NESTED
            if scope.is_generator:
                flags |= CO_ASYNC_GENERATOR if scope.is_async else CO_GENERATOR
            elif scope.is_async:
                flags |= CO_COROUTINE
            if scope.has_varargs:
                flags |= CO_VARARGS
            if scope.has_varkeywords:
                flags |= CO_VARKEYWORDS
        return flags

    # --- emitting -------------------------------------------------------------------------------

    def emit(self, opcode: int, arg: int = 0) -> None:
        self.instrs.append((opcode, arg, None, self.pos))

    def emit_implicit_return(self) -> None:
        """``return None`` at the end of a body, with no position of its own (CPython 3.11's
        UNSET_LOC): the assembler gives it the position of what leads to it, a copy per jump
        (assembler.place_exits). With nothing before it, it keeps the current position."""
        if self.instrs:
            self.pos = NO_POSITION
        self.load_const(None)
        self.emit(op.RETURN_VALUE)

    def emit_jump(self, opcode: int, label: Label) -> None:
        self.instrs.append((opcode, 0, label, self.pos))

    def place(self, label: Label) -> None:
        label.index = len(self.instrs)

    def const_index(self, value: Any) -> int:
        unit = self.unit
        key = _const_key(value)
        index = unit.const_index.get(key)
        if index is None:
            index = unit.const_index[key] = len(unit.consts)
            unit.consts.append(value)
        return index

    def load_const(self, value: Any) -> None:
        self.instrs.append((op.LOAD_CONST, self.const_index(value), None, self.pos))

    def name_index(self, name: str) -> int:
        unit = self.unit
        index = unit.name_index.get(name)
        if index is None:
            index = unit.name_index[name] = len(unit.names)
            unit.names.append(name)
        return index

    def emit_name(self, opcode: int, name: str) -> None:
        """An instruction whose argument is a (mangled) entry of co_names: attributes, imports."""
        self.instrs.append((opcode, self.name_index(mangle(self.unit.private, name)), None, self.pos))

    def varname_index(self, name: str) -> int:
        unit = self.unit
        index = unit.varname_index.get(name)
        if index is None:
            index = unit.varname_index[name] = len(unit.varnames)
            unit.varnames.append(name)
        return index

    # The three operations on a variable, by the kind of access its scope allows (compiler_nameop).
    _LOAD = (op.LOAD_FAST, op.LOAD_DEREF, op.LOAD_GLOBAL, op.LOAD_NAME)
    _STORE = (op.STORE_FAST, op.STORE_DEREF, op.STORE_GLOBAL, op.STORE_NAME)
    _DELETE = (op.DELETE_FAST, op.DELETE_DEREF, op.DELETE_GLOBAL, op.DELETE_NAME)

    def nameop(self, name: str, ops: tuple[int, int, int, int]) -> None:
        unit = self.unit
        mangled = name if unit.private is None or name[:2] != "__" else mangle(unit.private, name)
        scope = (unit.symbols.get(mangled, 0) >> SCOPE_OFFSET) & SCOPE_MASK
        is_function = unit.is_function
        if scope == FREE:
            opcode = ops[1]
            if opcode == op.LOAD_DEREF and unit.kind is UnitKind.CLASS:
                opcode = op.LOAD_CLASSDEREF
            arg = unit.free_index[mangled]
        elif scope == CELL:
            opcode = ops[1]
            arg = unit.cell_index[mangled]
        elif scope == LOCAL and is_function:
            opcode = ops[0]
            arg = self.varname_index(mangled)
        elif scope == GLOBAL_EXPLICIT or (scope == GLOBAL_IMPLICIT and is_function):
            opcode = ops[2]
            arg = self.name_index(mangled)
        else:
            opcode = ops[3]
            arg = self.name_index(mangled)
        self.instrs.append((opcode, arg, None, self.pos))

    def load_name(self, name: str) -> None:
        if name == "__debug__":
            self.load_const(True)
        else:
            self.nameop(name, self._LOAD)

    def store_name(self, name: str) -> None:
        self.nameop(name, self._STORE)

    def delete_name(self, name: str) -> None:
        self.nameop(name, self._DELETE)

    # --- the compile-time block stack -----------------------------------------------------------

    def push_fblock(self, fblock: FBlock) -> None:
        unit = self.unit
        unit.fblocks.append(fblock)
        unit.blocks += fblock.runtime_blocks
        if unit.blocks > unit.max_blocks:
            unit.max_blocks = unit.blocks

    def pop_fblock(self) -> FBlock:
        unit = self.unit
        fblock = unit.fblocks.pop()
        unit.blocks -= fblock.runtime_blocks
        return fblock

    def note_blocks(self, extra: int) -> None:
        """Record that ``extra`` run-time blocks sit above the current ones somewhere here."""
        unit = self.unit
        if unit.blocks + extra > unit.max_blocks:
            unit.max_blocks = unit.blocks + extra

    # --- closures and function objects ----------------------------------------------------------

    # [defaults] [kw-only defaults] [annotations] [LOAD_CLOSURE x ... BUILD_TUPLE n]
    # LOAD_CONST <code>; LOAD_CONST <qualname>; MAKE_FUNCTION flags
    def make_closure(self, code: Code, qualname: str, flags: int) -> None:
        if code.freevars:
            unit = self.unit
            for name in code.freevars:
                # A class's implicit __class__ is its own cell; any other name is a free variable
                # of this unit, or a cell of it (also when the class body binds the same name).
                if unit.kind is UnitKind.CLASS and name == "__class__":
                    arg = unit.cell_index[name]
                elif name in unit.cell_index and unit.scope.scope_of(name) == CELL:
                    arg = unit.cell_index[name]
                else:
                    arg = unit.free_index[name]
                self.emit(op.LOAD_CLOSURE, arg)
            self.emit(op.BUILD_TUPLE, len(code.freevars))
            flags |= op.MAKE_CLOSURE
        self.load_const(code)
        self.load_const(qualname)
        self.emit(op.MAKE_FUNCTION, flags)

    def compile_defaults(self, args: ast.arguments) -> int:
        """Push the defaults tuple and the keyword-only defaults dict; return MAKE_FUNCTION's bits."""
        flags = 0
        if args.defaults:
            self.compile_tuple_of(args.defaults)
            flags |= op.MAKE_DEFAULTS
        names = []
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            if default is not None:
                names.append(mangle(self.unit.private, arg.arg))
                self.visit_expr(default)
        if names:
            self.load_const(tuple(names))
            self.emit(op.BUILD_CONST_KEY_MAP, len(names))
            flags |= op.MAKE_KWDEFAULTS
        return flags

    def compile_tuple_of(self, exprs: list[ast.expr]) -> None:
        """A tuple of the values of ``exprs``: one constant when they all are constants."""
        values = [constant_value(expr) for expr in exprs]
        if NOT_CONSTANT not in values:
            self.load_const(tuple(values))
            return
        for expr in exprs:
            self.visit_expr(expr)
        self.emit(op.BUILD_TUPLE, len(exprs))

    # Annotations dict: <annotation> ... LOAD_CONST ('a', 'b', 'return'); BUILD_CONST_KEY_MAP n
    def compile_annotations(self, args: ast.arguments, returns: Optional[ast.expr]) -> int:
        names: list[str] = []
        private = self.unit.private
        for arg in [*args.args, *args.posonlyargs, args.vararg, *args.kwonlyargs, args.kwarg]:
            if arg is not None and arg.annotation is not None:
                self.compile_annotation_value(arg.annotation, starred_ok=arg is args.vararg)
                names.append(mangle(private, arg.arg))
        if returns is not None:
            self.compile_annotation_value(returns)
            names.append("return")
        if not names:
            return 0
        self.load_const(tuple(names))
        self.emit(op.BUILD_CONST_KEY_MAP, len(names))
        return op.MAKE_ANNOTATIONS

    def compile_annotation_value(self, annotation: ast.expr, starred_ok: bool = False) -> None:
        """An annotation's value: the expression, or its source under the annotations future."""
        saved = self.pos
        self.pos = position_of(annotation)
        if self.future_annotations:
            self.load_const(ast.unparse(annotation))
        elif starred_ok and type(annotation) is ast.Starred:
            # *args: *Ts (PEP 646) annotates with the single item the star unpacks.
            self.visit_expr(annotation.value)
            self.emit(op.UNPACK_SEQUENCE, 1)
        else:
            self.visit_expr(annotation)
        self.pos = saved

    # <decorators>; <defaults ...>; MAKE_FUNCTION; CALL_FUNCTION 1 (per decorator); STORE_* name
    def compile_function_def(self, node) -> None:
        for decorator in node.decorator_list:
            self.visit_expr(decorator)
        args = node.args
        flags = self.compile_defaults(args)
        flags |= self.compile_annotations(args, node.returns)
        code = self.reuse.get(node)
        if code is None:
            code = self.compile_function_body(node)
        self.make_closure(code, code.qualname, flags)
        self.call_decorators(node.decorator_list)
        self.store_name(node.name)

    def compile_function_body(self, node) -> Code:
        args = node.args
        firstlineno = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        scope = self.table.scope_for(node)
        unit = self.enter_unit(scope, unit_kind(node), node.name, firstlineno, self.pos)
        unit.argcount = len(args.posonlyargs) + len(args.args)
        unit.posonlyargcount = len(args.posonlyargs)
        unit.kwonlyargcount = len(args.kwonlyargs)
        docstring = docstring_of(node.body)
        self.const_index(docstring)
        body = node.body[1:] if docstring is not None else node.body
        self.compile_statements(body)
        self.pos = position_of(node.body[-1])
        self.emit_implicit_return()
        return self.leave_unit()

    def call_decorators(self, decorators: list[ast.expr]) -> None:
        saved = self.pos
        for decorator in reversed(decorators):
            self.pos = position_of(decorator)
            self.emit(op.CALL_FUNCTION, 1)
        self.pos = saved

    # LOAD_BUILD_CLASS; <closure> LOAD_CONST <code>; LOAD_CONST 'C'; MAKE_FUNCTION;
    # LOAD_CONST 'C'; <bases and keywords, as a call>; <decorators>; STORE_* C
    def compile_class_def(self, node: ast.ClassDef) -> None:
        for decorator in node.decorator_list:
            self.visit_expr(decorator)
        code = self.reuse.get(node)
        if code is None:
            firstlineno = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            scope = self.table.scope_for(node)
            unit = self.enter_unit(scope, UnitKind.CLASS, node.name, firstlineno, self.pos)
            unit.private = node.name
            self.compile_class_body(node, unit)
            code = self.leave_unit()
        self.emit(op.LOAD_BUILD_CLASS)
        self.make_closure(code, node.name, 0)
        self.load_const(node.name)
        self.compile_call_arguments(2, node.bases, node.keywords)
        self.call_decorators(node.decorator_list)
        self.store_name(node.name)

    # LOAD_NAME __name__; STORE_NAME __module__; LOAD_CONST 'qualname'; STORE_NAME __qualname__;
    # [SETUP_ANNOTATIONS] [docstring: STORE_NAME __doc__] <body>
    # LOAD_CLOSURE __class__; DUP_TOP; STORE_NAME __classcell__; RETURN_VALUE   (a method needs it)
    # or LOAD_CONST None; RETURN_VALUE
    def compile_class_body(self, node: ast.ClassDef, unit: _Unit) -> None:
        self.emit(op.LOAD_NAME, self.name_index("__name__"))
        self.emit(op.STORE_NAME, self.name_index("__module__"))
        self.load_const(unit.qualname)
        self.emit(op.STORE_NAME, self.name_index("__qualname__"))
        self.compile_body(node.body)
        self.pos = NO_POSITION  # placed by the assembler, as the implicit return (emit_implicit_return)
        if unit.scope.needs_class_closure:
            self.emit(op.LOAD_CLOSURE, unit.cell_index["__class__"])
            self.emit(op.DUP_TOP)
            self.emit(op.STORE_NAME, self.name_index("__classcell__"))
        else:
            self.load_const(None)
        self.emit(op.RETURN_VALUE)

    def compile_body(self, body: list[ast.stmt]) -> None:
        """A module or class body: annotations dict, docstring, then the statements."""
        if find_annotations(body):
            self.emit(op.SETUP_ANNOTATIONS)
        docstring = docstring_of(body)
        if docstring is not None:
            self.pos = position_of(body[0])
            self.load_const(docstring)
            self.store_name("__doc__")
            body = body[1:]
        self.compile_statements(body)

    # <defaults> LOAD_CONST <code: body; RETURN_VALUE>; LOAD_CONST '<lambda>'; MAKE_FUNCTION
    def expr_lambda(self, node: ast.Lambda) -> None:
        args = node.args
        flags = self.compile_defaults(args)
        scope = self.table.scope_for(node)
        unit = self.enter_unit(scope, UnitKind.LAMBDA, "<lambda>", node.lineno, self.pos)
        unit.argcount = len(args.posonlyargs) + len(args.args)
        unit.posonlyargcount = len(args.posonlyargs)
        unit.kwonlyargcount = len(args.kwonlyargs)
        qualname = unit.qualname
        self.const_index(None)  # consts[0]: a lambda has no docstring
        self.visit_expr(node.body)
        self.emit(op.RETURN_VALUE)
        code = self.leave_unit()
        self.make_closure(code, qualname, flags)

    # <closure> LOAD_CONST <code>; LOAD_CONST qualname; MAKE_FUNCTION
    # <outermost iterable>; GET_ITER (GET_AITER); CALL_FUNCTION 1
    # [GET_AWAITABLE; LOAD_CONST None; YIELD_FROM]   (an async list/set/dict comprehension)
    def compile_comprehension(self, node) -> None:
        scope = self.table.scope_for(node)
        is_genexp = type(node) is ast.GeneratorExp
        unit = self.enter_unit(scope, UnitKind.COMPREHENSION, _COMPREHENSION_NAMES[type(node)], node.lineno,
                               self.pos)
        unit.argcount = 1
        qualname = unit.qualname
        self.const_index(None)
        if type(node) is ast.ListComp:
            self.emit(op.BUILD_LIST, 0)
        elif type(node) is ast.SetComp:
            self.emit(op.BUILD_SET, 0)
        elif type(node) is ast.DictComp:
            self.emit(op.BUILD_MAP, 0)
        self.compile_comprehension_loop(node, 0)
        if is_genexp:
            self.load_const(None)
        self.emit(op.RETURN_VALUE)
        code = self.leave_unit()
        self.make_closure(code, qualname, 0)
        outermost = node.generators[0]
        self.visit_expr(outermost.iter)
        self.emit(op.GET_AITER if outermost.is_async else op.GET_ITER)
        self.emit(op.CALL_FUNCTION, 1)
        if scope.is_async and not is_genexp:
            self.emit(op.GET_AWAITABLE)
            self.load_const(None)
            self.emit(op.YIELD_FROM)

    #     LOAD_FAST .0 (outermost) or <iterable> GET_ITER
    # top:
    #     FOR_ITER end
    #     <store target>; [<condition> POP_JUMP_IF_FALSE top]...
    #     <next generator, or: <element> LIST_APPEND n / SET_ADD n / MAP_ADD n / YIELD_VALUE POP_TOP>
    #     JUMP_ABSOLUTE top
    # end:
    # An async generator replaces FOR_ITER with SETUP_EXCEPT end; GET_ANEXT; LOAD_CONST None;
    # YIELD_FROM; POP_BLOCK, and `end:` holds END_ASYNC_FOR.
    def compile_comprehension_loop(self, node, index: int) -> None:
        generators = node.generators
        generator = generators[index]
        top = Label()
        end = Label()
        if index == 0:
            self.emit(op.LOAD_FAST, self.varname_index(".0"))
        else:
            self.visit_expr(generator.iter)
            self.emit(op.GET_AITER if generator.is_async else op.GET_ITER)
        self.place(top)
        if generator.is_async:
            self.emit_jump(op.SETUP_EXCEPT, end)
            self.note_blocks(1)
            self.emit(op.GET_ANEXT)
            self.load_const(None)
            self.emit(op.YIELD_FROM)
            self.emit(op.POP_BLOCK)
        else:
            self.emit_jump(op.FOR_ITER, end)
        self.compile_store(generator.target)
        for condition in generator.ifs:
            self.compile_jump_if(condition, top, False)
        if index + 1 < len(generators):
            self.compile_comprehension_loop(node, index + 1)
        else:
            depth = len(generators) + 1
            kind = type(node)
            if kind is ast.GeneratorExp:
                self.visit_expr(node.elt)
                self.emit(op.YIELD_VALUE)
                self.emit(op.POP_TOP)
            elif kind is ast.ListComp:
                self.visit_expr(node.elt)
                self.emit(op.LIST_APPEND, depth)
            elif kind is ast.SetComp:
                self.visit_expr(node.elt)
                self.emit(op.SET_ADD, depth)
            else:
                self.visit_expr(node.key)
                self.visit_expr(node.value)
                self.emit(op.MAP_ADD, depth)
        self.emit_jump(op.JUMP_ABSOLUTE, top)
        self.place(end)
        if generator.is_async:
            self.emit(op.END_ASYNC_FOR)


def find_annotations(body: list[ast.stmt]) -> bool:
    """Whether a module or class body has an annotated assignment (CPython's find_ann)."""
    for stmt in body:
        kind = type(stmt)
        if kind is ast.AnnAssign:
            return True
        if kind in (ast.For, ast.AsyncFor, ast.While, ast.If):
            if find_annotations(stmt.body) or find_annotations(stmt.orelse):
                return True
        elif kind in (ast.With, ast.AsyncWith):
            if find_annotations(stmt.body):
                return True
        elif kind in (ast.Try, ast.TryStar):
            if any(find_annotations(handler.body) for handler in stmt.handlers):
                return True
            if find_annotations(stmt.body) or find_annotations(stmt.finalbody) \
                    or find_annotations(stmt.orelse):
                return True
        elif kind is ast.Match:
            if any(find_annotations(case.body) for case in stmt.cases):
                return True
    return False


def generate_code(tree: ast.Module, table: SymbolTable, filename: str = "<string>",
                  mode: str = "exec", reuse: Optional[Mapping[ast.AST, Code]] = None) -> Code:
    """The module's code object (its functions, classes ... nested in its constants).

    ``mode`` "eval" returns the value of the module's single expression statement; "single"
    prints the value of each top-level expression statement (PRINT_EXPR), as the REPL does.
    ``reuse`` maps top-level def and class nodes to their code, made before (their bodies are
    then not read: vm/compiler/incremental.py keeps them out).
    """
    generator = CodeGenerator(tree, table, filename, mode, reuse)
    try:
        return generator.generate()
    except (CompilerBug, AssemblyError, RecursionError):
        raise
    except Exception as error:  # a bug: report where the generator was, never a bare traceback
        raise CompilerBug(f"{filename}:{generator.pos[0]}: {type(error).__name__}: {error}") from error
