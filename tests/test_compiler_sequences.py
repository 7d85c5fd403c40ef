"""The instruction sequences docs/bytecode.md fixes, checked on small programs.

Listings are written as in docs/bytecode.md: one instruction a line, ``OPNAME argument``, jumps as
``OPNAME L1`` with ``L1:`` before the target (labels numbered in order of first mention).
"""

from __future__ import annotations

import textwrap

import pytest

from bytelens.vm.isa.code import (CO_ASYNC_GENERATOR, CO_COROUTINE, CO_FUTURE_ANNOTATIONS, CO_GENERATOR,
                              CO_NESTED, CO_NEWLOCALS, CO_NOFREE, CO_OPTIMIZED, CO_VARARGS,
                              CO_VARKEYWORDS, Code)
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.isa.disassembler import get_instructions


def listing(code: Code) -> str:
    instructions = [i for i in get_instructions(code) if i.opname != "EXTENDED_ARG"]
    targets = {i.jump_target for i in instructions if i.jump_target is not None}
    labels: dict[int, str] = {}

    def label(offset: int) -> str:
        if offset not in labels:
            labels[offset] = f"L{len(labels) + 1}"
        return labels[offset]

    lines = []
    for instr in instructions:
        if instr.offset in targets:
            lines.append(f"{label(instr.offset)}:")
        if instr.jump_target is not None:
            lines.append(f"{instr.opname} {label(instr.jump_target)}")
        elif instr.arg is None:
            lines.append(instr.opname)
        else:
            lines.append(f"{instr.opname} {instr.argrepr or instr.arg}")
    return "\n".join(lines)


def code_named(source: str, name: str) -> Code:
    module = compile_source(textwrap.dedent(source), "<test>")
    for code in module.walk():
        if code.name == name:
            return code
    raise LookupError(name)


def assert_listing(source: str, expected: str, name: str = "f") -> None:
    assert listing(code_named(source, name)) == textwrap.dedent(expected).strip()


def test_for_loop_with_else_break_and_continue():
    assert_listing("""
        def f(items):
            for x in items:
                if x:
                    continue
                break
            else:
                g()
        """, """
        SETUP_LOOP L1
        LOAD_FAST items
        GET_ITER
        L2:
        FOR_ITER L3
        STORE_FAST x
        LOAD_FAST x
        POP_JUMP_IF_FALSE L4
        JUMP_ABSOLUTE L2
        L4:
        BREAK_LOOP
        L3:
        POP_BLOCK
        LOAD_GLOBAL g
        CALL_FUNCTION 1
        POP_TOP
        L1:
        LOAD_CONST None
        RETURN_VALUE
        """.replace("CALL_FUNCTION 1", "CALL_FUNCTION 0"))


