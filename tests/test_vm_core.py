"""The VM core on hand-assembled code: dispatch, frames, calls, blocks and unwinding.

These pin down the sequences of docs/bytecode.md independently of the compiler; whole programs are
covered by the differential corpus (test_differential.py).
"""

from __future__ import annotations

import sys
import traceback

import pytest

from bytelens.vm.isa import opcodes
from bytelens.vm.runtime.decode import missing_handlers
from bytelens.vm.runtime.frame import BREAK, NULL, SILENCED, ContinueMarker, ReturnMarker
from bytelens.vm.runtime.functions import Function
from bytelens.vm.runtime.functions import call
from bytelens.vm.runtime.interpreter import get_recursion_limit
from bytelens.vm.runtime.modules import run_code

from vm_asm import FUNCTION_FLAGS, assemble


def run(items, **kwargs):
    namespace = kwargs.pop("namespace", {})
    namespace.setdefault("__name__", "__test__")
    return run_code(assemble(items, **kwargs), namespace), namespace


def test_every_instruction_has_a_handler():
    assert missing_handlers() == []


def test_markers_render_for_traces():
    assert (repr(NULL), repr(BREAK), repr(SILENCED)) == ("NULL", "<break>", "<silenced>")
    assert repr(ReturnMarker(6)) == "<return 6>"
    assert repr(ContinueMarker(12)) == "<continue 12>"


def test_arithmetic_and_stack_shuffles():
    result, _ = run([("LOAD_CONST", 1), ("LOAD_CONST", 2), ("LOAD_CONST", 3), ("ROT_THREE",),
                     ("BUILD_TUPLE", 3), ("RETURN_VALUE",)], consts=(None, 1, 2, 3))
    assert result == (3, 1, 2)
    result, _ = run([("LOAD_CONST", 1), ("LOAD_CONST", 2), ("LOAD_CONST", 3), ("LOAD_CONST", 4),
                     ("ROT_N", 4), ("BUILD_TUPLE", 4), ("RETURN_VALUE",)], consts=(None, 1, 2, 3, 4))
    assert result == (4, 1, 2, 3)
    result, _ = run([("LOAD_CONST", 1), ("LOAD_CONST", 2), ("COPY", 2), ("BINARY_MULTIPLY",),
                     ("BINARY_SUBTRACT",), ("RETURN_VALUE",)], consts=(None, 7, 3))
    assert result == 7 - 3 * 7


def _fib_code():
    return assemble([
        ("LOAD_FAST", 0), ("LOAD_CONST", 1), ("COMPARE_OP", 0), ("POP_JUMP_IF_FALSE", "L"),
        ("LOAD_FAST", 0), ("RETURN_VALUE",),
        "L:", ("LOAD_GLOBAL", 0), ("LOAD_FAST", 0), ("LOAD_CONST", 2), ("BINARY_SUBTRACT",),
        ("CALL_FUNCTION", 1), ("LOAD_GLOBAL", 0), ("LOAD_FAST", 0), ("LOAD_CONST", 1),
        ("BINARY_SUBTRACT",), ("CALL_FUNCTION", 1), ("BINARY_ADD",), ("RETURN_VALUE",)],
        consts=(None, 2, 1), names=("fib",), varnames=("n",), argcount=1, flags=FUNCTION_FLAGS,
        name="fib")


def test_recursive_vm_calls_and_host_calls_of_vm_functions():
    namespace = {"__name__": "__test__"}
    fib = Function(_fib_code(), namespace)
    namespace["fib"] = fib
    assert fib(15) == 610
    assert call(fib, 10) == 55
    assert sorted([5, 3, 9], key=fib) == [3, 5, 9]
    assert fib.__name__ == "fib" and fib.__module__ == "__test__"


def test_recursion_is_bounded_with_recursion_error():
    namespace = {"__name__": "__test__"}
    code = assemble([("LOAD_GLOBAL", 0), ("CALL_FUNCTION", 0), ("RETURN_VALUE",)], names=("f",),
                    flags=FUNCTION_FLAGS, name="f")
    namespace["f"] = Function(code, namespace)
    with pytest.raises(RecursionError, match="^maximum recursion depth exceeded$") as caught:
        namespace["f"]()
    vm_frames = [entry for entry in traceback.extract_tb(caught.value.__traceback__)
                 if entry.filename == "<test>"]
    assert len(vm_frames) == get_recursion_limit()


