"""The errors and warnings CPython 3.11's compiler (Python/compile.c) raises after its symbol table.

``check_module`` walks the tree in the order compile.c generates code and keeps the compiler state
those checks depend on: the kind of each code unit, its frame-block stack (loops, try, with,
handlers: at most 20, "too many statically nested blocks"; both kinds are units.py's, shared with
the code generator) and the "current location" compile.c reports an error at. The order matters
because CPython reports only the first error, and compile.c does not follow source order
everywhere: a try statement's ``else`` is compiled before its handlers, a comprehension's body
before its outermost iterable, a ``finally`` body once more for every ``return``, ``break`` and
``continue`` that leaves it (so an error in it may surface there first), and a ``while`` test
twice. Constant folding (folding.py) runs first in CPython, so the checks look at folded values.
docs/checks.md lists every ``compiler_error``/``compiler_warn`` call of compile.c 3.11 and how it
is covered; docs/compiler.md ("Two walks, not one visitor") says why this is a walk of its own.
"""

from __future__ import annotations

import ast
from typing import Callable, Optional

from bytelens.vm.compiler.diagnostics import CompileError, Diagnostic
from bytelens.vm.compiler.folding import NOT_CONSTANT, ConstantFolder, FoldedCompare, as_compare
from bytelens.vm.compiler.source import Future, Located, SourceLines, error_at, read_future, source_lines, tree_recursion, \
    warning_at
from bytelens.vm.compiler.symtable import SymbolTable
from bytelens.vm.compiler.units import LOOPS, MAX_BLOCKS, FBlockKind, UnitKind, unit_kind


#: UNPACK_EX packs its counts in one argument: fewer than 256 targets before the starred one,
#: fewer than INT_MAX >> 8 after it.
_MAX_STAR_PREFIX = 1 << 8
_MAX_STAR_SUFFIX = (2 ** 31 - 1) >> 8

EXCEPT_STAR_JUMP = "'break', 'continue' and 'return' cannot appear in an except* block"


class _Position:
    """A location compile.c computed rather than took from a node (attribute access spans)."""

    __slots__ = ("lineno", "col_offset", "end_lineno", "end_col_offset")

    def __init__(self, lineno: int, col_offset: int, end_lineno: int, end_col_offset: int) -> None:
        self.lineno, self.col_offset = lineno, col_offset
        self.end_lineno, self.end_col_offset = end_lineno, end_col_offset


class _Block:
    __slots__ = ("kind", "datum")

    def __init__(self, kind: FBlockKind, datum: object = None) -> None:
        self.kind, self.datum = kind, datum


class _Unit:
    """One code unit being compiled: its kind, its frame blocks and its current location."""

    __slots__ = ("kind", "is_function_block", "node", "blocks", "loc")

    def __init__(self, kind: UnitKind, node: ast.AST, firstlineno: int) -> None:
        self.kind = kind
        #: The symbol table's FunctionBlock: functions, lambdas and comprehensions.
        self.is_function_block = kind.is_function_block
        self.node = node
        self.blocks: list[_Block] = []
        #: compile.c's u_lineno/u_col_offset/...: None when "unset" (its -1).
        self.loc: Optional[Located] = _Position(firstlineno, 0, firstlineno, 0)


class _PatternContext:
    __slots__ = ("stores", "allow_irrefutable")

    def __init__(self, allow_irrefutable: bool) -> None:
        self.stores: list[str] = []
        self.allow_irrefutable = allow_irrefutable


def _is_wildcard(pattern: ast.pattern) -> bool:
    return type(pattern) is ast.MatchAs and pattern.pattern is None and pattern.name is None


def _docstring_first(body: list[ast.stmt]) -> bool:
    return bool(body) and type(body[0]) is ast.Expr and type(body[0].value) is ast.Constant \
        and isinstance(body[0].value.value, str)


