"""Statements: the part of the code generator (see compiler/codegen/generator.py) that compiles each kind of statement.

The compile-time block stack (``FBlock``, of the kinds in compiler/units.py that the checks share)
mirrors the run-time one: it decides how ``break`` and ``continue`` leave the blocks they are in,
and it counts the run-time blocks for ``blockdepth``.
"""

from __future__ import annotations

import ast
from typing import Optional

from bytelens.vm.isa import opcodes as op
from bytelens.vm.compiler.assembler import Label
from bytelens.vm.isa.code import NO_POSITION, Position
from bytelens.vm.compiler.symtable import mangle
from bytelens.vm.compiler.units import LOOPS, FBlockKind, UnitKind


class FBlock:
    """One entry of the compile-time block stack.

    ``label`` is a loop's ``continue`` target. A *guarded* finally body (one that a ``break`` or
    ``continue`` leaves) has ``break_label``, where a ``break`` inside it lands; see ``stmt_try``.
    ``runtime_blocks`` is how many run-time blocks it may stand for (an except clause: the
    except-handler block; a guarded finally body: the handler block and two guard loops).
    """

    __slots__ = ("kind", "label", "break_label", "runtime_blocks")

    def __init__(self, kind: FBlockKind, label: Optional[Label] = None, runtime_blocks: int = 1,
                 break_label: Optional[Label] = None) -> None:
        self.kind = kind
        self.label = label
        self.break_label = break_label
        self.runtime_blocks = runtime_blocks


def _position(node: ast.AST) -> Position:
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)


def _constant_truth(test: ast.expr) -> Optional[bool]:
    """The truth of a constant test (``if 0:``, ``while True:``, ``if __debug__:``), else None."""
    if type(test) is ast.Constant:
        try:
            return bool(test.value)
        except Exception:  # pragma: no cover - every literal has a truth value
            return None
    if type(test) is ast.Name and test.id == "__debug__":
        return True
    return None


def _leaves_finally(body: list[ast.stmt]) -> bool:
    """Whether a ``break`` or ``continue`` in ``body`` (a finally body) leaves it."""
    for stmt in body:
        kind = type(stmt)
        if kind is ast.Break or kind is ast.Continue:
            return True
        if kind in (ast.For, ast.AsyncFor, ast.While):
            if _leaves_finally(stmt.orelse):  # the loop's own body breaks out of that loop
                return True
        elif kind in (ast.If,):
            if _leaves_finally(stmt.body) or _leaves_finally(stmt.orelse):
                return True
        elif kind in (ast.With, ast.AsyncWith):
            if _leaves_finally(stmt.body):
                return True
        elif kind in (ast.Try, ast.TryStar):
            if _leaves_finally(stmt.body) or _leaves_finally(stmt.orelse) \
                    or _leaves_finally(stmt.finalbody) \
                    or any(_leaves_finally(handler.body) for handler in stmt.handlers):
                return True
        elif kind is ast.Match:
            if any(_leaves_finally(case.body) for case in stmt.cases):
                return True
    return False