def test_argument_binding_messages_match_cpython():
    code = assemble([("LOAD_FAST", 0), ("RETURN_VALUE",)], varnames=("a", "b"), argcount=2,
                    flags=FUNCTION_FLAGS, name="g")
    g = Function(code, {"__name__": "m"}, defaults=(5,))
    assert g(1) == 1

    def host_g(a, b=5):
        return a
    host_g.__qualname__ = "g"
    for args, kwargs in (((), {}), ((1, 2, 3), {}), ((1,), {"c": 1}), ((1,), {"a": 1})):
        with pytest.raises(TypeError) as expected:
            host_g(*args, **kwargs)
        with pytest.raises(TypeError) as got:
            g(*args, **kwargs)
        assert str(got.value) == str(expected.value)


def _try_except_module():
    # try: 1/0
    # except ZeroDivisionError as e: seen = sys.exc_info()[1]; raise ValueError('boom')
    # finally: log.append('finally')
    return [
        ("SETUP_FINALLY", "FINAL"), ("SETUP_EXCEPT", "HANDLERS"),
        ("LOAD_CONST", 1), ("LOAD_CONST", 2), ("BINARY_TRUE_DIVIDE",), ("POP_TOP",),
        ("POP_BLOCK",), ("JUMP_FORWARD", "END"),
        "HANDLERS:", ("DUP_TOP",), ("LOAD_NAME", 0), ("COMPARE_OP", opcodes.EXCEPTION_MATCH),
        ("POP_JUMP_IF_FALSE", "NEXT"), ("STORE_NAME", 1), ("SETUP_FINALLY", "CLEANUP"),
        ("LOAD_NAME", 2), ("LOAD_METHOD", 3), ("CALL_METHOD", 0), ("LOAD_CONST", 3), ("BINARY_SUBSCR",),
        ("STORE_NAME", 4),
        ("LOAD_NAME", 5), ("LOAD_CONST", 4), ("CALL_FUNCTION", 1), ("RAISE_VARARGS", 1),
        ("POP_BLOCK",), ("LOAD_CONST", 0),
        "CLEANUP:", ("LOAD_CONST", 0), ("STORE_NAME", 1), ("DELETE_NAME", 1), ("END_FINALLY",),
        ("POP_EXCEPT",), ("JUMP_FORWARD", "END"),
        "NEXT:", ("END_FINALLY",),
        "END:", ("POP_BLOCK",), ("LOAD_CONST", 0),
        "FINAL:", ("LOAD_NAME", 6), ("LOAD_METHOD", 7), ("LOAD_CONST", 5), ("CALL_METHOD", 1),
        ("POP_TOP",), ("END_FINALLY",),
        ("LOAD_CONST", 0), ("RETURN_VALUE",)]


def test_exceptions_unwind_through_except_and_finally_blocks():
    log: list = []
    namespace = {"__name__": "__test__", "sys": sys, "ValueError": ValueError, "log": log}
    with pytest.raises(ValueError) as caught:
        run(_try_except_module(), consts=(None, 1, 0, 1, "boom", "finally"),
            names=("ZeroDivisionError", "e", "sys", "exc_info", "seen", "ValueError", "log", "append"),
            namespace=namespace)
    assert log == ["finally"]
    assert isinstance(namespace["seen"], ZeroDivisionError)
    assert caught.value.__context__ is namespace["seen"]
    assert "e" not in namespace
    assert sys.exc_info() == (None, None, None)


def test_tracebacks_name_the_vm_frames():
    namespace = {"__name__": "__test__", "sys": sys, "ValueError": ValueError, "log": []}
    try:
        run(_try_except_module(), consts=(None, 1, 0, 1, "boom", "finally"),
            names=("ZeroDivisionError", "e", "sys", "exc_info", "seen", "ValueError", "log", "append"),
            namespace=namespace)
    except ValueError as error:
        entries = traceback.extract_tb(error.__traceback__)
        context_entries = traceback.extract_tb(error.__context__.__traceback__)
    assert [entry.filename for entry in entries][-1] == "<test>"
    assert [(entry.filename, entry.name) for entry in context_entries] == [("<test>", "<test>")]


