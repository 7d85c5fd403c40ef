"""Compile-stage checks (vm/compiler/checks.py) and constant folding (vm/compiler/folding.py), against CPython.

The differential corpus (test_errors_vs_cpython.py) covers the messages and positions broadly;
these tests pin down the parts a corpus does not show: warnings kept when an error follows, the
ranges of warnings (CPython gives only a line), the artificial locations CPython reports as line -1,
and the folding rules with their size limits.
"""

from __future__ import annotations

import ast
import dis
import warnings

import pytest

from bytelens.vm.compiler.checks import MAX_BLOCKS, check_module
from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.compiler.folding import NOT_CONSTANT, ConstantFolder, as_compare
from bytelens.vm.compiler.source import parse_source, tree_recursion
from bytelens.vm.compiler.symtable import build_symtable


def check(source: str, warnings_out: list | None = None):
    tree, _ = parse_source(source, "<test>")
    return check_module(tree, build_symtable(tree, "<test>"), "<test>", warnings_out=warnings_out)


def cpython(source: str) -> tuple[SyntaxError | None, list[tuple[str, int]]]:
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            compile(source, "<test>", "exec", dont_inherit=True)
        except SyntaxError as exc:
            error = exc
    return error, sorted({(str(w.message), w.lineno) for w in caught})


def text_of(source: str, diagnostic) -> str:
    lines = source.splitlines()
    assert diagnostic.line == diagnostic.end_line
    return lines[diagnostic.line - 1][diagnostic.column - 1:diagnostic.end_column - 1]


def test_warnings_cover_the_expression_they_are_about():
    source = ("if x is 1: pass\n"
              "y = (1, 2)(3)\n"
              "assert (y, 'message')\n"
              "z = [1, 2]['a']\n"
              "w = {1, 2}[0]\n"
              "v = not x is ()\n")
    found = check(source)
    assert [text_of(source, d) for d in found] == [
        "x is 1", "(1, 2)(3)", "assert (y, 'message')", "[1, 2]['a']", "{1, 2}[0]", "x is ()"]
    assert {d.severity for d in found} == {"warning"} and {d.kind for d in found} == {"SyntaxWarning"}
    assert sorted((d.message, d.line) for d in found) == cpython(source)[1]


def test_warnings_compiled_twice_are_reported_once():
    source = "while x is 1:\n    pass\ntry:\n    pass\nfinally:\n    y is 2\n"
    assert cpython(source)[1] == [('"is" with a literal. Did you mean "=="?', 1),
                                  ('"is" with a literal. Did you mean "=="?', 6)]
    assert [d.line for d in check(source)] == [1, 6]


def test_warnings_found_before_an_error_are_kept():
    found: list = []
    with pytest.raises(CompileError) as caught:
        check("x is 1\nreturn\ny is 2\n", warnings_out=found)
    assert caught.value.msg == "'return' outside function"
    assert [(d.message, d.line) for d in found] == [('"is" with a literal. Did you mean "=="?', 1)]


@pytest.mark.parametrize("source, line", [
    ("def f():\n    try:\n        pass\n    except* E:\n        try:\n            return\n"
     "        finally:\n            pass\n", 6),
    ("def f():\n    try:\n        pass\n    except* E:\n        with x:\n            continue\n", 6),
])
def test_errors_at_an_artificial_location_point_at_the_statement(source, line):
    error, _ = cpython(source)
    assert error.lineno == -1  # CPython has no location for these
    with pytest.raises(CompileError) as caught:
        check(source)
    assert caught.value.msg == error.msg
    assert caught.value.lineno == line


def nested(count: int, header: str) -> str:
    return "".join("    " * i + header.format(i=i) + "\n" for i in range(count)) + "    " * count + "pass\n"


