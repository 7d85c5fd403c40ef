"""The compiled-block fast path (vm/fast/blocks.py) against CPython and against the per-instruction
handlers: same results, same exception lines, same object lifetimes."""

from __future__ import annotations

import contextlib
import io

import pytest

from bytelens.vm.runtime import interpreter
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.runtime.hooks import TraceHook
from bytelens.vm.runtime.decode import decode
from bytelens.vm.runtime.modules import run_code

PROGRAM = '''
import traceback

class Noisy:
    def __init__(self, name):
        self.name = name
    def __del__(self):
        print("del", self.name)

def lifetimes(n):
    for i in range(n):
        Noisy(f"temp {i}")
        print("after temp", i)
    x = Noisy("local")
    x = None
    print("after rebinding")
    return [Noisy("in list")][0].name

def faults(value):
    total = 0
    for i in range(3):
        total += i
    text = "abc"
    return text[value] + str(total)

def unbound(flag):
    if flag:
        later = 1
    return later

def loops(n):
    out = []
    i = 0
    while i < n:
        j = 0
        while j < i:
            if (i + j) % 3 == 0:
                out.append((i, j))
            j += 1
        i += 1
    return out, sum(x * y for x, y in out)

def unpack_and_calls(items):
    a, b = items[0]
    first, *rest = items
    return max(a, b), len(rest), str(first).upper(), [k for k in range(a)][-1:]

def gen(n):
    total = 0
    for i in range(n):
        received = yield i * 2
        total += received or 0
    return total

for round in range(3):
    print(lifetimes(2))
    for value in (0, 5, "x"):
        try:
            print(faults(value))
        except (IndexError, TypeError) as error:
            print(type(error).__name__, error, traceback.extract_tb(error.__traceback__)[-1].lineno)
    for flag in (True, False):
        try:
            print(unbound(flag))
        except UnboundLocalError as error:
            print("UnboundLocalError", error, error.__traceback__.tb_next.tb_lineno)
    print(loops(12))
    print(unpack_and_calls([(3, 7), "y", None]))
    g = gen(4)
    print(next(g), g.send(10), g.send(20), list(g))
'''


def run_native() -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(PROGRAM, "blocks.py", "exec"), {"__name__": "blocks"})
    return out.getvalue()


def run_vm() -> tuple[str, dict]:
    out = io.StringIO()
    namespace = {"__name__": "blocks"}
    with contextlib.redirect_stdout(out):
        run_code(compile_source(PROGRAM, "blocks.py"), namespace)
    return out.getvalue(), namespace


def test_compiled_blocks_behave_like_cpython():
    output, namespace = run_vm()
    assert output == run_native()
    compiled = [name for name in ("lifetimes", "faults", "loops", "unpack_and_calls", "gen")
                if any(getattr(handler, "vm_lines", None) for handler in decode(namespace[name].code).ops)]
    assert compiled == ["lifetimes", "faults", "loops", "unpack_and_calls", "gen"]


class _Counter(TraceHook):
    def __init__(self):
        self.steps = 0

    def call(self, frame):
        pass

    def step(self, frame, offset):
        self.steps += 1

    def leave(self, frame, kind, value):
        pass


def test_tracing_runs_the_per_instruction_handlers_after_blocks_were_compiled():
    _, namespace = run_vm()
    counter = _Counter()
    interpreter.set_trace_hook(counter)
    try:
        result = namespace["loops"](6)
    finally:
        interpreter.set_trace_hook(None)
    assert result == namespace["loops"](6)
    assert counter.steps > 100


@pytest.mark.parametrize("source", [
    "def f(n):\n    x = n\n    del x\n    return x\n",
    "def f(n):\n    return [i for i in range(n)][n]\n",
])
def test_errors_inside_compiled_blocks_point_at_the_right_instruction(source):
    namespace = {"__name__": "m"}
    native = {"__name__": "m"}
    run_code(compile_source(source, "m.py"), namespace)
    exec(compile(source, "m.py", "exec"), native)
    for _ in range(3):  # the second call compiles the blocks
        with pytest.raises(Exception) as got:
            namespace["f"](2)
        with pytest.raises(Exception) as expected:
            native["f"](2)
        assert type(got.value) is type(expected.value) and str(got.value) == str(expected.value)
        assert got.traceback[-1].lineno == expected.traceback[-1].lineno


SILENT_PROGRAM = '''
def joined(items, flag):
    out = []
    for item in items:
        out.append("|".join(item) + ",".join(item))
        if flag:
            out.append(" <- ".strip())
    return out
'''


def test_generated_blocks_compile_without_warnings(monkeypatch):
    """Literal operands (a method of a string literal, an ``is`` test against a constant) are bound to
    names, so generated source never makes CPython's compiler warn ("is" with a literal ...): with
    warnings as errors, compiling every block still works."""
    import warnings

    from bytelens.vm.fast import blocks as blockcompiler

    compiled = []

    def strict_compile(source, filename, mode):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            compiled.append(source)
            return compile(source, filename, mode)

    monkeypatch.setattr(blockcompiler, "compile", strict_compile, raising=False)
    namespace = {"__name__": "m"}
    run_code(compile_source(SILENT_PROGRAM, "m.py"), namespace)
    assert namespace["joined"](["ab", "cd"], True) == ["a|ba,b", "<-", "c|dc,d", "<-"]
    assert any("'|'.join" in source for source in compiled)
