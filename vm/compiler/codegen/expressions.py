"""Expressions and assignment targets: the part of the code generator (see compiler/codegen/generator.py) for them."""

from __future__ import annotations

import ast
from typing import Any

from bytelens.vm.isa import opcodes as op
from bytelens.vm.compiler.assembler import Label
from bytelens.vm.compiler.diagnostics import CompilerBug

#: ``constant_value`` of an expression that does not fold to a constant.
NOT_CONSTANT: Any = object()

_NUMBERS = (int, float, complex)
_BINARY = {name: getattr(op, opname) for name, opname in op.BINARY_OPS.items()}
_UNARY = {name: getattr(op, opname) for name, opname in op.UNARY_OPS.items()}
_COMPARE = op.COMPARE_INDEX
_IS = op.COMPARE_INDEX["Is"]
_CONVERSIONS = {-1: 0, ord("s"): 1, ord("r"): 2, ord("a"): 3}


def constant_value(node: ast.expr) -> Any:
    """The constant an expression folds to, or NOT_CONSTANT.

    Folded: literals, a negated number literal, ``__debug__``, and tuples of these.
    """
    kind = type(node)
    if kind is ast.Constant:
        return node.value
    if kind is ast.UnaryOp:
        if type(node.op) is ast.USub and type(node.operand) is ast.Constant \
                and type(node.operand.value) in _NUMBERS:
            return -node.operand.value
        return NOT_CONSTANT
    if kind is ast.Tuple:
        if type(node.ctx) is not ast.Load:
            return NOT_CONSTANT
        items = []
        for element in node.elts:
            value = constant_value(element)
            if value is NOT_CONSTANT:
                return NOT_CONSTANT
            items.append(value)
        return tuple(items)
    if kind is ast.Name and node.id == "__debug__" and type(node.ctx) is ast.Load:
        return True
    return NOT_CONSTANT