@pytest.mark.parametrize("header", ["for x{i} in y:", "while x{i}:", "with x{i}:", "if x{i}:"])
def test_statically_nested_blocks_limit(header):
    for count in (MAX_BLOCKS, MAX_BLOCKS + 1):
        source = nested(count, header)
        error, _ = cpython(source)
        if error is None:
            check(source)
        else:
            with pytest.raises(CompileError) as caught:
                check(source)
            assert (caught.value.msg, caught.value.lineno) == (error.msg, error.lineno)


def test_a_tree_without_source_lines_reports_byte_columns():
    tree = ast.parse("é = 1; return\n")
    with pytest.raises(CompileError) as caught:
        check_module(tree, build_symtable(tree, "<test>"), "<test>")
    assert (caught.value.lineno, caught.value.offset) == (1, 9)


def test_deep_trees_are_checked_without_recursion_errors():
    source = "x = (" + "not " * 2000 + "a) is 1\n" + "y = " + " + ".join(["b"] * 2000) + "\n"
    tree, _ = parse_source(source, "<test>")
    with tree_recursion():  # the symbol table's own walk needs the headroom too
        table = build_symtable(tree, "<test>")
    found = check_module(tree, table, "<test>")
    assert [(d.message, d.line) for d in found] == cpython(source)[1]


# -- constant folding ---------------------------------------------------------------------------

FOLDING = [
    "1 + 2", "2 ** 6", "2 ** 64", "2 ** 100", "(-2) ** 127", "2 ** -1", "0 ** -1",
    "'ab' * 2048", "'ab' * 2049", "2049 * 'ab'", "b'x' * 4096", "b'x' * 4097", "'' * 10 ** 9",
    "(1,) * 256", "(1,) * 257", "((1, 2, 3),) * 200", "((1, 2, 3),) * 300", "(1, 2) * -1",
    "1 << 127", "1 << 128", "3 << 126", "1 << -1", "-1 >> 3", "1 << 0",
    "'%s' % 1", "b'%d' % 1", "7 % 3", "7.5 % 2", "1 / 0", "1 // 0", "1 / 3",
    "~True", "not 1", "-(1, 2)", "+'a'", "-0.0", "1e308 * 10", "(2 ** 64) * (2 ** 64)", "(2 ** 63) * (2 ** 64)",
    "(1, 2)[0]", "'abc'[1]", "'abc'[5]", "(1, 2)[1:]", "b'a' + b'b'", "(1, (2, 3))", "(1, [2])",
    "1 @ 2", "__debug__", "not __debug__", "(1, 2) + (3,)", "'a' < 'b'", "1 | 2 ^ 3 & 4",
    "-(2 ** 63)", "10 ** 38", "(1j + 2) * 3", "frozenset()",
]


def cpython_folds(expression: str) -> object:
    """The constant CPython compiles ``expression`` to, if it compiles to a single constant.

    The bytecode optimizer folds nothing that the AST optimizer left (for the operators listed).
    """
    code = compile(f"({expression})", "<test>", "eval", dont_inherit=True)
    ops = [i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "CACHE")]
    if [i.opname for i in ops] == ["LOAD_CONST", "RETURN_VALUE"]:
        return ops[0].argval
    return NOT_CONSTANT


@pytest.mark.parametrize("expression", FOLDING)
def test_folding_matches_cpython(expression):
    node = ast.parse(expression, mode="eval").body
    expected = cpython_folds(expression)
    folded = ConstantFolder().value(node)
    if expected is NOT_CONSTANT:
        assert folded is NOT_CONSTANT
    else:
        assert folded == expected and type(folded) is type(expected)


def test_not_of_a_comparison_folds_into_the_comparison():
    node = ast.parse("not not not (a is b)", mode="eval").body
    compare = as_compare(node)
    assert [type(op) for op in compare.ops] == [ast.IsNot]
    assert compare.node is node.operand.operand.operand
    assert as_compare(ast.parse("not (a < b)", mode="eval").body) is None
    assert as_compare(ast.parse("not (a is b is c)", mode="eval").body) is None