class StatementCompiler:
    """Mixin of ``CodeGenerator``: one method per statement kind."""

    def compile_statements(self, body: list[ast.stmt]) -> None:
        handlers = _STATEMENTS
        for stmt in body:
            self.pos = (stmt.lineno, stmt.col_offset, stmt.end_lineno, stmt.end_col_offset)
            handlers[type(stmt)](self, stmt)

    # --- simple statements ----------------------------------------------------------------------

    def stmt_function(self, node) -> None:
        self.compile_function_def(node)

    def stmt_class(self, node: ast.ClassDef) -> None:
        self.compile_class_def(node)

    # <value> RETURN_VALUE   (LOAD_CONST None for a bare return)
    def stmt_return(self, node: ast.Return) -> None:
        if node.value is not None:
            self.visit_expr(node.value)
        else:
            self.load_const(None)
        self.emit(op.RETURN_VALUE)

    def stmt_delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self.compile_delete(target)

    # <value> [DUP_TOP <store target>]... <store last target>
    def stmt_assign(self, node: ast.Assign) -> None:
        self.visit_expr(node.value)
        last = len(node.targets) - 1
        for index, target in enumerate(node.targets):
            if index < last:
                self.emit(op.DUP_TOP)
            self.compile_store(target)

    # name:      <load name> <value> INPLACE_op <store name>
    # attribute: <obj> DUP_TOP LOAD_ATTR a <value> INPLACE_op ROT_TWO STORE_ATTR a
    # subscript: <obj> <index> DUP_TOP_TWO BINARY_SUBSCR <value> INPLACE_op ROT_THREE STORE_SUBSCR
    def stmt_augassign(self, node: ast.AugAssign) -> None:
        target = node.target
        kind = type(target)
        inplace = getattr(op, op.INPLACE_OPS[type(node.op).__name__])
        saved = self.pos
        if kind is ast.Name:
            self.pos = _position(target)
            self.load_name(target.id)
            self.visit_expr(node.value)
            self.pos = saved
            self.emit(inplace)
            self.pos = _position(target)
            self.store_name(target.id)
        elif kind is ast.Attribute:
            self.visit_expr(target.value)
            self.pos = _position(target)
            self.emit(op.DUP_TOP)
            self.emit_name(op.LOAD_ATTR, target.attr)
            self.visit_expr(node.value)
            self.pos = saved
            self.emit(inplace)
            self.pos = _position(target)
            self.emit(op.ROT_TWO)
            self.emit_name(op.STORE_ATTR, target.attr)
        elif kind is ast.Subscript:
            self.visit_expr(target.value)
            self.visit_expr(target.slice)
            self.pos = _position(target)
            self.emit(op.DUP_TOP_TWO)
            self.emit(op.BINARY_SUBSCR)
            self.visit_expr(node.value)
            self.pos = saved
            self.emit(inplace)
            self.pos = _position(target)
            self.emit(op.ROT_THREE)
            self.emit(op.STORE_SUBSCR)
        else:
            raise self.bug(f"augmented assignment to {kind.__name__}")
        self.pos = saved

    # [<value> <store target>]
    # module or class, simple name: <annotation> LOAD_NAME __annotations__; LOAD_CONST 'x';
    #     STORE_SUBSCR (the annotation is a string constant under the annotations future)
    # attribute or subscript without a value: the target's object (and index) evaluated, popped
    def stmt_annassign(self, node: ast.AnnAssign) -> None:
        target = node.target
        kind = type(target)
        if node.value is not None:
            self.visit_expr(node.value)
            self.compile_store(target)
        at_top = not self.unit.is_function
        if kind is ast.Name:
            if node.simple and at_top:
                self.compile_annotation_value(node.annotation)
                self.emit(op.LOAD_NAME, self.name_index("__annotations__"))
                self.load_const(mangle(self.unit.private, target.id))
                self.emit(op.STORE_SUBSCR)
        elif kind is ast.Attribute:
            if node.value is None:
                self.visit_and_pop(target.value)
        elif kind is ast.Subscript:
            if node.value is None:
                self.visit_and_pop(target.value)
                self.check_annotation_subscript(target.slice)
        if not node.simple and at_top and not self.future_annotations:
            self.visit_and_pop(node.annotation)

    def visit_and_pop(self, expr: ast.expr) -> None:
        self.visit_expr(expr)
        self.emit(op.POP_TOP)

    def check_annotation_subscript(self, index: ast.expr) -> None:
        kind = type(index)
        if kind is ast.Slice:
            for part in (index.lower, index.upper, index.step):
                if part is not None:
                    self.visit_and_pop(part)
        elif kind is ast.Tuple:
            for element in index.elts:
                self.check_annotation_subscript(element)
        else:
            self.visit_and_pop(index)

    # <value> POP_TOP   (a constant statement, like a docstring-like string, emits nothing)
    # <value> PRINT_EXPR at the top level of interactive input
    def stmt_expr(self, node: ast.Expr) -> None:
        if self.mode == "single" and self.unit.kind is UnitKind.MODULE:
            self.visit_expr(node.value)
            self.emit(op.PRINT_EXPR)
            return
        if type(node.value) is ast.Constant:
            return
        self.visit_expr(node.value)
        self.emit(op.POP_TOP)

    def stmt_nothing(self, node) -> None:
        pass

    # NOP   (kept only where its line has no other instruction: assembler.drop_redundant_nops)
    def stmt_pass(self, node: ast.Pass) -> None:
        self.emit(op.NOP)

    # RAISE_VARARGS 0 / <exc> RAISE_VARARGS 1 / <exc> <cause> RAISE_VARARGS 2
    def stmt_raise(self, node: ast.Raise) -> None:
        count = 0
        if node.exc is not None:
            self.visit_expr(node.exc)
            count = 1
            if node.cause is not None:
                self.visit_expr(node.cause)
                count = 2
        self.emit(op.RAISE_VARARGS, count)

    #     <test> POP_JUMP_IF_TRUE end
    #     LOAD_ASSERTION_ERROR; [<message> CALL_FUNCTION 1]; RAISE_VARARGS 1
    # end:
    def stmt_assert(self, node: ast.Assert) -> None:
        end = Label()
        self.compile_jump_if(node.test, end, True)
        self.emit(op.LOAD_ASSERTION_ERROR)
        if node.msg is not None:
            self.visit_expr(node.msg)
            self.emit(op.CALL_FUNCTION, 1)
        self.emit(op.RAISE_VARARGS, 1)
        self.place(end)

    # import a.b.c:      LOAD_CONST 0; LOAD_CONST None; IMPORT_NAME a.b.c; STORE a
    # import a.b.c as d: ... IMPORT_NAME a.b.c; IMPORT_FROM b; ROT_TWO; POP_TOP; IMPORT_FROM c;
    #                    STORE d; POP_TOP
    def stmt_import(self, node: ast.Import) -> None:
        for alias in node.names:
            saved = self.pos
            self.pos = _position(alias)
            self.load_const(0)
            self.load_const(None)
            self.emit_name(op.IMPORT_NAME, alias.name)
            if alias.asname is not None:
                parts = alias.name.split(".")
                if len(parts) > 1:
                    for index, part in enumerate(parts[1:], 1):
                        self.emit_name(op.IMPORT_FROM, part)
                        if index < len(parts) - 1:
                            self.emit(op.ROT_TWO)
                            self.emit(op.POP_TOP)
                    self.store_name(alias.asname)
                    self.emit(op.POP_TOP)
                else:
                    self.store_name(alias.asname)
            else:
                self.store_name(alias.name.partition(".")[0])
            self.pos = saved

    # from .m import x as y: LOAD_CONST 1; LOAD_CONST ('x',); IMPORT_NAME m; IMPORT_FROM x;
    #                        STORE y; POP_TOP
    # from m import *:       LOAD_CONST 0; LOAD_CONST ('*',); IMPORT_NAME m; IMPORT_STAR
    def stmt_import_from(self, node: ast.ImportFrom) -> None:
        self.load_const(node.level or 0)
        self.load_const(tuple(alias.name for alias in node.names))
        self.emit_name(op.IMPORT_NAME, node.module or "")
        if node.names[0].name == "*":
            self.emit(op.IMPORT_STAR)
            return
        saved = self.pos
        for alias in node.names:
            self.pos = _position(alias)
            self.emit_name(op.IMPORT_FROM, alias.name)
            self.store_name(alias.asname or alias.name)
        self.pos = saved
        self.emit(op.POP_TOP)

    # --- if, loops, break, continue -------------------------------------------------------------

    #     <test> POP_JUMP_IF_FALSE else
    #     <body>
    #     JUMP_FORWARD end          (with an else clause)
    # else:
    #     <orelse>
    # end:
    # A constant test keeps only the branch that runs (CPython 3.7), and a NOP on the test's line
    # (CPython 3.11 keeps one, so the line still has an instruction).
    def stmt_if(self, node: ast.If) -> None:
        truth = _constant_truth(node.test)
        if truth is not None:
            self.pos = _position(node.test)
            self.emit(op.NOP)
            self.compile_statements(node.body if truth else node.orelse)
            return
        end = Label()
        orelse = Label() if node.orelse else end
        self.compile_jump_if(node.test, orelse, False)
        self.compile_statements(node.body)
        if node.orelse:
            self.pos = NO_POSITION  # the body's last line (assembler.place_exits)
            self.emit_jump(op.JUMP_FORWARD, end)
            self.place(orelse)
            self.compile_statements(node.orelse)
        self.place(end)

    #     SETUP_LOOP after
    # top:
    #     <test> POP_JUMP_IF_FALSE else     (omitted for a constant true test)
    #     <body>
    #     JUMP_ABSOLUTE top
    # else:
    #     POP_BLOCK
    #     <orelse>
    # after:
    def stmt_while(self, node: ast.While) -> None:
        truth = _constant_truth(node.test)
        if truth is False:
            self.pos = _position(node.test)
            self.emit(op.NOP)
            self.compile_statements(node.orelse)
            return
        position = _position(node)
        top, orelse, after = Label(), Label(), Label()
        self.emit_jump(op.SETUP_LOOP, after)
        self.place(top)
        if truth is None:
            self.compile_jump_if(node.test, orelse, False)
        self.push_fblock(FBlock(FBlockKind.WHILE_LOOP, top))
        self.compile_statements(node.body)
        self.pos = NO_POSITION  # the body's last line (assembler.place_exits)
        self.emit_jump(op.JUMP_ABSOLUTE, top)
        self.pos = position
        self.pop_fblock()
        self.place(orelse)
        self.emit(op.POP_BLOCK)
        self.compile_statements(node.orelse)
        self.place(after)

    #     SETUP_LOOP after
    #     <iterable> GET_ITER
    # top:
    #     FOR_ITER done
    #     <store target>
    #     <body>
    #     JUMP_ABSOLUTE top
    # done:
    #     POP_BLOCK
    #     <orelse>
    # after:
    def stmt_for(self, node: ast.For) -> None:
        position = _position(node)
        top, done, after = Label(), Label(), Label()
        self.emit_jump(op.SETUP_LOOP, after)
        self.push_fblock(FBlock(FBlockKind.FOR_LOOP, top))
        self.visit_expr(node.iter)
        self.emit(op.GET_ITER)
        self.place(top)
        self.emit_jump(op.FOR_ITER, done)
        self.compile_store(node.target)
        self.compile_statements(node.body)
        self.pos = NO_POSITION  # the body's last line (assembler.place_exits)
        self.emit_jump(op.JUMP_ABSOLUTE, top)
        self.pos = position
        self.pop_fblock()
        self.place(done)
        self.emit(op.POP_BLOCK)
        self.compile_statements(node.orelse)
        self.place(after)

    #     SETUP_LOOP after
    #     <iterable> GET_AITER
    # top:
    #     SETUP_EXCEPT end
    #     GET_ANEXT; LOAD_CONST None; YIELD_FROM
    #     POP_BLOCK
    #     <store target>
    #     <body>
    #     JUMP_ABSOLUTE top
    # end:
    #     END_ASYNC_FOR
    #     POP_BLOCK
    #     <orelse>
    # after:
    def stmt_async_for(self, node: ast.AsyncFor) -> None:
        position = _position(node)
        top, end, after = Label(), Label(), Label()
        self.emit_jump(op.SETUP_LOOP, after)
        self.push_fblock(FBlock(FBlockKind.FOR_LOOP, top))
        self.visit_expr(node.iter)
        self.emit(op.GET_AITER)
        self.place(top)
        self.emit_jump(op.SETUP_EXCEPT, end)
        self.note_blocks(1)
        self.emit(op.GET_ANEXT)
        self.load_const(None)
        self.emit(op.YIELD_FROM)
        self.emit(op.POP_BLOCK)
        self.compile_store(node.target)
        self.compile_statements(node.body)
        self.pos = position
        self.emit_jump(op.JUMP_ABSOLUTE, top)
        self.pop_fblock()
        self.place(end)
        self.emit(op.END_ASYNC_FOR)
        self.emit(op.POP_BLOCK)
        self.compile_statements(node.orelse)
        self.place(after)

    # BREAK_LOOP   (in a guarded finally body: CONTINUE_LOOP to the guard's break trampoline)
    def stmt_break(self, node: ast.Break) -> None:
        for fblock in reversed(self.unit.fblocks):
            if fblock.kind in LOOPS:
                self.emit(op.BREAK_LOOP)
                return
            if fblock.break_label is not None:
                self.emit_jump(op.CONTINUE_LOOP, fblock.break_label)
                return
        raise self.bug("'break' outside loop")

    # JUMP_ABSOLUTE top when the loop is the innermost block, else CONTINUE_LOOP top
    # (in a guarded finally body: BREAK_LOOP, which lands on the guard's continue trampoline)
    def stmt_continue(self, node: ast.Continue, unwound: bool = False) -> None:
        fblocks = self.unit.fblocks
        for index in range(len(fblocks) - 1, -1, -1):
            fblock = fblocks[index]
            if fblock.kind in LOOPS:
                if index == len(fblocks) - 1 and not unwound:
                    self.emit_jump(op.JUMP_ABSOLUTE, fblock.label)
                else:
                    self.emit_jump(op.CONTINUE_LOOP, fblock.label)
                return
            if fblock.break_label is not None:
                self.emit(op.BREAK_LOOP)
                return
        raise self.bug("'continue' not properly in loop")

    # --- with -----------------------------------------------------------------------------------

    #     <context manager>
    #     SETUP_WITH cleanup
    #     <store target> or POP_TOP
    #     <body>                     (the next item's with, for `with a, b:`)
    #     POP_BLOCK
    #     LOAD_CONST None
    # cleanup:
    #     WITH_CLEANUP_START
    #     WITH_CLEANUP_FINISH
    #     END_FINALLY
    def stmt_with(self, node: ast.With, index: int = 0) -> None:
        item = node.items[index]
        position = _position(node)
        cleanup = Label()
        self.visit_expr(item.context_expr)
        self.pos = position
        self.emit_jump(op.SETUP_WITH, cleanup)
        self.push_fblock(FBlock(FBlockKind.WITH))
        if item.optional_vars is not None:
            self.compile_store(item.optional_vars)
        else:
            self.emit(op.POP_TOP)
        if index + 1 < len(node.items):
            self.stmt_with(node, index + 1)
        else:
            self.compile_statements(node.body)
        self.pos = position
        self.emit(op.POP_BLOCK)
        self.pop_fblock()
        self.load_const(None)
        self.place(cleanup)
        self.note_blocks(1)
        self.emit(op.WITH_CLEANUP_START)
        self.emit(op.WITH_CLEANUP_FINISH)
        self.emit(op.END_FINALLY)

    #     <context manager>
    #     BEFORE_ASYNC_WITH; GET_AWAITABLE; LOAD_CONST None; YIELD_FROM
    #     SETUP_ASYNC_WITH cleanup
    #     <store target> or POP_TOP
    #     <body>
    #     POP_BLOCK
    #     LOAD_CONST None
    # cleanup:
    #     WITH_CLEANUP_START; GET_AWAITABLE; LOAD_CONST None; YIELD_FROM
    #     WITH_CLEANUP_FINISH
    #     END_FINALLY
    def stmt_async_with(self, node: ast.AsyncWith, index: int = 0) -> None:
        item = node.items[index]
        position = _position(node)
        cleanup = Label()
        self.visit_expr(item.context_expr)
        self.pos = position
        self.emit(op.BEFORE_ASYNC_WITH)
        self.emit(op.GET_AWAITABLE)
        self.load_const(None)
        self.emit(op.YIELD_FROM)
        self.emit_jump(op.SETUP_ASYNC_WITH, cleanup)
        self.push_fblock(FBlock(FBlockKind.ASYNC_WITH))
        if item.optional_vars is not None:
            self.compile_store(item.optional_vars)
        else:
            self.emit(op.POP_TOP)
        if index + 1 < len(node.items):
            self.stmt_async_with(node, index + 1)
        else:
            self.compile_statements(node.body)
        self.pos = position
        self.emit(op.POP_BLOCK)
        self.pop_fblock()
        self.load_const(None)
        self.place(cleanup)
        self.note_blocks(1)
        self.emit(op.WITH_CLEANUP_START)
        self.emit(op.GET_AWAITABLE)
        self.load_const(None)
        self.emit(op.YIELD_FROM)
        self.emit(op.WITH_CLEANUP_FINISH)
        self.emit(op.END_FINALLY)

    # --- try ------------------------------------------------------------------------------------

    #     SETUP_FINALLY final
    #     <body: try/except/else, or plain statements>
    #     POP_BLOCK
    #     LOAD_CONST None
    # final:                          # stack: ..., pending
    #     <finalbody>
    #     END_FINALLY
    #
    # A finally body that a `break` or `continue` leaves is *guarded*: the pending value sits on
    # the stack with no block to cut it when the body fell through, so such a jump first leaves
    # through one of two loop blocks pushed over it, whose exits pop the pending value:
    # final:
    #     SETUP_LOOP brk; SETUP_LOOP cont
    #     <finalbody>        # continue: BREAK_LOOP (to cont); break: CONTINUE_LOOP brk_trampoline
    #     POP_BLOCK; POP_BLOCK
    #     END_FINALLY
    #     JUMP_FORWARD end
    # brk_trampoline:  POP_BLOCK; BREAK_LOOP                (leaves the cont loop, then the brk loop)
    # cont:            POP_BLOCK; POP_TOP; <continue>       (pending popped; blocks unwound by
    # brk:             POP_TOP; <break>                      CONTINUE_LOOP / BREAK_LOOP)
    # end:
    def stmt_try(self, node: ast.Try) -> None:
        if not node.finalbody:
            self.compile_try_except(node)
            return
        position = _position(node)
        final = Label()
        self.emit_jump(op.SETUP_FINALLY, final)
        self.push_fblock(FBlock(FBlockKind.FINALLY_TRY))
        if node.handlers:
            self.compile_try_except(node)
        else:
            self.compile_statements(node.body)
        self.pop_fblock()
        self.pos = NO_POSITION  # artificial: the body's last line (assembler.place_exits)
        self.emit(op.POP_BLOCK)
        self.load_const(None)
        self.place(final)
        if not _leaves_finally(node.finalbody):
            self.push_fblock(FBlock(FBlockKind.FINALLY_END))
            self.compile_statements(node.finalbody)
            self.pop_fblock()
            self.pos = NO_POSITION
            self.emit(op.END_FINALLY)
            return
        brk, cont, brk_trampoline, end = Label(), Label(), Label(), Label()
        self.pos = _position(node.finalbody[0])
        self.emit_jump(op.SETUP_LOOP, brk)
        self.emit_jump(op.SETUP_LOOP, cont)
        self.push_fblock(FBlock(FBlockKind.FINALLY_END, runtime_blocks=3, break_label=brk_trampoline))
        self.compile_statements(node.finalbody)
        self.pop_fblock()
        self.pos = NO_POSITION
        self.emit(op.POP_BLOCK)
        self.emit(op.POP_BLOCK)
        self.emit(op.END_FINALLY)
        self.emit_jump(op.JUMP_FORWARD, end)
        self.pos = position
        self.place(brk_trampoline)
        self.emit(op.POP_BLOCK)
        self.emit(op.BREAK_LOOP)
        self.place(cont)
        self.emit(op.POP_BLOCK)
        self.emit(op.POP_TOP)
        self.stmt_continue(node, unwound=True)
        self.place(brk)
        self.emit(op.POP_TOP)
        self.stmt_break(node)
        self.place(end)

    #     SETUP_EXCEPT handlers
    #     <body>
    #     POP_BLOCK
    #     JUMP_FORWARD orelse
    # handlers:                      # stack: ..., exc    blocks: ..., except-handler
    #     DUP_TOP; <E>; COMPARE_OP exception match; POP_JUMP_IF_FALSE next
    #     STORE name                 # POP_TOP when there is no name
    #     SETUP_FINALLY cleanup      # only with a name
    #     <clause body>
    #     POP_BLOCK
    #     LOAD_CONST None
    # cleanup:
    #     LOAD_CONST None; STORE name; DELETE name
    #     END_FINALLY
    #     POP_EXCEPT
    #     JUMP_FORWARD end
    # next:
    #     ...                        # a bare `except:` is POP_TOP, <body>, POP_EXCEPT, JUMP_FORWARD end
    #     END_FINALLY                # no clause matched: re-raise the exception still on the stack
    # orelse:
    #     <orelse>
    # end:
    def compile_try_except(self, node: ast.Try) -> None:
        position = _position(node)
        handlers_label, orelse, end = Label(), Label(), Label()
        self.emit_jump(op.SETUP_EXCEPT, handlers_label)
        self.push_fblock(FBlock(FBlockKind.TRY_EXCEPT))
        self.compile_statements(node.body)
        self.pop_fblock()
        self.pos = NO_POSITION  # artificial: the body's last line (assembler.place_exits)
        self.emit(op.POP_BLOCK)
        self.emit_jump(op.JUMP_FORWARD, orelse)
        self.place(handlers_label)
        for handler in node.handlers:
            self.pos = _position(handler)
            following = Label()
            if handler.type is not None:
                self.emit(op.DUP_TOP)
                self.visit_expr(handler.type)
                self.emit(op.COMPARE_OP, op.EXCEPTION_MATCH)
                self.emit_jump(op.POP_JUMP_IF_FALSE, following)
            if handler.name is not None:
                self.store_name(handler.name)
                cleanup = Label()
                self.emit_jump(op.SETUP_FINALLY, cleanup)
                self.push_fblock(FBlock(FBlockKind.HANDLER_CLEANUP, runtime_blocks=2))
                self.compile_statements(handler.body)
                self.pop_fblock()
                self.pos = NO_POSITION  # artificial: the clause's last line
                self.emit(op.POP_BLOCK)
                self.load_const(None)
                self.place(cleanup)
                self.note_blocks(2)
                self.load_const(None)
                self.store_name(handler.name)
                self.delete_name(handler.name)
                self.emit(op.END_FINALLY)
            else:
                self.emit(op.POP_TOP)
                self.push_fblock(FBlock(FBlockKind.EXCEPTION_HANDLER))
                self.compile_statements(handler.body)
                self.pop_fblock()
                self.pos = NO_POSITION  # artificial: the clause's last line
            self.emit(op.POP_EXCEPT)
            self.emit_jump(op.JUMP_FORWARD, end)
            self.place(following)
        self.pos = NO_POSITION  # no clause matched: re-raise, on the last test's line
        self.emit(op.END_FINALLY)
        self.place(orelse)
        self.compile_statements(node.orelse)
        self.place(end)

    #     SETUP_EXCEPT handlers
    #     <body>
    #     POP_BLOCK
    #     JUMP_FORWARD orelse
    # handlers:                      # stack: ..., exc    blocks: ..., except-handler
    #     DUP_TOP                    # the original exception, and what is left to match
    #     BUILD_LIST 0               # exceptions raised (or re-raised) by the clauses
    #     ROT_TWO                    # stack: ..., orig, raised, rest
    #   for each clause `except* E as name:`
    #     <E>
    #     CHECK_EG_MATCH             # ..., orig, raised, rest, match (None: no match)
    #     DUP_TOP; LOAD_CONST None; COMPARE_OP is; POP_JUMP_IF_TRUE no_match
    #     STORE name (or POP_TOP)
    #     SETUP_EXCEPT clause_raised
    #     [SETUP_FINALLY cleanup] <clause body> [POP_BLOCK; LOAD_CONST None;
    #     cleanup: LOAD_CONST None; STORE name; DELETE name; END_FINALLY]
    #     POP_BLOCK
    #     JUMP_FORWARD next
    # clause_raised:                 # ..., orig, raised, rest, exc
    #     LIST_APPEND 2
    #     POP_EXCEPT
    #     JUMP_FORWARD next
    # no_match:
    #     POP_TOP
    # next:
    #   after the clauses
    #     PREP_RERAISE_STAR          # the exception group to raise, or None
    #     END_FINALLY                # re-raise it (None: go on)
    #     POP_EXCEPT
    #     JUMP_FORWARD end
    # orelse:
    #     <orelse>
    # end:
    def stmt_try_star(self, node: ast.TryStar) -> None:
        if node.finalbody:
            position = _position(node)
            final = Label()
            self.emit_jump(op.SETUP_FINALLY, final)
            self.push_fblock(FBlock(FBlockKind.FINALLY_TRY))
            self.compile_try_star_except(node)
            self.pop_fblock()
            self.pos = position
            self.emit(op.POP_BLOCK)
            self.load_const(None)
            self.place(final)
            self.push_fblock(FBlock(FBlockKind.FINALLY_END))
            self.compile_statements(node.finalbody)
            self.pop_fblock()
            self.pos = position
            self.emit(op.END_FINALLY)
        else:
            self.compile_try_star_except(node)

    def compile_try_star_except(self, node: ast.TryStar) -> None:
        position = _position(node)
        handlers_label, orelse, end = Label(), Label(), Label()
        self.emit_jump(op.SETUP_EXCEPT, handlers_label)
        self.push_fblock(FBlock(FBlockKind.TRY_EXCEPT))
        self.compile_statements(node.body)
        self.pop_fblock()
        self.pos = NO_POSITION  # artificial: the body's last line (assembler.place_exits)
        self.emit(op.POP_BLOCK)
        self.emit_jump(op.JUMP_FORWARD, orelse)
        self.pos = _position(node.handlers[0])
        self.place(handlers_label)
        self.push_fblock(FBlock(FBlockKind.EXCEPTION_HANDLER))
        self.emit(op.DUP_TOP)
        self.emit(op.BUILD_LIST, 0)
        self.emit(op.ROT_TWO)
        for handler in node.handlers:
            self.pos = _position(handler)
            no_match, following, raised = Label(), Label(), Label()
            self.visit_expr(handler.type)
            self.emit(op.CHECK_EG_MATCH)
            self.emit(op.DUP_TOP)
            self.load_const(None)
            self.emit(op.COMPARE_OP, op.COMPARE_INDEX["Is"])
            self.emit_jump(op.POP_JUMP_IF_TRUE, no_match)
            if handler.name is not None:
                self.store_name(handler.name)
            else:
                self.emit(op.POP_TOP)
            self.emit_jump(op.SETUP_EXCEPT, raised)
            self.push_fblock(FBlock(FBlockKind.EXCEPTION_GROUP_HANDLER))
            if handler.name is not None:
                cleanup = Label()
                self.emit_jump(op.SETUP_FINALLY, cleanup)
                self.push_fblock(FBlock(FBlockKind.HANDLER_CLEANUP, runtime_blocks=2))
                self.compile_statements(handler.body)
                self.pop_fblock()
                self.pos = NO_POSITION  # artificial: the clause's last line
                self.emit(op.POP_BLOCK)
                self.load_const(None)
                self.place(cleanup)
                self.note_blocks(2)
                self.load_const(None)
                self.store_name(handler.name)
                self.delete_name(handler.name)
                self.emit(op.END_FINALLY)
            else:
                self.compile_statements(handler.body)
                self.pos = NO_POSITION  # artificial: the clause's last line
            self.pop_fblock()
            self.emit(op.POP_BLOCK)
            self.emit_jump(op.JUMP_FORWARD, following)
            self.place(raised)
            self.note_blocks(1)
            self.emit(op.LIST_APPEND, 2)
            self.emit(op.POP_EXCEPT)
            self.emit_jump(op.JUMP_FORWARD, following)
            self.place(no_match)
            self.emit(op.POP_TOP)
            self.place(following)
        self.pos = NO_POSITION  # artificial: the line of the clause that ran last
        self.emit(op.PREP_RERAISE_STAR)
        self.emit(op.END_FINALLY)
        self.emit(op.POP_EXCEPT)
        self.pop_fblock()
        self.emit_jump(op.JUMP_FORWARD, end)
        self.place(orelse)
        self.compile_statements(node.orelse)
        self.place(end)

    def stmt_match(self, node: ast.Match) -> None:
        self.compile_match(node)


