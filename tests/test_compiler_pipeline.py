"""The pipeline's staged results (diagnostics before code generation) and its garbage.

An editor publishes diagnostics from ``on_diagnostics`` while the code is still being generated, so
they must be the final ones; and a compile must leave nothing for the cycle collector, whose full
collections would otherwise walk every tree a language server ever compiled.
"""

import gc
import textwrap

import pytest

from bytelens.vm import check_source, compile_source
from bytelens.vm.compiler import pipeline as compiler_module
from bytelens.vm.compiler.diagnostics import CompilerBug

WARNS = textwrap.dedent("""\
    def f(x):
        assert (x, "always true")
        return x is 1

    class C:
        def m(self):
            return [y for y in range(3) if y is not ()]
    """)


def record_code_generation(monkeypatch, events, fail=False):
    real = compiler_module.generate_code

    def generate(*args, **kwargs):
        events.append("code generation")
        if fail:
            raise CompilerBug("simulated")
        return real(*args, **kwargs)

    monkeypatch.setattr(compiler_module, "generate_code", generate)


def test_diagnostics_come_before_code_generation_and_match_the_result(monkeypatch):
    events = []
    record_code_generation(monkeypatch, events)
    early = []

    def on_diagnostics(found):
        events.append("diagnostics")
        early.append(found)

    result = check_source(WARNS, "warns.py", on_diagnostics=on_diagnostics)
    assert events == ["diagnostics", "code generation"]
    assert result.code is not None
    assert len(early) == 1 and early[0] == result.diagnostics
    assert [d.kind for d in result.diagnostics] == ["SyntaxWarning"] * 3
    assert [d.line for d in result.diagnostics] == [2, 3, 7]


def test_compile_source_hands_over_the_warnings_and_still_reports_them():
    early, collected = [], []
    code = compile_source(WARNS, "warns.py", warnings_out=collected, on_diagnostics=early.append)
    assert code is not None
    assert len(early) == 1 and sorted(early[0], key=lambda d: d.line) == sorted(collected, key=lambda d: d.line)
    assert early[0] is not collected


@pytest.mark.parametrize("source", [
    "x = (\n",  # the parser
    "def f(a, a):\n    pass\n",  # the symbol table
    "x is 1\nbreak\n",  # the compile checks (after a warning)
])
def test_no_early_diagnostics_for_a_source_with_an_error(source):
    early = []
    result = check_source(source, "bad.py", on_diagnostics=early.append)
    assert early == []
    assert result.code is None and result.errors


def test_a_failure_in_code_generation_comes_after_the_early_diagnostics(monkeypatch):
    record_code_generation(monkeypatch, [], fail=True)
    early = []
    result = check_source("x = 1\n", "fine.py", on_diagnostics=early.append)
    assert early == [[]]
    [error] = result.diagnostics
    assert error.kind == "SystemError" and "internal compiler error: simulated" in error.message


def test_what_the_callback_raises_propagates():
    def fail(found):
        raise KeyError("the caller's own bug")

    with pytest.raises(KeyError):
        check_source("x = 1\n", "fine.py", on_diagnostics=fail)
    with pytest.raises(KeyError):
        compile_source("x = 1\n", "fine.py", on_diagnostics=fail)


def test_the_callback_works_in_every_mode():
    for mode, source in (("eval", "1 is 1"), ("single", "x = 1 is 1")):
        early = []
        compile_source(source, "<input>", mode, warnings_out=[], on_diagnostics=early.append)
        assert [d.kind for d in early[0]] == ["SyntaxWarning"]


CYCLIC_SHAPES = textwrap.dedent("""\
    import os

    class Base:
        def method(self, value=[n for n in range(2)]):
            def inner():
                nonlocal value
                return lambda: (value, __class__, super())
            return inner

    async def agen(items):
        async with items as it:
            yield [x async for x in it]

    def matcher(subject):
        match subject:
            case {"k": [1, *rest]} if rest:
                return rest
            case Base(method=m) | [m]:
                return m
        try:
            return subject
        finally:
            print("done")
    """)


@pytest.mark.parametrize("source", [CYCLIC_SHAPES, "def f():\n    class C:\n        return 1\n",
                                    "def f(x):\n    global x\n", "x = (\n"])
def test_a_compile_leaves_no_reference_cycles(source):
    gc.collect()
    gc.disable()
    try:
        result = check_source(source, "shapes.py")
        assert result.code is not None or result.errors
        del result
        unreachable = gc.collect()
    finally:
        gc.enable()
    assert unreachable == 0