def test_return_in_finally_loop_break_and_continue_markers():
    # total = 0; for i in range(5): try: if i == 1: continue; if i == 3: break; total += i
    #                                 finally: log.append(i)
    items = [
        ("LOAD_CONST", 1), ("STORE_NAME", 0),
        ("SETUP_LOOP", "AFTER"), ("LOAD_NAME", 1), ("LOAD_CONST", 2), ("CALL_FUNCTION", 1), ("GET_ITER",),
        "TOP:", ("FOR_ITER", "DONE"), ("STORE_NAME", 2),
        ("SETUP_FINALLY", "FINAL"),
        ("LOAD_NAME", 2), ("LOAD_CONST", 3), ("COMPARE_OP", 2), ("POP_JUMP_IF_FALSE", "NOT1"),
        ("CONTINUE_LOOP", "TOP"),
        "NOT1:", ("LOAD_NAME", 2), ("LOAD_CONST", 4), ("COMPARE_OP", 2), ("POP_JUMP_IF_FALSE", "NOT3"),
        ("BREAK_LOOP",),
        "NOT3:", ("LOAD_NAME", 0), ("LOAD_NAME", 2), ("INPLACE_ADD",), ("STORE_NAME", 0),
        ("POP_BLOCK",), ("LOAD_CONST", 0),
        "FINAL:", ("LOAD_NAME", 3), ("LOAD_METHOD", 4), ("LOAD_NAME", 2), ("CALL_METHOD", 1), ("POP_TOP",),
        ("END_FINALLY",), ("JUMP_ABSOLUTE", "TOP"),
        "DONE:", ("POP_BLOCK",),
        "AFTER:", ("LOAD_NAME", 0), ("RETURN_VALUE",)]
    log: list = []
    result, _ = run(items, consts=(None, 0, 5, 1, 3), names=("total", "range", "i", "log", "append"),
                    namespace={"log": log})
    assert result == 0 + 2
    assert log == [0, 1, 2, 3]


def test_with_silences_and_restores_the_handled_exception():
    class Suppress:
        def __enter__(self):
            return "entered"

        def __exit__(self, *info):
            seen.append(info[0])
            return True
    seen: list = []
    items = [
        ("LOAD_NAME", 0), ("CALL_FUNCTION", 0), ("SETUP_WITH", "CLEANUP"), ("STORE_NAME", 1),
        ("LOAD_CONST", 1), ("LOAD_CONST", 2), ("BINARY_TRUE_DIVIDE",), ("POP_TOP",),
        ("POP_BLOCK",), ("LOAD_CONST", 0),
        "CLEANUP:", ("WITH_CLEANUP_START",), ("WITH_CLEANUP_FINISH",), ("END_FINALLY",),
        ("LOAD_NAME", 1), ("RETURN_VALUE",)]
    result, _ = run(items, consts=(None, 1, 0), names=("Suppress", "value"), namespace={"Suppress": Suppress})
    assert result == "entered"
    assert seen == [ZeroDivisionError]
    assert sys.exc_info() == (None, None, None)


def test_unbound_and_undefined_names():
    with pytest.raises(NameError, match="name 'nowhere' is not defined"):
        run([("LOAD_NAME", 0), ("RETURN_VALUE",)], names=("nowhere",))
    code = assemble([("LOAD_FAST", 0), ("RETURN_VALUE",)], varnames=("x",), flags=FUNCTION_FLAGS)
    with pytest.raises(UnboundLocalError, match="cannot access local variable 'x'"):
        Function(code, {})()


def test_decoded_forms_die_with_their_code():
    import gc

    from bytelens.vm.runtime import decode as decoding
    from bytelens.vm.compiler.pipeline import compile_source

    before = len(decoding._cache)
    for value in range(50):
        namespace = {"__name__": "m"}
        run_code(compile_source(f"def f():\n    return {value}\nresult = f() + f()\n", "m.py"), namespace)
        assert namespace["result"] == 2 * value
        del namespace
    gc.collect()
    assert len(decoding._cache) <= before + 2