_STATEMENTS = {
    ast.FunctionDef: StatementCompiler.stmt_function,
    ast.AsyncFunctionDef: StatementCompiler.stmt_function,
    ast.ClassDef: StatementCompiler.stmt_class,
    ast.Return: StatementCompiler.stmt_return,
    ast.Delete: StatementCompiler.stmt_delete,
    ast.Assign: StatementCompiler.stmt_assign,
    ast.AugAssign: StatementCompiler.stmt_augassign,
    ast.AnnAssign: StatementCompiler.stmt_annassign,
    ast.For: StatementCompiler.stmt_for,
    ast.AsyncFor: StatementCompiler.stmt_async_for,
    ast.While: StatementCompiler.stmt_while,
    ast.If: StatementCompiler.stmt_if,
    ast.With: StatementCompiler.stmt_with,
    ast.AsyncWith: StatementCompiler.stmt_async_with,
    ast.Match: StatementCompiler.stmt_match,
    ast.Raise: StatementCompiler.stmt_raise,
    ast.Try: StatementCompiler.stmt_try,
    ast.TryStar: StatementCompiler.stmt_try_star,
    ast.Assert: StatementCompiler.stmt_assert,
    ast.Import: StatementCompiler.stmt_import,
    ast.ImportFrom: StatementCompiler.stmt_import_from,
    ast.Global: StatementCompiler.stmt_nothing,
    ast.Nonlocal: StatementCompiler.stmt_nothing,
    ast.Expr: StatementCompiler.stmt_expr,
    ast.Pass: StatementCompiler.stmt_pass,
    ast.Break: StatementCompiler.stmt_break,
    ast.Continue: StatementCompiler.stmt_continue,
}