def test_while_loop_and_constant_true_test():
    assert_listing("""
        def f(n):
            while n:
                n -= 1
            while True:
                break
        """, """
        SETUP_LOOP L1
        L2:
        LOAD_FAST n
        POP_JUMP_IF_FALSE L3
        LOAD_FAST n
        LOAD_CONST 1
        INPLACE_SUBTRACT
        STORE_FAST n
        JUMP_ABSOLUTE L2
        L3:
        POP_BLOCK
        L1:
        SETUP_LOOP L4
        BREAK_LOOP
        L4:
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_continue_inside_a_block_is_continue_loop():
    assert_listing("""
        def f(items):
            for x in items:
                try:
                    continue
                except E:
                    pass
        """, """
        SETUP_LOOP L1
        LOAD_FAST items
        GET_ITER
        L2:
        FOR_ITER L3
        STORE_FAST x
        SETUP_EXCEPT L4
        CONTINUE_LOOP L2
        L4:
        DUP_TOP
        LOAD_GLOBAL E
        COMPARE_OP exception match
        POP_JUMP_IF_FALSE L5
        POP_TOP
        POP_EXCEPT
        JUMP_FORWARD L6
        L5:
        END_FINALLY
        L6:
        JUMP_ABSOLUTE L2
        L3:
        POP_BLOCK
        L1:
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_try_except_with_name_else_and_bare_clause():
    assert_listing("""
        def f():
            try:
                a()
            except E as e:
                b(e)
            except:
                c()
            else:
                d()
        """, """
        SETUP_EXCEPT L1
        LOAD_GLOBAL a
        CALL_FUNCTION 0
        POP_TOP
        POP_BLOCK
        JUMP_FORWARD L2
        L1:
        DUP_TOP
        LOAD_GLOBAL E
        COMPARE_OP exception match
        POP_JUMP_IF_FALSE L3
        STORE_FAST e
        SETUP_FINALLY L4
        LOAD_GLOBAL b
        LOAD_FAST e
        CALL_FUNCTION 1
        POP_TOP
        POP_BLOCK
        LOAD_CONST None
        L4:
        LOAD_CONST None
        STORE_FAST e
        DELETE_FAST e
        END_FINALLY
        POP_EXCEPT
        JUMP_FORWARD L5
        L3:
        POP_TOP
        LOAD_GLOBAL c
        CALL_FUNCTION 0
        POP_TOP
        POP_EXCEPT
        JUMP_FORWARD L6
        L2:
        LOAD_GLOBAL d
        CALL_FUNCTION 0
        POP_TOP
        LOAD_CONST None
        RETURN_VALUE
        L5:
        LOAD_CONST None
        RETURN_VALUE
        L6:
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_unmatched_exception_is_reraised_by_end_finally():
    assert_listing("""
        def f():
            try:
                a()
            except E:
                pass
        """, """
        SETUP_EXCEPT L1
        LOAD_GLOBAL a
        CALL_FUNCTION 0
        POP_TOP
        POP_BLOCK
        JUMP_FORWARD L2
        L1:
        DUP_TOP
        LOAD_GLOBAL E
        COMPARE_OP exception match
        POP_JUMP_IF_FALSE L3
        POP_TOP
        POP_EXCEPT
        JUMP_FORWARD L2
        L3:
        END_FINALLY
        L2:
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_try_finally():
    assert_listing("""
        def f():
            try:
                a()
            finally:
                b()
        """, """
        SETUP_FINALLY L1
        LOAD_GLOBAL a
        CALL_FUNCTION 0
        POP_TOP
        POP_BLOCK
        LOAD_CONST None
        L1:
        LOAD_GLOBAL b
        CALL_FUNCTION 0
        POP_TOP
        END_FINALLY
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_with_and_nested_items():
    assert_listing("""
        def f():
            with a() as x, b():
                pass
        """, """
        LOAD_GLOBAL a
        CALL_FUNCTION 0
        SETUP_WITH L1
        STORE_FAST x
        LOAD_GLOBAL b
        CALL_FUNCTION 0
        SETUP_WITH L2
        POP_TOP
        NOP
        POP_BLOCK
        LOAD_CONST None
        L2:
        WITH_CLEANUP_START
        WITH_CLEANUP_FINISH
        END_FINALLY
        POP_BLOCK
        LOAD_CONST None
        L1:
        WITH_CLEANUP_START
        WITH_CLEANUP_FINISH
        END_FINALLY
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_async_with_and_async_for():
    assert_listing("""
        async def f():
            async with a() as x:
                pass
            async for y in b:
                pass
        """, """
        LOAD_GLOBAL a
        CALL_FUNCTION 0
        BEFORE_ASYNC_WITH
        GET_AWAITABLE
        LOAD_CONST None
        YIELD_FROM
        SETUP_ASYNC_WITH L1
        STORE_FAST x
        NOP
        POP_BLOCK
        LOAD_CONST None
        L1:
        WITH_CLEANUP_START
        GET_AWAITABLE
        LOAD_CONST None
        YIELD_FROM
        WITH_CLEANUP_FINISH
        END_FINALLY
        SETUP_LOOP L2
        LOAD_GLOBAL b
        GET_AITER
        L3:
        SETUP_EXCEPT L4
        GET_ANEXT
        LOAD_CONST None
        YIELD_FROM
        POP_BLOCK
        STORE_FAST y
        NOP
        JUMP_ABSOLUTE L3
        L4:
        END_ASYNC_FOR
        POP_BLOCK
        L2:
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_function_definition_pieces_and_decorators():
    assert_listing("""
        def f():
            x = 1
            @d1
            @d2
            def g(a, b=2, *, c=3, **k) -> int:
                return x
        """, """
        LOAD_CONST 1
        STORE_DEREF x
        LOAD_GLOBAL d1
        LOAD_GLOBAL d2
        LOAD_CONST (2,)
        LOAD_CONST 3
        LOAD_CONST ('c',)
        BUILD_CONST_KEY_MAP 1
        LOAD_GLOBAL int
        LOAD_CONST ('return',)
        BUILD_CONST_KEY_MAP 1
        LOAD_CLOSURE x
        BUILD_TUPLE 1
        LOAD_CONST <code object g at line 4>
        LOAD_CONST 'f.<locals>.g'
        MAKE_FUNCTION defaults, kwdefaults, annotations, closure
        CALL_FUNCTION 1
        CALL_FUNCTION 1
        STORE_FAST g
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_calls():
    assert_listing("""
        def f():
            g(1, 2)
            g(1, k=2)
            o.m(1)
            g(*a)
            g(1, *a, 2, k=1, **m)
            g(**m)
        """, """
        LOAD_GLOBAL g
        LOAD_CONST 1
        LOAD_CONST 2
        CALL_FUNCTION 2
        POP_TOP
        LOAD_GLOBAL g
        LOAD_CONST 1
        LOAD_CONST 2
        LOAD_CONST ('k',)
        CALL_FUNCTION_KW 2
        POP_TOP
        LOAD_GLOBAL o
        LOAD_METHOD m
        LOAD_CONST 1
        CALL_METHOD 1
        POP_TOP
        LOAD_GLOBAL g
        LOAD_GLOBAL a
        BUILD_TUPLE_UNPACK_WITH_CALL 1
        CALL_FUNCTION_EX 0
        POP_TOP
        LOAD_GLOBAL g
        LOAD_CONST 1
        BUILD_TUPLE 1
        LOAD_GLOBAL a
        LOAD_CONST 2
        BUILD_TUPLE 1
        BUILD_TUPLE_UNPACK_WITH_CALL 3
        LOAD_CONST 'k'
        LOAD_CONST 1
        BUILD_MAP 1
        LOAD_GLOBAL m
        BUILD_MAP_UNPACK_WITH_CALL 2
        CALL_FUNCTION_EX with keywords
        POP_TOP
        LOAD_GLOBAL g
        BUILD_TUPLE 0
        LOAD_GLOBAL m
        BUILD_MAP_UNPACK_WITH_CALL 1
        CALL_FUNCTION_EX with keywords
        POP_TOP
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_class_definition_and_body_with_class_cell():
    source = """
        class C(B, metaclass=M):
            '''Doc.'''
            x: int = 1
            def m(self):
                return super().m()
        """
    assert_listing(source, """
        LOAD_BUILD_CLASS
        LOAD_CONST <code object C at line 2>
        LOAD_CONST 'C'
        MAKE_FUNCTION 0
        LOAD_CONST 'C'
        LOAD_NAME B
        LOAD_NAME M
        LOAD_CONST ('metaclass',)
        CALL_FUNCTION_KW 4
        STORE_NAME C
        LOAD_CONST None
        RETURN_VALUE
        """, name="<module>")
    assert_listing(source, """
        LOAD_NAME __name__
        STORE_NAME __module__
        LOAD_CONST 'C'
        STORE_NAME __qualname__
        SETUP_ANNOTATIONS
        LOAD_CONST 'Doc.'
        STORE_NAME __doc__
        LOAD_CONST 1
        STORE_NAME x
        LOAD_NAME int
        LOAD_NAME __annotations__
        LOAD_CONST 'x'
        STORE_SUBSCR
        LOAD_CLOSURE __class__
        BUILD_TUPLE 1
        LOAD_CONST <code object m at line 5>
        LOAD_CONST 'C.m'
        MAKE_FUNCTION closure
        STORE_NAME m
        LOAD_CLOSURE __class__
        DUP_TOP
        STORE_NAME __classcell__
        RETURN_VALUE
        """, name="C")
    method = code_named(source, "m")
    assert method.freevars == ("__class__",) and method.qualname == "C.m"


def test_list_comprehension_and_generator_expression():
    source = """
        def f(xs):
            return [x for x in xs if x], (y for y in xs)
        """
    assert_listing(source, """
        LOAD_CONST <code object <listcomp> at line 3>
        LOAD_CONST 'f.<locals>.<listcomp>'
        MAKE_FUNCTION 0
        LOAD_FAST xs
        GET_ITER
        CALL_FUNCTION 1
        LOAD_CONST <code object <genexpr> at line 3>
        LOAD_CONST 'f.<locals>.<genexpr>'
        MAKE_FUNCTION 0
        LOAD_FAST xs
        GET_ITER
        CALL_FUNCTION 1
        BUILD_TUPLE 2
        RETURN_VALUE
        """)
    assert_listing(source, """
        BUILD_LIST 0
        LOAD_FAST .0
        L1:
        FOR_ITER L2
        STORE_FAST x
        LOAD_FAST x
        POP_JUMP_IF_FALSE L1
        LOAD_FAST x
        LIST_APPEND 2
        JUMP_ABSOLUTE L1
        L2:
        RETURN_VALUE
        """, name="<listcomp>")
    assert_listing(source, """
        LOAD_FAST .0
        L1:
        FOR_ITER L2
        STORE_FAST y
        LOAD_FAST y
        YIELD_VALUE
        POP_TOP
        JUMP_ABSOLUTE L1
        L2:
        LOAD_CONST None
        RETURN_VALUE
        """, name="<genexpr>")
    genexpr = code_named(source, "<genexpr>")
    assert genexpr.flags & CO_GENERATOR and genexpr.varnames[0] == ".0" and genexpr.argcount == 1


def test_async_comprehension_is_awaited_and_async_genexpr_is_not():
    source = """
        async def f(a):
            return [x async for x in a], (y async for y in a)
        """
    assert_listing(source, """
        LOAD_CONST <code object <listcomp> at line 3>
        LOAD_CONST 'f.<locals>.<listcomp>'
        MAKE_FUNCTION 0
        LOAD_FAST a
        GET_AITER
        CALL_FUNCTION 1
        GET_AWAITABLE
        LOAD_CONST None
        YIELD_FROM
        LOAD_CONST <code object <genexpr> at line 3>
        LOAD_CONST 'f.<locals>.<genexpr>'
        MAKE_FUNCTION 0
        LOAD_FAST a
        GET_AITER
        CALL_FUNCTION 1
        BUILD_TUPLE 2
        RETURN_VALUE
        """)
    assert_listing(source, """
        BUILD_LIST 0
        LOAD_FAST .0
        L1:
        SETUP_EXCEPT L2
        GET_ANEXT
        LOAD_CONST None
        YIELD_FROM
        POP_BLOCK
        STORE_FAST x
        LOAD_FAST x
        LIST_APPEND 2
        JUMP_ABSOLUTE L1
        L2:
        END_ASYNC_FOR
        RETURN_VALUE
        """, name="<listcomp>")
    assert code_named(source, "<listcomp>").flags & CO_COROUTINE
    assert code_named(source, "<genexpr>").flags & CO_ASYNC_GENERATOR


def test_yield_yield_from_and_await():
    assert_listing("""
        def f():
            x = yield
            yield from x
        """, """
        LOAD_CONST None
        YIELD_VALUE
        STORE_FAST x
        LOAD_FAST x
        GET_YIELD_FROM_ITER
        LOAD_CONST None
        YIELD_FROM
        POP_TOP
        LOAD_CONST None
        RETURN_VALUE
        """)
    assert_listing("""
        async def f(x):
            await x
        """, """
        LOAD_FAST x
        GET_AWAITABLE
        LOAD_CONST None
        YIELD_FROM
        POP_TOP
        LOAD_CONST None
        RETURN_VALUE
        """)


def test_assert_and_raise_forms():
    assert_listing("""
        def f(t):
            assert t, "m"
            raise
        """, """
        LOAD_FAST t
        POP_JUMP_IF_TRUE L1
        LOAD_ASSERTION_ERROR
        LOAD_CONST 'm'
        CALL_FUNCTION 1
        RAISE_VARARGS 1
        L1:
        RAISE_VARARGS 0
        """)
    assert listing(code_named("def f(e, c):\n raise e from c\n", "f")).splitlines()[-1] == \
        "RAISE_VARARGS 2"


def test_imports():
    assert_listing("""
        import a.b.c
        import a.b.c as d
        from .m import x as y
        from n import *
        """, """
        LOAD_CONST 0
        LOAD_CONST None
        IMPORT_NAME a.b.c
        STORE_NAME a
        LOAD_CONST 0
        LOAD_CONST None
        IMPORT_NAME a.b.c
        IMPORT_FROM b
        ROT_TWO
        POP_TOP
        IMPORT_FROM c
        STORE_NAME d
        POP_TOP
        LOAD_CONST 1
        LOAD_CONST ('x',)
        IMPORT_NAME m
        IMPORT_FROM x
        STORE_NAME y
        POP_TOP
        LOAD_CONST 0
        LOAD_CONST ('*',)
        IMPORT_NAME n
        IMPORT_STAR
        LOAD_CONST None
        RETURN_VALUE
        """, name="<module>")


def test_annotations_module_function_and_future():
    assert_listing('''
        """Module doc."""
        x: int = 1
        def f():
            y: int = 2
        ''', """
        SETUP_ANNOTATIONS
        LOAD_CONST 'Module doc.'
        STORE_NAME __doc__
        LOAD_CONST 1
        STORE_NAME x
        LOAD_NAME int
        LOAD_NAME __annotations__
        LOAD_CONST 'x'
        STORE_SUBSCR
        LOAD_CONST <code object f at line 4>
        LOAD_CONST 'f'
        MAKE_FUNCTION 0
        STORE_NAME f
        LOAD_CONST None
        RETURN_VALUE
        """, name="<module>")
    assert_listing("def f():\n    y: int = 2\n", """
        LOAD_CONST 2
        STORE_FAST y
        LOAD_CONST None
        RETURN_VALUE
        """)
    module = compile_source("from __future__ import annotations\nx: list[int]\n"
                            "def f(a: A) -> R: pass\n", "<test>")
    assert module.flags & CO_FUTURE_ANNOTATIONS
    text = listing(module)
    assert "LOAD_CONST 'list[int]'" in text and "LOAD_CONST 'A'" in text and "LOAD_CONST 'R'" in text
    assert all(code.flags & CO_FUTURE_ANNOTATIONS for code in module.walk())


def test_walrus_chained_comparison_and_unpack_ex():
    assert_listing("""
        def f(a, b, c):
            (x := a)
            return a < b < c
        """, """
        LOAD_FAST a
        DUP_TOP
        STORE_FAST x
        POP_TOP
        LOAD_FAST a
        LOAD_FAST b
        DUP_TOP
        ROT_THREE
        COMPARE_OP <
        JUMP_IF_FALSE_OR_POP L1
        LOAD_FAST c
        COMPARE_OP <
        JUMP_FORWARD L2
        L1:
        ROT_TWO
        POP_TOP
        L2:
        RETURN_VALUE
        """)
    text = listing(code_named("def f(s):\n    a, *b, c, d = s\n", "f"))
    assert "UNPACK_EX 513" in text


def test_debug_is_a_constant_and_constants_fold():
    assert_listing("""
        def f():
            return __debug__, -1, (1, -2.5, ('a', None))
        """, """
        LOAD_CONST (True, -1, (1, -2.5, ('a', None)))
        RETURN_VALUE
        """)


def test_match_binds_after_the_whole_pattern():
    text = listing(code_named("""
        def f(s):
            match s:
                case [a, b]:
                    return a
                case {"k": v}:
                    return v
                case P(x=1):
                    return 0
        """, "f"))
    for opname in ("MATCH_SEQUENCE", "GET_LEN", "MATCH_MAPPING", "MATCH_KEYS", "MATCH_CLASS", "ROT_N"):
        assert opname in text
    lines = text.splitlines()
    # Both captures are stored together, after the last check of the sequence pattern.
    first_store = lines.index("STORE_FAST a")
    assert lines[first_store + 1] == "STORE_FAST b"
    assert "POP_JUMP_IF_FALSE" not in "\n".join(lines[first_store:first_store + 3])


def test_except_star_uses_check_eg_match_and_prep_reraise_star():
    text = listing(code_named("""
        def f():
            try:
                g()
            except* ValueError as e:
                h(e)
        """, "f"))
    assert "CHECK_EG_MATCH" in text and "PREP_RERAISE_STAR" in text and "LIST_APPEND 2" in text


def test_function_constants_flags_and_names():
    module = compile_source(textwrap.dedent('''
        def plain(a, /, b, *args, c, **kw):
            """Doc."""
            def inner():
                return a
            return inner
        def gen():
            yield
        async def coro():
            pass
        async def agen():
            yield
        lam = lambda: 0
        @decorator
        def decorated():
            pass
        '''), "<test>")
    codes = {code.name: code for code in module.walk()}
    plain = codes["plain"]
    assert plain.consts[0] == "Doc."
    assert (plain.argcount, plain.posonlyargcount, plain.kwonlyargcount) == (2, 1, 1)
    assert plain.flags & (CO_OPTIMIZED | CO_NEWLOCALS | CO_VARARGS | CO_VARKEYWORDS) == \
        CO_OPTIMIZED | CO_NEWLOCALS | CO_VARARGS | CO_VARKEYWORDS
    assert plain.cellvars == ("a",) and plain.cell2arg == (0,) and not plain.flags & CO_NOFREE
    inner = codes["inner"]
    assert inner.qualname == "plain.<locals>.inner" and inner.flags & CO_NESTED
    assert inner.consts[0] is None and inner.freevars == ("a",)
    assert codes["gen"].flags & CO_GENERATOR and codes["gen"].flags & CO_NOFREE
    assert codes["coro"].flags & CO_COROUTINE and codes["agen"].flags & CO_ASYNC_GENERATOR
    assert codes["<lambda>"].consts[0] is None
    assert codes["decorated"].firstlineno == 14 and codes["<module>"].firstlineno == 1
    assert codes["<module>"].consts.count(None) == 1


def test_every_instruction_has_a_position():
    module = compile_source(textwrap.dedent("""
        import os
        class C:
            async def m(self, x):
                try:
                    with open(x) as f:
                        for line in f:
                            if line:
                                continue
                except* OSError:
                    pass
                finally:
                    return [y async for y in x] if x else {k: v for k, v in x}
        match 1:
            case [1, *r] | {"a": r}:
                pass
        """), "<test>")
    for code in module.walk():
        assert len(code.positions) * 2 == len(code.code)
        for position in code.positions:
            assert None not in position, code.name


def test_implicit_return_takes_the_last_statement_position():
    code = code_named("def f():\n    a = 1\n    b = 2\n", "f")
    assert code.positions[-1][0] == 3 and code.positions[-2][0] == 3


@pytest.mark.parametrize("mode,source,expected", [
    ("eval", "a + 1", "LOAD_NAME a\nLOAD_CONST 1\nBINARY_ADD\nRETURN_VALUE"),
    ("single", "a", "LOAD_NAME a\nPRINT_EXPR\nLOAD_CONST None\nRETURN_VALUE"),
    ("single", "'doc'", "LOAD_CONST 'doc'\nPRINT_EXPR\nLOAD_CONST None\nRETURN_VALUE"),
])
def test_eval_and_single_modes(mode: str, source: str, expected: str):
    assert listing(compile_source(source, "<test>", mode)) == expected


@pytest.mark.parametrize("mode,source", [("eval", "x = 1"), ("eval", ""), ("single", "a\nb\n")])
def test_mode_grammar_errors_match_cpython(mode: str, source: str):
    from bytelens.vm.compiler.diagnostics import CompileError

    with pytest.raises(SyntaxError) as cpython:
        compile(source, "<test>", mode)
    with pytest.raises(CompileError) as ours:
        compile_source(source, "<test>", mode)
    assert ours.value.msg == cpython.value.msg
    assert ours.value.lineno == max(cpython.value.lineno, 1)  # a diagnostic has a line
