"""The server's copy of each buffer: full and incremental changes in every position encoding."""

import random

import pytest
from lsprotocol import types

from bytelens.server import positions
from bytelens.server.documents import DocumentStore, corresponding_line


def change(start, end, text):
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*start), types.Position(*end)), text=text)


def edited(text, *changes, encoding="utf-16"):
    store = DocumentStore()
    store.open("file:///t.py", text, 1)
    document = store.change("file:///t.py", 2, list(changes), encoding)
    return document


def test_open_change_close():
    store = DocumentStore()
    store.open("file:///a.py", "x = 1\n", 3)
    assert "file:///a.py" in store
    document = store.change("file:///a.py", 4, [types.TextDocumentContentChangeWholeDocument(text="y\n")],
                            "utf-16")
    assert (document.text, document.version) == ("y\n", 4)
    assert store.close("file:///a.py") is document
    assert store.get("file:///a.py") is None
    assert store.change("file:///a.py", 5, [], "utf-16") is None


def test_insert_delete_and_replace_across_lines():
    assert edited("abc\ndef\n", change((0, 1), (0, 1), "XY")).text == "aXYbc\ndef\n"
    assert edited("abc\ndef\n", change((0, 2), (1, 1), "")).text == "abef\n"
    assert edited("abc\ndef\n", change((1, 0), (1, 3), "1\n2\n3")).text == "abc\n1\n2\n3\n"
    assert edited("abc\ndef\n", change((2, 0), (2, 0), "tail")).text == "abc\ndef\ntail"
    assert edited("abc", change((0, 3), (0, 3), "\n")).lines == ["abc\n"]


def test_changes_apply_in_order():
    document = edited("a\n", change((0, 1), (0, 1), "b"), change((0, 2), (0, 2), "c"),
                      change((0, 0), (0, 1), ""))
    assert document.text == "bc\n"


@pytest.mark.parametrize("encoding, column", [("utf-16", 3), ("utf-8", 5), ("utf-32", 2)])
def test_columns_count_in_the_negotiated_encoding(encoding, column):
    # The insertion point is right after the emoji in every case.
    document = edited("a😀b\n", change((0, column), (0, column), "!"), encoding=encoding)
    assert document.text == "a😀!b\n"


def test_carriage_returns_join_into_one_line_break():
    document = edited("a\n\nb", change((0, 1), (1, 0), "\r"))
    assert document.text == "a\r\nb"
    assert document.lines == ["a\r\n", "b"]
    document = edited("a\r\nb", change((0, 1), (0, 1), "x"))
    assert document.lines == ["ax\r\n", "b"]


def test_a_form_feed_is_not_a_line_break():
    document = edited("a\fb\nc\n", change((1, 0), (1, 1), "C"))
    assert document.text == "a\fb\nC\n"


def test_random_edits_match_a_reference_applied_to_the_whole_text():
    rng = random.Random(4)
    alphabet = ["a", "é", "😀", "中", "\n", "\r\n", "\r", " ", "\f"]
    for encoding in positions.ENCODINGS:
        text = "".join(rng.choice(alphabet) for _ in range(60))
        store = DocumentStore()
        document = store.open("file:///r.py", text, 0)
        for version in range(1, 120):
            lines = positions.split_lines(text)
            count = positions.line_count(lines)
            picks = sorted(((row := rng.randrange(count)),
                            rng.randrange(len(positions.line_content(lines, row)) + 1)) for _ in range(2))
            (start_row, start_index), (end_row, end_index) = picks
            new = "".join(rng.choice(alphabet) for _ in range(rng.randrange(4)))
            offsets = [sum(len(line) for line in lines[:row]) for row in (start_row, end_row)]
            text = text[:offsets[0] + start_index] + new + text[offsets[1] + end_index:]
            start_line = positions.line_content(lines, start_row)
            end_line = positions.line_content(lines, end_row)
            store.change("file:///r.py", version, [change(
                (start_row, positions.index_to_units(start_line, start_index, encoding)),
                (end_row, positions.index_to_units(end_line, end_index, encoding)), new)], encoding)
            assert document.text == text
            assert document.lines == positions.split_lines(text)


def test_corresponding_lines_follow_an_edit():
    older = ["a\n", "b\n", "c\n", "d\n"]
    current = ["a\n", "new\n", "(\n", "b\n", "c\n", "d\n"]  # two lines inserted after "a"
    assert [corresponding_line(current, older, row) for row in range(6)] == [0, None, None, 1, 2, 3]
    changed = ["a\n", "B\n", "c\n", "d\n"]
    assert [corresponding_line(changed, older, row) for row in range(4)] == [0, None, 2, 3]
    assert corresponding_line(older, older, 3) == 3
    assert corresponding_line(["x\n"], older, 0) is None
