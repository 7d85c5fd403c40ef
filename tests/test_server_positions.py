"""Position conversions between the AST, diagnostics and the protocol's encodings."""

import ast

import pytest
from lsprotocol import types

from bytelens.server import positions as p

TEXT = 'x = "é😀中"  # ü\ny = 1\r\nz\rlast'


def test_split_lines_uses_only_the_protocols_line_breaks():
    assert p.split_lines("a\nb\r\nc\rd") == ["a\n", "b\r\n", "c\r", "d"]
    # A form feed or U+2028 is not a line break for Python's tokenizer or for LSP.
    assert p.split_lines("a\fb\nc\u2028d\n") == ["a\fb\n", "c\u2028d\n"]
    assert p.split_lines("") == []


def test_split_lines_agrees_with_the_ast_on_line_numbers():
    source = "a = 1\f\nb = '\u2028'\n\x0cc = 3\n"
    lines = p.split_lines(source)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Name):
            content = p.line_content(lines, node.lineno - 1)
            start = p.byte_to_index(content, node.col_offset)
            assert content[start] == node.id


def test_line_content_and_count():
    lines = p.split_lines(TEXT)
    assert [p.line_content(lines, i) for i in range(5)] == ['x = "é😀中"  # ü', "y = 1", "z", "last", ""]
    assert p.line_count(lines) == 4
    assert p.line_count(p.split_lines("a\n")) == 2
    assert p.line_count([]) == 1


@pytest.mark.parametrize("encoding, expected", [("utf-8", 17), ("utf-16", 12), ("utf-32", 11)])
def test_units(encoding, expected):
    assert p.units('x = "é😀中"  ', encoding) == expected


def test_units_agree_with_the_codecs():
    text = "aé😀中\U0010ffff"
    assert p.units(text, "utf-16") == len(text.encode("utf-16-le")) // 2
    assert p.units(text, "utf-8") == len(text.encode("utf-8"))


@pytest.mark.parametrize("encoding", p.ENCODINGS)
def test_units_and_indexes_round_trip(encoding):
    line = 'x = "é😀中"'
    for index in range(len(line) + 1):
        column = p.index_to_units(line, index, encoding)
        assert p.units_to_index(line, column, encoding) == index


def test_a_column_inside_a_character_moves_to_the_next_one():
    line = "😀x"
    assert p.units_to_index(line, 1, "utf-16") == 1
    assert p.units_to_index(line, 2, "utf-8") == 1
    assert p.units_to_index(line, 99, "utf-16") == 2
    assert p.units_to_index(line, -3, "utf-16") == 0


def test_byte_columns_round_trip():
    line = 'x = "é😀中"'
    for index in range(len(line) + 1):
        assert p.byte_to_index(line, p.index_to_byte(line, index)) == index


def test_ast_to_lsp_in_utf16_matches_real_ast_columns():
    source = 's = "😀"; t = "中文"; value = s + t\n'
    lines = p.split_lines(source)
    tree = ast.parse(source)
    value = next(n for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id == "value")
    position = p.ast_to_lsp(lines, value.lineno, value.col_offset, "utf-16")
    prefix = source[:source.index("value")]
    assert position == types.Position(0, len(prefix.encode("utf-16-le")) // 2)
    assert p.lsp_to_ast(lines, position, "utf-16") == (1, value.col_offset)


@pytest.mark.parametrize("encoding", p.ENCODINGS)
def test_lsp_to_ast_round_trip(encoding):
    lines = p.split_lines(TEXT)
    for row in range(4):
        content = p.line_content(lines, row)
        for index in range(len(content) + 1):
            position = types.Position(row, p.index_to_units(content, index, encoding))
            line, byte = p.lsp_to_ast(lines, position, encoding)
            assert p.ast_to_lsp(lines, line, byte, encoding) == position


def test_positions_past_the_text_are_clamped():
    lines = p.split_lines("ab\ncd")
    assert p.lsp_to_index(lines, types.Position(7, 9), "utf-16") == (1, 2)
    assert p.lsp_to_index(lines, types.Position(0, 50), "utf-16") == (0, 2)
    assert p.ast_to_lsp(lines, 1, 99, "utf-16") == types.Position(0, 2)


def test_char_span_to_range_converts_one_based_characters():
    lines = p.split_lines('s = "😀" +\n')
    # Diagnostic columns are 1-based characters: "+" is character 9 of the line.
    span = p.char_span_to_range(lines, 1, 9, 1, 10, "utf-16")
    assert span == types.Range(types.Position(0, 9), types.Position(0, 10))
    assert p.char_span_to_range(lines, 1, 9, 1, 10, "utf-8").start.character == 11
    # An end before the start collapses onto the start.
    assert p.char_span_to_range(lines, 1, 5, 1, 2, "utf-16").end == types.Position(0, 4)


def test_ast_span_with_missing_parts():
    lines = p.split_lines("abc\n")
    assert p.ast_span_to_range(lines, (None, None, None, None), "utf-16") is None
    assert p.ast_span_to_range(lines, (1, 1, None, None), "utf-16") == types.Range(
        types.Position(0, 1), types.Position(0, 1))
