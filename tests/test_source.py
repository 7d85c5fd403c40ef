"""Decoding, parsing and positions (vm/compiler/source.py), each checked against CPython on this machine."""

from __future__ import annotations

import ast
import threading
import warnings

import pytest

from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.compiler.source import SourceLines, decode_source, parse_source, read_future, source_lines


def cpython_error(source: str | bytes) -> SyntaxError:
    with pytest.raises(SyntaxError) as caught:
        compile(source, "<test>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    return caught.value


def bytelens_error(call, *args) -> CompileError:
    with pytest.raises(CompileError) as caught:
        call(*args)
    return caught.value


# -- SourceLines --------------------------------------------------------------------------------

def test_lines_break_where_cpython_breaks_them():
    lines = SourceLines("a = 1\r\nb = 2\rc = 3\x0c # \u2028 e\n")
    assert lines.count == 4
    assert [lines.line(n) for n in (1, 2, 3, 4)] == ["a = 1", "b = 2", "c = 3\x0c # \u2028 e", ""]
    tree = ast.parse(lines.text)
    assert [statement.lineno for statement in tree.body] == [1, 2, 3]


def test_byte_columns_become_character_columns():
    text = "x = 'é€𐀀'; y = 1\n"
    lines = SourceLines(text)
    assign_y = ast.parse(text).body[1]
    assert assign_y.col_offset == 17  # bytes
    assert lines.column(1, assign_y.col_offset) == text.index("y")
    assert lines.span(assign_y) == (1, text.index("y") + 1, 1, text.index("1") + 2)


def test_column_inside_a_character_counts_characters_before_it():
    lines = SourceLines("é\n")
    assert [lines.column(1, byte) for byte in (0, 1, 2)] == [0, 0, 1]


def test_location_of_a_character_index():
    lines = SourceLines("ab\ncd\r\nef")
    assert [lines.location(i) for i in (0, 1, 3, 4, 7, 8)] == [(1, 0), (1, 1), (2, 0), (2, 1), (3, 0), (3, 1)]


# -- decode_source ------------------------------------------------------------------------------

@pytest.mark.parametrize("data", [
    b"x = '\xff'\n",
    b"x = 1\ny = '\xe9\xe9'\n",
    b"x\xe9 = 1\n",
    b"# coding: latin-1\nx = 1 +\n",
    b"x = 1\n# coding: latin-1\ny = '\xe9'\n",  # a cookie after a code line does not count
], ids=["bad-start-byte", "bad-in-string-line-2", "bad-in-name", "latin-1-then-syntax", "late-cookie"])
def test_undecodable_source_reports_cpythons_error(data):
    expected = cpython_error(data)
    error = bytelens_error(decode_source, data, "<test>")
    assert (error.msg, error.lineno, error.offset) == (expected.msg, expected.lineno, expected.offset)


@pytest.mark.parametrize("data, line", [
    (b"# coding: foobar\nx = 1\n", 1),
    (b"#!/usr/bin/python\n# -*- coding: nope -*-\n", 2),
    (b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", 1),
    (b"# coding: utf-16\nx = 1\n", 1),
])
def test_bad_encoding_declaration_points_at_the_declaration(data, line):
    expected = cpython_error(data)
    assert expected.lineno == 0  # CPython gives no position at all
    error = bytelens_error(decode_source, data, "<test>")
    assert error.msg == expected.msg
    assert error.lineno == line
    text = data.splitlines()[line - 1].decode("utf-8", "replace").lstrip("\ufeff")
    assert text[error.offset - 1:error.end_offset - 1] == text.split("coding")[1].strip(":= -*").split()[0]


@pytest.mark.parametrize("data, expected", [
    (b"# coding: latin-1\nx = '\xe9'\n", "# coding: latin-1\nx = '\xe9'\n"),
    (b"\xef\xbb\xbfx = 1\n", "x = 1\n"),
    (b"\xef\xbb\xbf# coding: utf-8\nx = 1\n", "# coding: utf-8\nx = 1\n"),
    (b"#!python\n# vim: set fileencoding=cp1252 :\ny = '\x80'\n", "#!python\n# vim: set fileencoding=cp1252 :\ny = '\u20ac'\n"),
])
def test_declared_encodings_decode(data, expected):
    assert decode_source(data, "<test>") == expected
    compile(data, "<test>", "exec", dont_inherit=True)  # and CPython agrees the file is fine


def test_non_utf8_bytes_in_a_comment_are_accepted_like_cpython():
    data = b"# caf\xe9\nx = 1  # \xff\n"
    compile(data, "<test>", "exec", dont_inherit=True)
    text = decode_source(data, "<test>")
    assert ast.dump(ast.parse(text)) == ast.dump(ast.parse(data))


def test_null_byte_is_an_error_at_the_null_byte():
    expected = cpython_error(b"x = 1\ny = 'a\0'\n")
    error = bytelens_error(decode_source, b"x = 1\ny = 'a\0'\n", "<test>")
    assert error.msg == expected.msg == "source code string cannot contain null bytes"
    assert (error.lineno, error.offset, error.end_lineno, error.end_offset) == (2, 7, 2, 8)
    assert bytelens_error(parse_source, "x = 1\ny = 'a\0'\n", "<test>").lineno == 2


# -- parse_source -------------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "é = 'é' +\n",
    "if x:\npass\n",
    "if x:\n\tif y:\n        pass\n",
    "def f(:\n    pass\n",
    "x = (1,\n",
    "f'{'\n",
    "x = " + "(" * 201 + ")" * 201 + "\n",
    "x = 1\n  y = 2\n",
    "'''\nabc\n",
], ids=["syntax", "indentation", "tab", "def", "eof", "fstring", "parens", "unexpected-indent", "eof-string"])
def test_syntax_errors_keep_cpythons_class_message_and_range(source):
    expected = cpython_error(source)
    error = bytelens_error(parse_source, source, "<test>")
    assert error.kind == type(expected).__name__
    assert (error.msg, error.lineno, error.offset, error.end_lineno, error.end_offset) == \
        (expected.msg, expected.lineno, expected.offset, expected.end_lineno, expected.end_offset)


