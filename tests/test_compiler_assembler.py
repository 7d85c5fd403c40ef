"""The assembler: jump resolution with EXTENDED_ARG, stack depth, block depth, dead code; deep trees."""

from __future__ import annotations

import contextlib
import io
import sys

import pytest

from bytelens.vm.isa import opcodes as op
from bytelens.vm.compiler.assembler import AssemblyError, Label, analyze_flow
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.isa.disassembler import get_instructions
from bytelens.vm.isa.wordcode import units
from bytelens.vm.runtime.modules import run_code

POS = (1, 0, 1, 1)


def run(source: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_code(compile_source(source, "<test>"), {"__name__": "__main__"})
    return out.getvalue()


def function_code(source: str, name: str = "f"):
    return next(c for c in compile_source(source, "<test>").walk() if c.name == name)


def test_huge_function_jumps_need_extended_args_and_still_run():
    body = "\n".join(f"        total += {k}" for k in range(9000))
    source = f"def f():\n    total = 0\n    for i in range(2):\n{body}\n    return total\nprint(f())\n"
    code = function_code(source)
    expected = 2 * sum(range(9000))
    assert run(source) == f"{expected}\n"
    offsets = {offset for offset, _, _ in units(code.code)}
    instructions = get_instructions(code)
    extended = [i for i in instructions if i.opname == "EXTENDED_ARG"]
    jumps = [i for i in instructions if i.jump_target is not None]
    assert extended and len(code.code) > 0x10000
    assert all(j.jump_target in offsets for j in jumps)
    assert max(j.jump_target for j in jumps) > 0xFFFF  # FOR_ITER/SETUP_LOOP need two prefixes


def test_many_constants_and_names_use_extended_args():
    source = "values = [" + ", ".join(f"{k} + 0.5" for k in range(600)) + "]\n"
    source += "".join(f"n{k} = {k}\n" for k in range(300)) + "print(sum(values), n299)\n"
    assert run(source) == f"{sum(k + 0.5 for k in range(600))} 299\n"


def test_stack_depth_is_the_real_maximum():
    assert function_code("def f(a, b, c):\n    return g(a, b, c)\n").stacksize == 4
    assert function_code("def f():\n    return [" + ", ".join("x" * 1 for _ in range(300)) + "]\n"
                         ).stacksize == 300
    # A handler starts with the exception pushed; a with body keeps __exit__ below.
    assert function_code("def f():\n    try:\n        pass\n    except E:\n        pass\n"
                         ).stacksize == 3
    assert function_code("def f():\n    with a as b:\n        return b\n").stacksize == 2


def test_block_depth_counts_nested_runtime_blocks():
    assert function_code("def f():\n    pass\n").blockdepth == 0
    assert function_code("def f():\n    for x in y:\n        pass\n").blockdepth == 1
    nested = ("def f():\n    for x in y:\n        try:\n            with a:\n                pass\n"
              "        except E as e:\n            pass\n")
    # loop, try, with; later loop, except-handler, the named clause's finally (or its handler).
    assert function_code(nested).blockdepth == 3
    finally_body = "def f():\n    while x:\n        try:\n            pass\n        finally:\n            g()\n"
    assert function_code(finally_body).blockdepth == 2


def test_dead_code_is_removed():
    code = function_code("def f():\n    return 1\n    x = 2\n")
    names = [i.opname for i in get_instructions(code)]
    assert names == ["LOAD_CONST", "RETURN_VALUE"]
    loop = function_code("def f():\n    while True:\n        g()\n")
    assert "POP_BLOCK" not in [i.opname for i in get_instructions(loop)]


def test_flow_analysis_rejects_inconsistent_code():
    join = Label()
    join.index = 3
    instrs = [(op.LOAD_CONST, 0, None, POS), (op.POP_JUMP_IF_FALSE, 0, join, POS),
              (op.LOAD_CONST, 0, None, POS), (op.LOAD_CONST, 0, None, POS),
              (op.RETURN_VALUE, 0, None, POS)]
    with pytest.raises(AssemblyError, match="inconsistent stack depth"):
        analyze_flow(instrs)
    with pytest.raises(AssemblyError, match="underflow"):
        analyze_flow([(op.POP_TOP, 0, None, POS), (op.RETURN_VALUE, 0, None, POS)])
    with pytest.raises(AssemblyError, match="falls off"):
        analyze_flow([(op.LOAD_CONST, 0, None, POS)])


def test_flow_analysis_follows_handler_edges():
    handler = Label()
    handler.index = 4
    instrs = [(op.SETUP_EXCEPT, 0, handler, POS), (op.POP_BLOCK, 0, None, POS),
              (op.LOAD_CONST, 0, None, POS), (op.RETURN_VALUE, 0, None, POS),
              (op.DUP_TOP, 0, None, POS), (op.DUP_TOP, 0, None, POS), (op.RETURN_VALUE, 0, None, POS)]
    depth, depths = analyze_flow(instrs)
    assert depth == 3 and depths[4] == 1


@pytest.fixture
def default_recursion_limit():
    """CPython's compiler, like bytelens's, gives up at a depth that follows the recursion limit."""
    saved = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    yield
    sys.setrecursionlimit(saved)


def test_long_chains_compile_and_deeper_trees_fail_like_cpython(default_recursion_limit):
    chain = "x = " + " + ".join(["1"] * 1000) + "\nprint(x)\n"
    assert run(chain) == "1000\n"
    conditions = "x = 3\nif x == -1: pass\n" + "".join(f"elif x == {i}: print({i})\n" for i in range(1500))
    assert run(conditions) == "3\n"
    sys.setrecursionlimit(1000)  # running code on the VM may have raised it
    deep = " + ".join(["1"] * 10000)
    with pytest.raises(RecursionError):
        compile(deep, "<test>", "exec")
    with pytest.raises(CompileError) as error:
        compile_source(deep, "<test>")
    assert error.value.kind == "RecursionError"
    assert error.value.msg == "maximum recursion depth exceeded during compilation"


@pytest.mark.parametrize("source", ["x = " + "-" * 3000 + "y", "a" + ".b" * 3000, "f" + "()" * 3000,
                                    "x = " + "not " * 500 + "y", "x = [" * 150 + "]" * 150])
def test_deep_trees_compile_or_fail_cleanly(source: str):
    try:
        code = compile_source(source, "<test>")
    except CompileError as error:
        assert error.kind in ("RecursionError", "SyntaxError", "MemoryError")
    else:
        assert code.stacksize >= 1