class ExpressionCompiler:
    """Mixin of ``CodeGenerator``: one method per expression kind, plus targets and conditions."""

    def visit_expr(self, node: ast.expr) -> None:
        saved = self.pos
        self.pos = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
        _EXPRESSIONS[type(node)](self, node)
        self.pos = saved

    def bug(self, what: str) -> Exception:
        return CompilerBug(f"{self.filename}:{self.pos[0]}: cannot compile {what}")

    # --- leaves ---------------------------------------------------------------------------------

    def expr_constant(self, node: ast.Constant) -> None:
        self.load_const(node.value)

    def expr_name(self, node: ast.Name) -> None:
        if type(node.ctx) is not ast.Load:
            raise self.bug(f"a name in {type(node.ctx).__name__} context as a value")
        self.load_name(node.id)

    # --- operators ------------------------------------------------------------------------------

    # <left> <right> BINARY_op; a left-nested chain `a + b + c ...` is walked without recursion
    def expr_binop(self, node: ast.BinOp) -> None:
        chain = []
        while type(node) is ast.BinOp:
            chain.append(node)
            node = node.left
        self.visit_expr(node)
        saved = self.pos
        for link in reversed(chain):
            self.visit_expr(link.right)
            self.pos = (link.lineno, link.col_offset, link.end_lineno, link.end_col_offset)
            self.emit(_BINARY[type(link.op).__name__])
        self.pos = saved

    # <operand> UNARY_op   (a negated number literal is one constant)
    def expr_unaryop(self, node: ast.UnaryOp) -> None:
        value = constant_value(node)
        if value is not NOT_CONSTANT:
            self.load_const(value)
            return
        self.visit_expr(node.operand)
        self.emit(_UNARY[type(node.op).__name__])

    #     <v1> JUMP_IF_FALSE_OR_POP end    (JUMP_IF_TRUE_OR_POP for `or`)
    #     <v2> ...
    #     <vn>
    # end:
    def expr_boolop(self, node: ast.BoolOp) -> None:
        jump = op.JUMP_IF_FALSE_OR_POP if type(node.op) is ast.And else op.JUMP_IF_TRUE_OR_POP
        end = Label()
        values = node.values
        for value in values[:-1]:
            self.visit_expr(value)
            self.emit_jump(jump, end)
        self.visit_expr(values[-1])
        self.place(end)

    #     <left>
    #     <c1> DUP_TOP ROT_THREE COMPARE_OP op1 JUMP_IF_FALSE_OR_POP cleanup   (all but the last)
    #     <cn> COMPARE_OP opn
    #     JUMP_FORWARD end
    # cleanup:
    #     ROT_TWO POP_TOP
    # end:
    def expr_compare(self, node: ast.Compare) -> None:
        self.visit_expr(node.left)
        ops, comparators = node.ops, node.comparators
        if len(ops) == 1:
            self.visit_expr(comparators[0])
            self.emit(op.COMPARE_OP, _COMPARE[type(ops[0]).__name__])
            return
        cleanup, end = Label(), Label()
        for operator, comparator in zip(ops[:-1], comparators[:-1]):
            self.visit_expr(comparator)
            self.emit(op.DUP_TOP)
            self.emit(op.ROT_THREE)
            self.emit(op.COMPARE_OP, _COMPARE[type(operator).__name__])
            self.emit_jump(op.JUMP_IF_FALSE_OR_POP, cleanup)
        self.visit_expr(comparators[-1])
        self.emit(op.COMPARE_OP, _COMPARE[type(ops[-1]).__name__])
        self.emit_jump(op.JUMP_FORWARD, end)
        self.place(cleanup)
        self.emit(op.ROT_TWO)
        self.emit(op.POP_TOP)
        self.place(end)

    #     <test> POP_JUMP_IF_FALSE orelse
    #     <body>
    #     JUMP_FORWARD end
    # orelse:
    #     <orelse>
    # end:
    def expr_ifexp(self, node: ast.IfExp) -> None:
        orelse, end = Label(), Label()
        self.compile_jump_if(node.test, orelse, False)
        self.visit_expr(node.body)
        self.emit_jump(op.JUMP_FORWARD, end)
        self.place(orelse)
        self.visit_expr(node.orelse)
        self.place(end)

    # <value> DUP_TOP <store target>
    def expr_namedexpr(self, node: ast.NamedExpr) -> None:
        self.visit_expr(node.value)
        self.emit(op.DUP_TOP)
        self.compile_store(node.target)

    # --- conditions -----------------------------------------------------------------------------

    def compile_jump_if(self, node: ast.expr, target: Label, condition: bool) -> None:
        """Jump to ``target`` when ``node`` is true (``condition``) or false, else fall through.

        ``not``, ``and``/``or``, conditional expressions and chained comparisons jump directly
        instead of computing a boolean first (CPython's compiler_jump_if).
        """
        kind = type(node)
        saved = self.pos
        self.pos = (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)
        if kind is ast.UnaryOp and type(node.op) is ast.Not:
            self.compile_jump_if(node.operand, target, not condition)
        elif kind is ast.BoolOp:
            is_or = type(node.op) is ast.Or
            inner_target = target if is_or == condition else Label()
            for value in node.values[:-1]:
                self.compile_jump_if(value, inner_target, is_or)
            self.compile_jump_if(node.values[-1], target, condition)
            if inner_target is not target:
                self.place(inner_target)
        elif kind is ast.IfExp:
            end, orelse = Label(), Label()
            self.compile_jump_if(node.test, orelse, False)
            self.compile_jump_if(node.body, target, condition)
            self.emit_jump(op.JUMP_FORWARD, end)
            self.place(orelse)
            self.compile_jump_if(node.orelse, target, condition)
            self.place(end)
        elif kind is ast.Compare and len(node.ops) > 1:
            #     <left> (<c> DUP_TOP ROT_THREE COMPARE_OP POP_JUMP_IF_FALSE cleanup)...
            #     <cn> COMPARE_OP; POP_JUMP_IF_TRUE/FALSE target; JUMP_FORWARD end
            # cleanup:
            #     POP_TOP; [JUMP_ABSOLUTE target when jumping on false]
            # end:
            cleanup, end = Label(), Label()
            self.visit_expr(node.left)
            for operator, comparator in zip(node.ops[:-1], node.comparators[:-1]):
                self.visit_expr(comparator)
                self.emit(op.DUP_TOP)
                self.emit(op.ROT_THREE)
                self.emit(op.COMPARE_OP, _COMPARE[type(operator).__name__])
                self.emit_jump(op.POP_JUMP_IF_FALSE, cleanup)
            self.visit_expr(node.comparators[-1])
            self.emit(op.COMPARE_OP, _COMPARE[type(node.ops[-1]).__name__])
            self.emit_jump(op.POP_JUMP_IF_TRUE if condition else op.POP_JUMP_IF_FALSE, target)
            self.emit_jump(op.JUMP_FORWARD, end)
            self.place(cleanup)
            self.emit(op.POP_TOP)
            if not condition:
                # The target may lie behind (a comprehension's condition jumps back to its loop).
                self.emit_jump(op.JUMP_ABSOLUTE, target)
            self.place(end)
        else:
            _EXPRESSIONS[kind](self, node)
            self.emit_jump(op.POP_JUMP_IF_TRUE if condition else op.POP_JUMP_IF_FALSE, target)
        self.pos = saved

    # --- attributes, subscripts, slices ---------------------------------------------------------

    # <value> LOAD_ATTR name
    def expr_attribute(self, node: ast.Attribute) -> None:
        self.visit_expr(node.value)
        self.emit_name(op.LOAD_ATTR, node.attr)

    # <value> <index> BINARY_SUBSCR
    def expr_subscript(self, node: ast.Subscript) -> None:
        self.visit_expr(node.value)
        self.visit_expr(node.slice)
        self.emit(op.BINARY_SUBSCR)

    # <lower or None> <upper or None> [<step>] BUILD_SLICE 2/3
    def expr_slice(self, node: ast.Slice) -> None:
        for part in (node.lower, node.upper):
            if part is None:
                self.load_const(None)
            else:
                self.visit_expr(part)
        if node.step is not None:
            self.visit_expr(node.step)
            self.emit(op.BUILD_SLICE, 3)
        else:
            self.emit(op.BUILD_SLICE, 2)

    # --- displays -------------------------------------------------------------------------------

    def expr_tuple(self, node: ast.Tuple) -> None:
        value = constant_value(node)
        if value is not NOT_CONSTANT:
            self.load_const(value)
            return
        self.compile_display(node.elts, op.BUILD_TUPLE, op.BUILD_TUPLE_UNPACK)

    def expr_list(self, node: ast.List) -> None:
        self.compile_display(node.elts, op.BUILD_LIST, op.BUILD_LIST_UNPACK)

    def expr_set(self, node: ast.Set) -> None:
        self.compile_display(node.elts, op.BUILD_SET, op.BUILD_SET_UNPACK)

    # Without a star: <items> BUILD_op n. With stars: runs of plain items as BUILD_TUPLE k, each
    # starred value as it is, then BUILD_op_UNPACK (number of pieces).
    def compile_display(self, elts: list[ast.expr], build: int, build_unpack: int) -> None:
        pieces = 0
        pending = 0
        for element in elts:
            if type(element) is ast.Starred:
                if pending:
                    self.emit(op.BUILD_TUPLE, pending)
                    pieces += 1
                    pending = 0
                self.visit_expr(element.value)
                pieces += 1
            else:
                self.visit_expr(element)
                pending += 1
        if pieces:
            if pending:
                self.emit(op.BUILD_TUPLE, pending)
                pieces += 1
            self.emit(build_unpack, pieces)
        else:
            self.emit(build, pending)

    # {k: v, ...}: <k1> <v1> ... BUILD_MAP n; constant keys: <v1> ... LOAD_CONST (k1, ...)
    # BUILD_CONST_KEY_MAP n; with `**m`: the runs and the mappings merged by BUILD_MAP_UNPACK n
    def expr_dict(self, node: ast.Dict) -> None:
        keys, values = node.keys, node.values
        pieces = 0
        start = 0
        for index, key in enumerate(keys):
            if key is None:
                if index > start:
                    self.compile_subdict(keys, values, start, index)
                    pieces += 1
                self.visit_expr(values[index])
                pieces += 1
                start = index + 1
        if start < len(keys) or pieces == 0:
            self.compile_subdict(keys, values, start, len(keys))
            pieces += 1
        if pieces > 1 or (keys and keys[-1] is None):
            self.emit(op.BUILD_MAP_UNPACK, pieces)

    def compile_subdict(self, keys: list, values: list, start: int, stop: int) -> None:
        count = stop - start
        if count > 1:
            constants = [constant_value(key) for key in keys[start:stop]]
            if all(value is not NOT_CONSTANT for value in constants):
                for value in values[start:stop]:
                    self.visit_expr(value)
                self.load_const(tuple(constants))
                self.emit(op.BUILD_CONST_KEY_MAP, count)
                return
        for index in range(start, stop):
            self.visit_expr(keys[index])
            self.visit_expr(values[index])
        self.emit(op.BUILD_MAP, count)

    def expr_comprehension(self, node) -> None:
        self.compile_comprehension(node)

    def expr_starred(self, node: ast.Starred) -> None:
        raise self.bug("a starred expression outside a display, call or target")

    # --- calls ----------------------------------------------------------------------------------

    # obj.m(args):  <obj> LOAD_METHOD m <args> CALL_METHOD n     (no keywords, no stars)
    # otherwise:    <func> <arguments, see compile_call_arguments>
    def expr_call(self, node: ast.Call) -> None:
        func = node.func
        if type(func) is ast.Attribute and not node.keywords \
                and not any(type(arg) is ast.Starred for arg in node.args):
            self.visit_expr(func.value)
            saved = self.pos
            self.pos = (func.lineno, func.col_offset, func.end_lineno, func.end_col_offset)
            self.emit_name(op.LOAD_METHOD, func.attr)
            self.pos = saved
            for arg in node.args:
                self.visit_expr(arg)
            self.emit(op.CALL_METHOD, len(node.args))
            return
        self.visit_expr(func)
        self.compile_call_arguments(0, node.args, node.keywords)

    # f(a, b):      <a> <b> CALL_FUNCTION 2
    # f(a, k=1):    <a> <1> LOAD_CONST ('k',) CALL_FUNCTION_KW 2
    # with * or **: the positional arguments as one tuple (BUILD_TUPLE runs and the starred values,
    #               merged by BUILD_TUPLE_UNPACK_WITH_CALL), the keywords as one dict (BUILD_MAP /
    #               BUILD_CONST_KEY_MAP runs and the ** mappings, merged by
    #               BUILD_MAP_UNPACK_WITH_CALL), CALL_FUNCTION_EX 0/1. A lone starred value or
    #               mapping is still passed through the _WITH_CALL merge, so that the call receives
    #               a fresh tuple and dict and errors name the function.
    def compile_call_arguments(self, already: int, args: list, keywords: list) -> None:
        has_star = any(type(arg) is ast.Starred for arg in args)
        has_double_star = any(keyword.arg is None for keyword in keywords)
        if not has_star and not has_double_star:
            for arg in args:
                self.visit_expr(arg)
            if keywords:
                for keyword in keywords:
                    self.visit_expr(keyword.value)
                self.load_const(tuple(keyword.arg for keyword in keywords))
                self.emit(op.CALL_FUNCTION_KW, already + len(args) + len(keywords))
            else:
                self.emit(op.CALL_FUNCTION, already + len(args))
            return
        pieces = 0
        pending = already
        starred_pieces = 0
        for arg in args:
            if type(arg) is ast.Starred:
                if pending:
                    self.emit(op.BUILD_TUPLE, pending)
                    pieces += 1
                    pending = 0
                self.visit_expr(arg.value)
                pieces += 1
                starred_pieces += 1
            else:
                self.visit_expr(arg)
                pending += 1
        if pending:
            self.emit(op.BUILD_TUPLE, pending)
            pieces += 1
        if pieces == 0:
            self.emit(op.BUILD_TUPLE, 0)
        elif pieces > 1 or starred_pieces:
            self.emit(op.BUILD_TUPLE_UNPACK_WITH_CALL, pieces)
        if not keywords:
            self.emit(op.CALL_FUNCTION_EX, 0)
            return
        pieces = 0
        mappings = 0
        start = 0
        for index, keyword in enumerate(keywords):
            if keyword.arg is None:
                if index > start:
                    self.compile_keyword_dict(keywords[start:index])
                    pieces += 1
                self.visit_expr(keyword.value)
                pieces += 1
                mappings += 1
                start = index + 1
        if start < len(keywords):
            self.compile_keyword_dict(keywords[start:])
            pieces += 1
        if pieces > 1 or mappings:
            self.emit(op.BUILD_MAP_UNPACK_WITH_CALL, pieces)
        self.emit(op.CALL_FUNCTION_EX, 1)

    def compile_keyword_dict(self, keywords: list) -> None:
        if len(keywords) > 1:
            for keyword in keywords:
                self.visit_expr(keyword.value)
            self.load_const(tuple(keyword.arg for keyword in keywords))
            self.emit(op.BUILD_CONST_KEY_MAP, len(keywords))
        else:
            self.load_const(keywords[0].arg)
            self.visit_expr(keywords[0].value)
            self.emit(op.BUILD_MAP, 1)

    # --- generators and coroutines --------------------------------------------------------------

    # <value or None> YIELD_VALUE
    def expr_yield(self, node: ast.Yield) -> None:
        if node.value is not None:
            self.visit_expr(node.value)
        else:
            self.load_const(None)
        self.emit(op.YIELD_VALUE)

    # <value> GET_YIELD_FROM_ITER LOAD_CONST None YIELD_FROM
    def expr_yield_from(self, node: ast.YieldFrom) -> None:
        self.visit_expr(node.value)
        self.emit(op.GET_YIELD_FROM_ITER)
        self.load_const(None)
        self.emit(op.YIELD_FROM)

    # <value> GET_AWAITABLE LOAD_CONST None YIELD_FROM
    def expr_await(self, node: ast.Await) -> None:
        self.visit_expr(node.value)
        self.emit(op.GET_AWAITABLE)
        self.load_const(None)
        self.emit(op.YIELD_FROM)

    # --- f-strings ------------------------------------------------------------------------------

    # <part> ... BUILD_STRING n   (no BUILD_STRING for a single part)
    def expr_joined_str(self, node: ast.JoinedStr) -> None:
        for value in node.values:
            self.visit_expr(value)
        if len(node.values) != 1:
            self.emit(op.BUILD_STRING, len(node.values))

    # <value> [<format spec>] FORMAT_VALUE conversion | 4 when a spec is present
    def expr_formatted_value(self, node: ast.FormattedValue) -> None:
        self.visit_expr(node.value)
        flags = _CONVERSIONS[node.conversion]
        if node.format_spec is not None:
            self.visit_expr(node.format_spec)
            flags |= op.FORMAT_HAS_SPEC
        self.emit(op.FORMAT_VALUE, flags)

    # --- assignment targets ---------------------------------------------------------------------

    def compile_store(self, target: ast.expr) -> None:
        """Store the value on top of the stack into ``target``."""
        saved = self.pos
        self.pos = (target.lineno, target.col_offset, target.end_lineno, target.end_col_offset)
        kind = type(target)
        if kind is ast.Name:
            self.store_name(target.id)
        elif kind is ast.Attribute:
            # <obj> STORE_ATTR name
            self.visit_expr(target.value)
            self.emit_name(op.STORE_ATTR, target.attr)
        elif kind is ast.Subscript:
            # <obj> <index> STORE_SUBSCR
            self.visit_expr(target.value)
            self.visit_expr(target.slice)
            self.emit(op.STORE_SUBSCR)
        elif kind is ast.Tuple or kind is ast.List:
            # UNPACK_SEQUENCE n, or UNPACK_EX (before | after << 8) with a starred target;
            # then the targets, first to last.
            elts = target.elts
            star = next((i for i, e in enumerate(elts) if type(e) is ast.Starred), None)
            if star is None:
                self.emit(op.UNPACK_SEQUENCE, len(elts))
            else:
                after = len(elts) - star - 1
                if star >= 256 or after >= (1 << 23):
                    raise self.bug("too many expressions in star-unpacking assignment")
                self.emit(op.UNPACK_EX, star | (after << 8))
            for element in elts:
                self.compile_store(element.value if type(element) is ast.Starred else element)
        elif kind is ast.Starred:
            self.compile_store(target.value)
        else:
            raise self.bug(f"assignment to {kind.__name__}")
        self.pos = saved

    def compile_delete(self, target: ast.expr) -> None:
        saved = self.pos
        self.pos = (target.lineno, target.col_offset, target.end_lineno, target.end_col_offset)
        kind = type(target)
        if kind is ast.Name:
            self.delete_name(target.id)
        elif kind is ast.Attribute:
            self.visit_expr(target.value)
            self.emit_name(op.DELETE_ATTR, target.attr)
        elif kind is ast.Subscript:
            self.visit_expr(target.value)
            self.visit_expr(target.slice)
            self.emit(op.DELETE_SUBSCR)
        elif kind is ast.Tuple or kind is ast.List:
            for element in target.elts:
                self.compile_delete(element)
        else:
            raise self.bug(f"deletion of {kind.__name__}")
        self.pos = saved