class _Checker:
    """One walk over a module in compile.c's code-generation order (see the module docstring)."""

    def __init__(self, tree: ast.Module, table: SymbolTable, filename: str, lines: Optional[SourceLines],
                 future: Future, warnings_out: list[Diagnostic]) -> None:
        self.table = table
        self.filename = filename
        self.lines = lines
        self.future = future
        self.warnings = warnings_out
        self._seen_warnings: set[tuple] = set()
        self.folder = ConstantFolder()
        self.unit = _Unit(UnitKind.MODULE, tree, 1)
        self.units: list[_Unit] = []
        #: The statements being compiled: where an error goes when compile.c's location is unset.
        self.statements: list[ast.stmt] = []

    # -- reporting -------------------------------------------------------------------------------

    def _where(self) -> Located:
        loc = self.unit.loc
        if loc is None or loc.lineno is None or loc.lineno < 1:
            # compile.c reports line -1 here (an "artificial" location); show the statement instead.
            return self.statements[-1] if self.statements else _Position(1, 0, 1, 0)
        return loc

    def error(self, message: str) -> CompileError:
        return error_at(message, self.filename, self.lines, self._where())

    def warn(self, message: str) -> None:
        diagnostic = warning_at(message, self.filename, self.lines, self._where())
        key = (diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column, message)
        if key not in self._seen_warnings:
            self._seen_warnings.add(key)
            self.warnings.append(diagnostic)

    # -- units and frame blocks ------------------------------------------------------------------

    def _enter(self, kind: UnitKind, node: ast.AST, firstlineno: int) -> None:
        self.units.append(self.unit)
        self.unit = _Unit(kind, node, firstlineno)

    def _leave(self) -> None:
        self.unit = self.units.pop()

    def _push(self, kind: FBlockKind, datum: object = None) -> None:
        blocks = self.unit.blocks
        if len(blocks) >= MAX_BLOCKS:
            raise self.error("too many statically nested blocks")
        blocks.append(_Block(kind, datum))

    def _pop(self) -> None:
        self.unit.blocks.pop()

    def _unwind_blocks(self, preserve_value: bool, want_loop: bool) -> Optional[_Block]:
        """compiler_unwind_fblock_stack: leave blocks for return/break/continue; the loop found."""
        blocks = self.unit.blocks
        if not blocks:
            return None
        top = blocks[-1]
        if top.kind is FBlockKind.EXCEPTION_GROUP_HANDLER:
            raise self.error(EXCEPT_STAR_JUMP)
        if want_loop and top.kind in LOOPS:
            return top
        blocks.pop()
        self._unwind_block(top, preserve_value)
        loop = self._unwind_blocks(preserve_value, want_loop)
        blocks.append(top)
        return loop

    def _unwind_block(self, block: _Block, preserve_value: bool) -> None:
        if block.kind is FBlockKind.FINALLY_TRY:
            if preserve_value:
                self._push(FBlockKind.POP_VALUE)
            self._statements(block.datum)
            if preserve_value:
                self._pop()
            self.unit.loc = None
        elif block.kind in (FBlockKind.WITH, FBlockKind.ASYNC_WITH):
            self.unit.loc = None

    # -- names -----------------------------------------------------------------------------------

    def _forbidden(self, name: str, ctx: type) -> None:
        if name == "__debug__":
            if ctx is ast.Store:
                raise self.error("cannot assign to __debug__")
            if ctx is ast.Del:
                raise self.error("cannot delete __debug__")

    def _check_debug_args(self, args: ast.arguments) -> None:
        for arg in (*args.posonlyargs, *args.args, args.vararg, *args.kwonlyargs, args.kwarg):
            if arg is not None:
                self._forbidden(arg.arg, ast.Store)

    # -- statements ------------------------------------------------------------------------------

    def module(self, tree: ast.Module) -> None:
        self._statements(tree.body[1:] if _docstring_first(tree.body) else tree.body)

    def _statements(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.statement(statement)

    def statement(self, node: ast.stmt) -> None:
        self.unit.loc = node
        self.statements.append(node)
        _STMT_CHECKS[type(node)](self, node)
        self.statements.pop()

    def _nothing(self, node: ast.AST) -> None:
        pass

    def _function(self, node: ast.FunctionDef) -> None:
        args = node.args
        self._check_debug_args(args)
        self._expressions(node.decorator_list)
        self._defaults(args)
        if not self.future.annotations:
            for arg in (*args.args, *args.posonlyargs, args.vararg, *args.kwonlyargs, args.kwarg):
                if arg is not None and arg.annotation is not None:
                    self._annotation(arg.annotation)
            if node.returns is not None:
                self._annotation(node.returns)
        firstlineno = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        self._enter(unit_kind(node), node, firstlineno)
        self._statements(node.body[1:] if _docstring_first(node.body) else node.body)
        self._leave()
        self._forbidden(node.name, ast.Store)

    def _annotation(self, annotation: ast.expr) -> None:
        self.expr(annotation.value if type(annotation) is ast.Starred else annotation)

    def _defaults(self, args: ast.arguments) -> None:
        self._expressions(args.defaults)
        for default in args.kw_defaults:
            if default is not None:
                self.expr(default)

    def _class(self, node: ast.ClassDef) -> None:
        self._expressions(node.decorator_list)
        firstlineno = node.decorator_list[0].lineno if node.decorator_list else node.lineno
        self._enter(UnitKind.CLASS, node, firstlineno)
        body = node.body
        if _docstring_first(body):
            self.unit.loc = None
            body = body[1:]
        self._statements(body)
        self._leave()
        self._call_arguments(node.bases, node.keywords)
        self._forbidden(node.name, ast.Store)

    def _return(self, node: ast.Return) -> None:
        unit = self.unit
        if not unit.is_function_block:
            raise self.error("'return' outside function")
        value = node.value
        scope = self.table.scope_for(unit.node)
        if value is not None and scope.is_generator and scope.is_async:
            raise self.error("'return' with value in async generator")
        preserve_value = value is not None and not self.folder.is_constant(value)
        if preserve_value:
            self.expr(value)
        elif value is not None:
            unit.loc = value
        if value is None or value.lineno != node.lineno:
            unit.loc = node
        self._unwind_blocks(preserve_value, want_loop=False)

    def _break(self, node: ast.Break) -> None:
        self._loop_exit("'break' outside loop")

    def _continue(self, node: ast.Continue) -> None:
        self._loop_exit("'continue' not properly in loop")

    def _loop_exit(self, message: str) -> None:
        saved = self.unit.loc
        if self._unwind_blocks(False, want_loop=True) is None:
            self.unit.loc = saved
            raise self.error(message)

    def _delete(self, node: ast.Delete) -> None:
        self._expressions(node.targets)

    def _assign(self, node: ast.Assign) -> None:
        self.expr(node.value)
        self._expressions(node.targets)

    def _augassign(self, node: ast.AugAssign) -> None:
        unit = self.unit
        target = node.target
        saved = unit.loc
        unit.loc = target
        kind = type(target)
        if kind is ast.Attribute:
            self.expr(target.value)
            self._attribute_location(target)
        elif kind is ast.Subscript:
            self.expr(target.value)
            self.expr(target.slice)
        unit.loc = saved
        self.expr(node.value)
        unit.loc = target
        if kind is ast.Attribute:
            self._attribute_location(target)
        elif kind is ast.Name:
            self._forbidden(target.id, ast.Store)

    def _annassign(self, node: ast.AnnAssign) -> None:
        target = node.target
        kind = type(target)
        evaluated = not self.unit.is_function_block and not self.future.annotations
        if node.value is not None:
            self.expr(node.value)
            self.expr(target)
        if kind is ast.Name:
            self._forbidden(target.id, ast.Store)
            if node.simple and evaluated:
                self.expr(node.annotation)
        elif kind is ast.Attribute:
            self._forbidden(target.attr, ast.Store)
            if node.value is None:
                self.expr(target.value)
        elif kind is ast.Subscript:
            if node.value is None:
                self.expr(target.value)
                self._annotated_subscript(target.slice)
        if not node.simple and evaluated:
            self.expr(node.annotation)

    def _annotated_subscript(self, node: ast.expr) -> None:
        kind = type(node)
        if kind is ast.Slice:
            for part in (node.lower, node.upper, node.step):
                if part is not None:
                    self.expr(part)
        elif kind is ast.Tuple and not self.folder.is_constant(node):
            for element in node.elts:
                self._annotated_subscript(element)
        else:
            self.expr(node)

    def _for(self, node: ast.For) -> None:
        self._push(FBlockKind.FOR_LOOP)
        self.expr(node.iter)
        self.expr(node.target)
        self._statements(node.body)
        self.unit.loc = None
        self._pop()
        self._statements(node.orelse)

    def _async_for(self, node: ast.AsyncFor) -> None:
        if self.unit.kind is not UnitKind.ASYNC_FUNCTION:
            raise self.error("'async for' outside async function")
        self.expr(node.iter)
        self._push(FBlockKind.FOR_LOOP)
        self.expr(node.target)
        self._statements(node.body)
        self.unit.loc = None
        self._pop()
        self.unit.loc = node.iter
        self._statements(node.orelse)

    def _while(self, node: ast.While) -> None:
        self._push(FBlockKind.WHILE_LOOP)
        self._jump_if(node.test)
        self._statements(node.body)
        self.unit.loc = node
        self._jump_if(node.test)
        self._pop()
        self._statements(node.orelse)

    def _if(self, node: ast.If) -> None:
        self._jump_if(node.test)
        self._statements(node.body)
        self._statements(node.orelse)

    def _with_statement(self, node: ast.With) -> None:
        self._with(node, 0, type(node) is ast.AsyncWith)

    def _with(self, node: ast.With, position: int, is_async: bool) -> None:
        if is_async and self.unit.kind is not UnitKind.ASYNC_FUNCTION:
            raise self.error("'async with' outside async function")
        item = node.items[position]
        self.expr(item.context_expr)
        self._push(FBlockKind.ASYNC_WITH if is_async else FBlockKind.WITH, node)
        if item.optional_vars is not None:
            self.expr(item.optional_vars)
        if position + 1 == len(node.items):
            self._statements(node.body)
        else:
            self._with(node, position + 1, is_async)
        self.unit.loc = None
        self._pop()
        self.unit.loc = node

    def _raise(self, node: ast.Raise) -> None:
        if node.exc is not None:
            self.expr(node.exc)
            if node.cause is not None:
                self.expr(node.cause)

    def _try(self, node: ast.Try) -> None:
        if node.finalbody:
            self._try_finally(node, self._try_except)
        else:
            self._try_except(node)

    def _try_star(self, node: ast.TryStar) -> None:
        if node.finalbody:
            self._try_finally(node, self._try_star_except)
        else:
            self._try_star_except(node)

    def _try_finally(self, node: ast.Try, handlers: Callable[[ast.Try], None]) -> None:
        self._push(FBlockKind.FINALLY_TRY, node.finalbody)
        if node.handlers:
            handlers(node)
        else:
            self._statements(node.body)
        self._pop()
        self._statements(node.finalbody)
        self.unit.loc = None
        self._push(FBlockKind.FINALLY_END)
        self._statements(node.finalbody)
        self._pop()

    def _try_except(self, node: ast.Try) -> None:
        unit = self.unit
        self._push(FBlockKind.TRY_EXCEPT)
        self._statements(node.body)
        self._pop()
        self._statements(node.orelse)
        unit.loc = None
        self._push(FBlockKind.EXCEPTION_HANDLER)
        last = len(node.handlers) - 1
        for index, handler in enumerate(node.handlers):
            unit.loc = handler
            if handler.type is None and index < last:
                raise self.error("default 'except:' must be last")
            if handler.type is not None:
                self.expr(handler.type)
            if handler.name is not None:
                self._forbidden(handler.name, ast.Store)
            self._push(FBlockKind.HANDLER_CLEANUP, handler.name)
            self._statements(handler.body)
            self._pop()
            unit.loc = None
        self._pop()

    def _try_star_except(self, node: ast.TryStar) -> None:
        unit = self.unit
        self._push(FBlockKind.TRY_EXCEPT)
        self._statements(node.body)
        self._pop()
        unit.loc = None
        self._push(FBlockKind.EXCEPTION_GROUP_HANDLER)
        for handler in node.handlers:
            unit.loc = handler
            if handler.type is not None:
                self.expr(handler.type)
            if handler.name is not None:
                self._forbidden(handler.name, ast.Store)
            self._push(FBlockKind.HANDLER_CLEANUP, handler.name)
            self._statements(handler.body)
            self._pop()
            unit.loc = None
        self._pop()
        self._statements(node.orelse)

    def _assert(self, node: ast.Assert) -> None:
        test = node.test
        folded = self.folder.value(test)
        if (type(folded) is tuple and folded) or (folded is NOT_CONSTANT and type(test) is ast.Tuple
                                                   and test.elts):
            self.warn("assertion is always true, perhaps remove parentheses?")
        self._jump_if(test)
        if node.msg is not None:
            self.expr(node.msg)
        self.unit.loc = test

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._forbidden(alias.asname or alias.name.partition(".")[0], ast.Store)

    def _import_from(self, node: ast.ImportFrom) -> None:
        if node.lineno > self.future.lineno and node.module == "__future__":
            raise self.error("from __future__ imports must occur at the beginning of the file")
        for alias in node.names:
            if alias.name == "*":
                return
            self._forbidden(alias.asname or alias.name, ast.Store)

    def _expr_statement(self, node: ast.Expr) -> None:
        if not self.folder.is_constant(node.value):
            self.expr(node.value)

    # -- pattern matching ------------------------------------------------------------------------

    def _match(self, node: ast.Match) -> None:
        unit = self.unit
        self.expr(node.subject)
        cases = node.cases
        has_default = _is_wildcard(cases[-1].pattern) and len(cases) > 1
        for index, case in enumerate(cases[:len(cases) - has_default]):
            unit.loc = case.pattern
            context = _PatternContext(case.guard is not None or index == len(cases) - 1)
            self._pattern(case.pattern, context)
            if case.guard is not None:
                self._jump_if(case.guard)
            self._statements(case.body)
            unit.loc = case.pattern
        if has_default:
            case = cases[-1]
            unit.loc = case.pattern
            if case.guard is not None:
                self._jump_if(case.guard)
            self._statements(case.body)
            unit.loc = None

    def _pattern(self, pattern: ast.pattern, context: _PatternContext) -> None:
        self.unit.loc = pattern
        _PATTERN_CHECKS[type(pattern)](self, pattern, context)

    def _subpattern(self, pattern: ast.pattern, context: _PatternContext) -> None:
        saved = context.allow_irrefutable
        context.allow_irrefutable = True
        self._pattern(pattern, context)
        context.allow_irrefutable = saved

    def _store_name(self, name: Optional[str], context: _PatternContext) -> None:
        if name is None:
            return
        self._forbidden(name, ast.Store)
        if name in context.stores:
            raise self.error(f"multiple assignments to name {name!r} in pattern")
        context.stores.append(name)

    def _nothing_pattern(self, pattern: ast.pattern, context: _PatternContext) -> None:
        pass

    def _pattern_value(self, pattern: ast.MatchValue, context: _PatternContext) -> None:
        value = pattern.value
        if not self.folder.is_constant(value) and type(value) is not ast.Attribute:
            raise self.error("patterns may only match literals and attribute lookups")
        self.expr(value)

    def _pattern_sequence(self, pattern: ast.MatchSequence, context: _PatternContext) -> None:
        patterns = pattern.patterns
        star = -1
        only_wildcard = True
        star_wildcard = False
        for index, sub in enumerate(patterns):
            if type(sub) is ast.MatchStar:
                if star >= 0:
                    raise self.error("multiple starred names in sequence pattern")
                star_wildcard = sub.name is None
                only_wildcard = only_wildcard and star_wildcard
                star = index
                continue
            only_wildcard = only_wildcard and _is_wildcard(sub)
        if only_wildcard:
            return
        if star_wildcard:
            for index, sub in enumerate(patterns):
                if index != star and not _is_wildcard(sub):
                    self._subpattern(sub, context)
            return
        if star >= 0 and (star >= _MAX_STAR_PREFIX or len(patterns) - star - 1 >= _MAX_STAR_SUFFIX):
            raise self.error("too many expressions in star-unpacking sequence pattern")
        for sub in patterns:
            self._subpattern(sub, context)

    def _pattern_mapping(self, pattern: ast.MatchMapping, context: _PatternContext) -> None:
        if not pattern.keys and pattern.rest is None:
            return
        seen: set = set()
        for key in pattern.keys:
            value = self.folder.value(key)
            if value is not NOT_CONSTANT:
                if value in seen:
                    raise self.error(f"mapping pattern checks duplicate key ({value!r})")
                seen.add(value)
            elif type(key) is not ast.Attribute:
                raise self.error("mapping pattern keys may only match literals and attribute lookups")
            self.expr(key)
        for sub in pattern.patterns:
            self._subpattern(sub, context)
        self._store_name(pattern.rest, context)

    def _pattern_class(self, pattern: ast.MatchClass, context: _PatternContext) -> None:
        unit = self.unit
        attrs = pattern.kwd_attrs
        if attrs:
            for index, attr in enumerate(attrs):
                unit.loc = pattern.kwd_patterns[index]
                self._forbidden(attr, ast.Store)
                for other in range(index + 1, len(attrs)):
                    if attrs[other] == attr:
                        unit.loc = pattern.kwd_patterns[other]
                        raise self.error(f"attribute name repeated in class pattern: {attr}")
            unit.loc = pattern
        self.expr(pattern.cls)
        for sub in (*pattern.patterns, *pattern.kwd_patterns):
            if not _is_wildcard(sub):
                self._subpattern(sub, context)

    def _pattern_star(self, pattern: ast.MatchStar, context: _PatternContext) -> None:
        self._store_name(pattern.name, context)

    def _pattern_as(self, pattern: ast.MatchAs, context: _PatternContext) -> None:
        if pattern.pattern is None:
            if not context.allow_irrefutable:
                if pattern.name is not None:
                    raise self.error(f"name capture {pattern.name!r} makes remaining patterns unreachable")
                raise self.error("wildcard makes remaining patterns unreachable")
            self._store_name(pattern.name, context)
            return
        self._pattern(pattern.pattern, context)
        self._store_name(pattern.name, context)

    def _pattern_or(self, pattern: ast.MatchOr, context: _PatternContext) -> None:
        outer_stores = context.stores
        outer_allow = context.allow_irrefutable
        control: Optional[list[str]] = None
        last = len(pattern.patterns) - 1
        for index, alternative in enumerate(pattern.patterns):
            self.unit.loc = alternative
            context.stores = []
            context.allow_irrefutable = index == last and outer_allow
            self._pattern(alternative, context)
            if control is None:
                control = context.stores
            elif len(context.stores) != len(control) or any(n not in context.stores for n in control):
                raise self.error("alternative patterns bind different names")
        context.stores = outer_stores
        context.allow_irrefutable = outer_allow
        for name in control:
            if name in outer_stores:
                raise self.error(f"multiple assignments to name {name!r} in pattern")
            outer_stores.append(name)

    # -- expressions -----------------------------------------------------------------------------

    def _expressions(self, nodes: list[ast.expr]) -> None:
        for node in nodes:
            self.expr(node)

    def expr(self, node: ast.expr) -> None:
        unit = self.unit
        saved = unit.loc
        unit.loc = node
        _EXPR_CHECKS[type(node)](self, node)
        unit.loc = saved

    def _jump_if(self, node: ast.expr) -> None:
        """compiler_jump_if: conditions are compiled without visiting ``not``/``and``/``or`` nodes."""
        kind = type(node)
        if kind is ast.UnaryOp and type(node.op) is ast.Not and as_compare(node) is None \
                and not self.folder.is_constant(node):
            self._jump_if(node.operand)
        elif kind is ast.BoolOp:
            for value in node.values:
                self._jump_if(value)
        elif kind is ast.IfExp:
            self._jump_if(node.test)
            self._jump_if(node.body)
            self._jump_if(node.orelse)
        elif kind is ast.Compare and len(node.ops) > 1:
            self.unit.loc = node
            self._compare(as_compare(node))
        else:
            self.expr(node)

    def _boolop(self, node: ast.BoolOp) -> None:
        self._expressions(node.values)

    def _namedexpr(self, node: ast.NamedExpr) -> None:
        self.expr(node.value)
        self.expr(node.target)

    def _binop(self, node: ast.BinOp) -> None:
        if not self.folder.is_constant(node):
            self.expr(node.left)
            self.expr(node.right)

    def _unaryop(self, node: ast.UnaryOp) -> None:
        if self.folder.is_constant(node):
            return
        compare = as_compare(node)
        if compare is not None:
            self.unit.loc = compare.node
            self._compare(compare)
        else:
            self.expr(node.operand)

    def _lambda(self, node: ast.Lambda) -> None:
        self._check_debug_args(node.args)
        self._defaults(node.args)
        self._enter(UnitKind.LAMBDA, node, node.lineno)
        self.expr(node.body)
        self._leave()

    def _ifexp(self, node: ast.IfExp) -> None:
        self._jump_if(node.test)
        self.expr(node.body)
        self.expr(node.orelse)

    def _dict(self, node: ast.Dict) -> None:
        for key, value in zip(node.keys, node.values):
            if key is not None:
                self.expr(key)
            self.expr(value)

    def _elements(self, node: ast.expr) -> None:
        for element in node.elts:
            self.expr(element.value if type(element) is ast.Starred else element)

    def _comprehension(self, node: ast.expr) -> None:
        parent = self.unit.kind
        self._enter(UnitKind.COMPREHENSION, node, node.lineno)
        self.unit.loc = node
        if self.table.scope_for(node).is_async and type(node) is not ast.GeneratorExp \
                and parent not in (UnitKind.ASYNC_FUNCTION, UnitKind.COMPREHENSION):
            raise self.error("asynchronous comprehension outside of an asynchronous function")
        self._generator(node, 0)
        self._leave()
        self.expr(node.generators[0].iter)

    def _generator(self, node: ast.expr, index: int) -> None:
        clause = node.generators[index]
        if index > 0:
            self.expr(clause.iter)
        if clause.is_async:
            self._push(FBlockKind.ASYNC_COMPREHENSION_GENERATOR)
        self.expr(clause.target)
        for condition in clause.ifs:
            self._jump_if(condition)
        if index + 1 < len(node.generators):
            self._generator(node, index + 1)
        elif type(node) is ast.DictComp:
            self.expr(node.key)
            self.expr(node.value)
        else:
            self.expr(node.elt)
        if clause.is_async:
            self._pop()

    def _await(self, node: ast.Await) -> None:
        unit = self.unit
        if not unit.is_function_block:
            raise self.error("'await' outside function")
        if unit.kind not in (UnitKind.ASYNC_FUNCTION, UnitKind.COMPREHENSION):
            raise self.error("'await' outside async function")
        self.expr(node.value)

    def _yield(self, node: ast.Yield) -> None:
        if not self.unit.is_function_block:
            raise self.error("'yield' outside function")
        if node.value is not None:
            self.expr(node.value)

    def _yield_from(self, node: ast.YieldFrom) -> None:
        if not self.unit.is_function_block:
            raise self.error("'yield' outside function")
        if self.unit.kind is UnitKind.ASYNC_FUNCTION:
            raise self.error("'yield from' inside async function")
        self.expr(node.value)

    def _compare_node(self, node: ast.Compare) -> None:
        self._compare(as_compare(node))

    def _compare(self, compare: FoldedCompare) -> None:
        """check_compare: one warning at most for ``is``/``is not`` against a literal."""
        left_is_fine = self._may_be_identical(compare.left)
        for op, right in zip(compare.ops, compare.comparators):
            right_is_fine = self._may_be_identical(right)
            if type(op) in (ast.Is, ast.IsNot) and not (left_is_fine and right_is_fine):
                self.warn('"is" with a literal. Did you mean "=="?' if type(op) is ast.Is
                          else '"is not" with a literal. Did you mean "!="?')
                break
            left_is_fine = right_is_fine
        self.expr(compare.left)
        self._expressions(compare.comparators)

    def _may_be_identical(self, node: ast.expr) -> bool:
        """check_is_arg: anything but a literal other than None, True, False and Ellipsis."""
        value = self.folder.value(node)
        return value is NOT_CONSTANT or value is None or value is True or value is False \
            or value is Ellipsis

    def _call(self, node: ast.Call) -> None:
        self._validate_keywords(node.keywords)
        self._check_caller(node.func)
        self.expr(node.func)
        self._arguments(node.args, node.keywords)

    def _call_arguments(self, args: list[ast.expr], keywords: list[ast.keyword]) -> None:
        self._validate_keywords(keywords)
        self._arguments(args, keywords)

    def _arguments(self, args: list[ast.expr], keywords: list[ast.keyword]) -> None:
        for arg in args:
            self.expr(arg.value if type(arg) is ast.Starred else arg)
        for keyword in keywords:
            self.expr(keyword.value)

    def _validate_keywords(self, keywords: list[ast.keyword]) -> None:
        for index, keyword in enumerate(keywords):
            name = keyword.arg
            if name is None:
                continue
            self._forbidden(name, ast.Store)
            for other in keywords[index + 1:]:
                if other.arg == name:
                    self.unit.loc = other
                    raise self.error(f"keyword argument repeated: {name}")

    def _type_of(self, node: ast.expr) -> Optional[type]:
        """infer_type: the type an expression certainly has, from its syntax alone."""
        value = self.folder.value(node)
        if value is not NOT_CONSTANT:
            return type(value)
        return _INFERRED_TYPES.get(type(node))

    def _check_caller(self, func: ast.expr) -> None:
        kind = type(func)
        if self.folder.is_constant(func) or kind in _NOT_CALLABLE:
            self.warn(f"'{self._type_of(func).__name__}' object is not callable; "
                      "perhaps you missed a comma?")

    def _check_subscripter(self, value: ast.expr) -> None:
        folded = self.folder.value(value)
        if folded is NOT_CONSTANT:
            if type(value) not in _NOT_SUBSCRIPTABLE:
                return
        elif not (folded is None or folded is Ellipsis
                  or isinstance(folded, (int, float, complex, frozenset, set))):
            return
        self.warn(f"'{self._type_of(value).__name__}' object is not subscriptable; "
                  "perhaps you missed a comma?")

    def _check_index(self, value: ast.expr, index: ast.expr) -> None:
        index_type = self._type_of(index)
        if index_type is None or issubclass(index_type, int) or index_type is slice:
            return
        folded = self.folder.value(value)
        if folded is NOT_CONSTANT:
            if type(value) not in _NOT_INDEXABLE_BY_NON_INT:
                return
        elif not isinstance(folded, (str, bytes, tuple)):
            return
        self.warn(f"{self._type_of(value).__name__} indices must be integers or slices, "
                  f"not {index_type.__name__}; perhaps you missed a comma?")

    def _formatted_value(self, node: ast.FormattedValue) -> None:
        self.expr(node.value)
        if node.format_spec is not None:
            self.expr(node.format_spec)

    def _joined_str(self, node: ast.JoinedStr) -> None:
        self._expressions(node.values)

    def _attribute(self, node: ast.Attribute) -> None:
        self.expr(node.value)
        self._attribute_location(node)
        if type(node.ctx) is ast.Store:
            self._forbidden(node.attr, ast.Store)

    def _attribute_location(self, node: ast.Attribute) -> None:
        """update_start_location_to_match_attr: a multi-line access is located at its name."""
        unit = self.unit
        loc = unit.loc
        if loc is None or loc.lineno == node.end_lineno:
            return
        lineno = node.end_lineno
        end_lineno = max(lineno, loc.end_lineno)
        end_col = loc.end_col_offset
        if len(node.attr) <= node.end_col_offset:
            col = node.end_col_offset - len(node.attr)
        else:
            col = end_col = -1
        if lineno == end_lineno:
            end_col = max(col, end_col)
        unit.loc = _Position(lineno, col, end_lineno, end_col)

    def _subscript(self, node: ast.Subscript) -> None:
        if self.folder.is_constant(node):
            return
        if type(node.ctx) is ast.Load:
            self._check_subscripter(node.value)
            self._check_index(node.value, node.slice)
        self.expr(node.value)
        self.expr(node.slice)

    def _starred(self, node: ast.Starred) -> None:
        if type(node.ctx) is ast.Store:
            raise self.error("starred assignment target must be in a list or tuple")
        raise self.error("can't use starred expression here")

    def _name(self, node: ast.Name) -> None:
        self._forbidden(node.id, type(node.ctx))

    def _sequence(self, node: ast.expr) -> None:
        ctx = type(node.ctx)
        if ctx is ast.Store:
            self._unpack_target(node.elts)
            for element in node.elts:
                self.expr(element.value if type(element) is ast.Starred else element)
        elif ctx is ast.Load:
            if not self.folder.is_constant(node):
                self._elements(node)
        else:
            self._expressions(node.elts)

    def _unpack_target(self, elements: list[ast.expr]) -> None:
        seen_star = False
        for index, element in enumerate(elements):
            if type(element) is ast.Starred:
                if seen_star:
                    raise self.error("multiple starred expressions in assignment")
                if index >= _MAX_STAR_PREFIX or len(elements) - index - 1 >= _MAX_STAR_SUFFIX:
                    raise self.error("too many expressions in star-unpacking assignment")
                seen_star = True

    def _slice(self, node: ast.Slice) -> None:
        for part in (node.lower, node.upper, node.step):
            if part is not None:
                self.expr(part)


#: compile.c's compiler_visit_stmt / compiler_visit_expr / compiler_pattern dispatch. Module-level
#: tables of plain functions (not bound methods held by the checker), so a checker is not a cycle.
_STMT_CHECKS: dict[type, Callable] = {
    ast.FunctionDef: _Checker._function, ast.AsyncFunctionDef: _Checker._function,
    ast.ClassDef: _Checker._class, ast.Return: _Checker._return, ast.Delete: _Checker._delete,
    ast.Assign: _Checker._assign, ast.AugAssign: _Checker._augassign, ast.AnnAssign: _Checker._annassign,
    ast.For: _Checker._for, ast.AsyncFor: _Checker._async_for, ast.While: _Checker._while,
    ast.If: _Checker._if, ast.With: _Checker._with_statement, ast.AsyncWith: _Checker._with_statement,
    ast.Match: _Checker._match,
    ast.Raise: _Checker._raise, ast.Try: _Checker._try, ast.TryStar: _Checker._try_star,
    ast.Assert: _Checker._assert, ast.Import: _Checker._import, ast.ImportFrom: _Checker._import_from,
    ast.Global: _Checker._nothing, ast.Nonlocal: _Checker._nothing, ast.Expr: _Checker._expr_statement,
    ast.Pass: _Checker._nothing, ast.Break: _Checker._break, ast.Continue: _Checker._continue,
}

_EXPR_CHECKS: dict[type, Callable] = {
    ast.BoolOp: _Checker._boolop, ast.NamedExpr: _Checker._namedexpr, ast.BinOp: _Checker._binop,
    ast.UnaryOp: _Checker._unaryop, ast.Lambda: _Checker._lambda, ast.IfExp: _Checker._ifexp,
    ast.Dict: _Checker._dict, ast.Set: _Checker._elements, ast.ListComp: _Checker._comprehension,
    ast.SetComp: _Checker._comprehension, ast.DictComp: _Checker._comprehension,
    ast.GeneratorExp: _Checker._comprehension, ast.Await: _Checker._await, ast.Yield: _Checker._yield,
    ast.YieldFrom: _Checker._yield_from, ast.Compare: _Checker._compare_node, ast.Call: _Checker._call,
    ast.FormattedValue: _Checker._formatted_value, ast.JoinedStr: _Checker._joined_str,
    ast.Constant: _Checker._nothing, ast.Attribute: _Checker._attribute,
    ast.Subscript: _Checker._subscript, ast.Starred: _Checker._starred, ast.Name: _Checker._name,
    ast.List: _Checker._sequence, ast.Tuple: _Checker._sequence, ast.Slice: _Checker._slice,
}

_PATTERN_CHECKS: dict[type, Callable] = {
    ast.MatchValue: _Checker._pattern_value, ast.MatchSingleton: _Checker._nothing_pattern,
    ast.MatchSequence: _Checker._pattern_sequence, ast.MatchMapping: _Checker._pattern_mapping,
    ast.MatchClass: _Checker._pattern_class, ast.MatchStar: _Checker._pattern_star,
    ast.MatchAs: _Checker._pattern_as, ast.MatchOr: _Checker._pattern_or,
}

_INFERRED_TYPES: dict[type, type] = {
    ast.Tuple: tuple, ast.List: list, ast.ListComp: list, ast.Dict: dict, ast.DictComp: dict,
    ast.Set: set, ast.SetComp: set, ast.GeneratorExp: type(x for x in ()),
    ast.Lambda: type(lambda: None), ast.JoinedStr: str, ast.FormattedValue: str,
}
_NOT_CALLABLE = frozenset({ast.Tuple, ast.List, ast.ListComp, ast.Dict, ast.DictComp, ast.Set,
                           ast.SetComp, ast.GeneratorExp, ast.JoinedStr, ast.FormattedValue})
_NOT_SUBSCRIPTABLE = frozenset({ast.Set, ast.SetComp, ast.GeneratorExp, ast.Lambda})
_NOT_INDEXABLE_BY_NON_INT = frozenset({ast.Tuple, ast.List, ast.ListComp, ast.JoinedStr,
                                       ast.FormattedValue})


def check_module(tree: ast.Module, table: SymbolTable, filename: str, *,
                 warnings_out: Optional[list[Diagnostic]] = None) -> list[Diagnostic]:
    """Raise ``CompileError`` for the first compile-stage error CPython 3.11 reports; the warnings.

    Run it after the symbol table accepted the module (CPython reports symbol-table errors first):
    the checks read each scope's generator and coroutine flags from ``table``. Warnings are
    appended to ``warnings_out`` as they are found, so a caller keeps the ones found before an error.
    """
    found: list[Diagnostic] = [] if warnings_out is None else warnings_out
    start = len(found)
    checker = _Checker(tree, table, filename, source_lines(tree), read_future(tree, filename), found)
    with tree_recursion():
        checker.module(tree)
    return found[start:]
