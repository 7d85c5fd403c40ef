"""CPython's own dis of a line, for the hover's optional comparison."""

import dis

from bytelens.server.comparison import CPythonListing, format_cpython_instruction

SOURCE = """\
def f(n):
    total = 0
    for i in range(n):
        total += i
    return total
squares = [x * x for x in range(3)]
"""


def test_each_line_lists_cpythons_instructions_by_code_object():
    listing = CPythonListing(SOURCE, "<test>")
    assert listing.error is None
    [(qualname, first_line, rows)] = listing.line(4)
    assert (qualname, first_line) == ("f", 1)
    expected = [i.opname for i in dis.get_instructions(compile(SOURCE, "<test>", "exec").co_consts[0])
                if i.positions.lineno == 4]
    assert [row[3:].split()[1] for row in rows] == expected
    headings = [(qualname, first_line) for qualname, first_line, _ in listing.line(6)]
    assert headings == [("<module>", 1), ("<listcomp>", 6)]
    assert listing.line(99) == []


def test_a_text_cpython_cannot_compile():
    listing = CPythonListing("def f(:\n", "<test>")
    assert listing.error.startswith("CPython 3.")
    assert listing.line(1) == []


def test_rows_use_the_listing_columns():
    code = compile("while x:\n    x -= 1\n", "<test>", "exec")
    rows = [format_cpython_instruction(i) for i in dis.get_instructions(code)]
    assert any(row.startswith(">>") for row in rows)
    load = next(row for row in rows if "LOAD_NAME" in row)
    assert load.endswith("(x)")