def _lambda(self, node: ast.Lambda) -> None:
    self.expr_lambda(node)


_EXPRESSIONS = {
    ast.BoolOp: ExpressionCompiler.expr_boolop,
    ast.NamedExpr: ExpressionCompiler.expr_namedexpr,
    ast.BinOp: ExpressionCompiler.expr_binop,
    ast.UnaryOp: ExpressionCompiler.expr_unaryop,
    ast.Lambda: _lambda,
    ast.IfExp: ExpressionCompiler.expr_ifexp,
    ast.Dict: ExpressionCompiler.expr_dict,
    ast.Set: ExpressionCompiler.expr_set,
    ast.ListComp: ExpressionCompiler.expr_comprehension,
    ast.SetComp: ExpressionCompiler.expr_comprehension,
    ast.DictComp: ExpressionCompiler.expr_comprehension,
    ast.GeneratorExp: ExpressionCompiler.expr_comprehension,
    ast.Await: ExpressionCompiler.expr_await,
    ast.Yield: ExpressionCompiler.expr_yield,
    ast.YieldFrom: ExpressionCompiler.expr_yield_from,
    ast.Compare: ExpressionCompiler.expr_compare,
    ast.Call: ExpressionCompiler.expr_call,
    ast.FormattedValue: ExpressionCompiler.expr_formatted_value,
    ast.JoinedStr: ExpressionCompiler.expr_joined_str,
    ast.Constant: ExpressionCompiler.expr_constant,
    ast.Attribute: ExpressionCompiler.expr_attribute,
    ast.Subscript: ExpressionCompiler.expr_subscript,
    ast.Starred: ExpressionCompiler.expr_starred,
    ast.Name: ExpressionCompiler.expr_name,
    ast.List: ExpressionCompiler.expr_list,
    ast.Tuple: ExpressionCompiler.expr_tuple,
    ast.Slice: ExpressionCompiler.expr_slice,
}