def test_parser_warnings_become_diagnostics_with_exact_ranges():
    source = 'x = "\\d"\ny = b"\\N" + f"{x}\\q" "\\w"\nz = r"\\d" + "ok\\\\d"\nw = 1if x else 2\n'
    with warnings.catch_warnings(record=True) as expected:
        warnings.simplefilter("always")
        compile(source, "<test>", "exec", dont_inherit=True)
    tree, found = parse_source(source, "<test>")
    assert sorted((d.message, d.line) for d in found) == \
        sorted((str(w.message), w.lineno) for w in expected)
    lines = source.splitlines()
    assert [lines[d.line - 1][d.column - 1:d.end_column - 1] for d in found] == \
        ["\\d", "\\N", "\\q", "\\w", "1if"]
    assert {d.kind for d in found} == {"DeprecationWarning", "SyntaxWarning"}


def test_escape_in_a_multiline_string_is_reported_on_the_line_the_string_starts():
    source = 'x = """one\ntwo \\d"""\n'
    tree, (diagnostic,) = parse_source(source, "<test>")
    assert (diagnostic.line, diagnostic.column, diagnostic.end_line, diagnostic.end_column) == (1, 5, 2, 7)


def test_parsing_does_not_print_or_leak_warnings():
    with warnings.catch_warnings(record=True) as leaked:
        warnings.simplefilter("always")
        parse_source('x = "\\d"\n', "<test>")
    assert leaked == []


def test_warnings_of_other_threads_are_not_swallowed():
    caught: list = []
    started = threading.Event()

    def other_thread():
        started.wait()
        warnings.warn("from elsewhere", UserWarning)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        thread = threading.Thread(target=other_thread)
        thread.start()
        started.set()
        for _ in range(50):
            parse_source('x = "\\d"\n' * 20, "<test>")
        thread.join()
    assert [str(w.message) for w in caught] == ["from elsewhere"]


def test_deep_nesting_reports_cpythons_recursion_error():
    source = "x = " + "+".join(["a"] * 100_000) + "\n"
    with pytest.raises(RecursionError) as expected:
        compile(source, "<test>", "exec", dont_inherit=True)
    error = bytelens_error(parse_source, source, "<test>")
    assert (error.kind, error.msg) == ("RecursionError", str(expected.value))
    assert error.lineno == 1


def test_parser_memory_error_is_a_diagnostic():
    source = "x = " + "-" * 100_000 + "1\n"
    with pytest.raises(MemoryError):
        compile(source, "<test>", "exec", dont_inherit=True)
    error = bytelens_error(parse_source, source, "<test>")
    assert error.kind == "MemoryError"
    assert error.to_diagnostic().severity == "error"


def test_lone_surrogate_reports_the_encoders_message():
    source = "x = 1\ny = '\ud800'\n"
    with pytest.raises(UnicodeEncodeError) as expected:
        compile(source, "<test>", "exec", dont_inherit=True)
    error = bytelens_error(parse_source, source, "<test>")
    assert (error.kind, error.msg) == ("UnicodeEncodeError", str(expected.value))
    assert (error.lineno, error.offset) == (2, 6)


def test_lone_surrogate_is_reported_before_a_null_byte():
    source = "x = '\0' + '\ud800'\n"
    with pytest.raises(UnicodeEncodeError) as expected:
        compile(source, "<test>", "exec", dont_inherit=True)
    error = bytelens_error(parse_source, source, "<test>")
    assert (error.kind, error.msg) == ("UnicodeEncodeError", str(expected.value))


def test_fifty_thousand_lines_parse():
    source = "".join(f"def f{i}(a):\n    return a + {i}\n\n" for i in range(16_700))
    assert source.count("\n") > 50_000
    tree, found = parse_source(source, "big.py")
    assert len(tree.body) == 16_700 and found == []
    assert source_lines(tree).count == source.count("\n") + 1


# -- the __future__ prologue --------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "from __future__ import braces\n",
    '"doc"\nfrom __future__ import annotations, nope\n',
    "import os; from __future__ import annotations\n",
])
def test_future_errors_match_cpython(source):
    with pytest.raises(SyntaxError) as caught:
        compile(source, "<test>", "exec", dont_inherit=True)  # future errors come after parsing: not ONLY_AST
    expected = caught.value
    error = bytelens_error(parse_source, source, "<test>")
    assert (error.msg, error.lineno, error.offset) == (expected.msg, expected.lineno, expected.offset)


def test_future_features_and_prologue_line():
    tree, _ = parse_source('"doc"\nfrom __future__ import annotations\nfrom __future__ import division\nx = 1\n',
                           "<test>")
    future = read_future(tree, "<test>")
    assert future.features == {"annotations", "division"} and future.annotations
    assert future.lineno == 3
    tree, _ = parse_source("x = 1\n", "<test>")
    assert read_future(tree, "<test>").lineno == -1
