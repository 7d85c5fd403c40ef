"""Hover text from the line index of a real compilation."""

import textwrap

from bytelens.server.comparison import CPythonListing
from lsprotocol import types

from bytelens.server.hover import describe, hover_at
from bytelens.server.lineindex import LineIndex
from bytelens.server.positions import index_to_byte, split_lines
from bytelens.vm import compile_source
from bytelens.vm.isa.disassembler import instructions_for_line

PROGRAM = textwrap.dedent('''\
    def scale(n, factor=2):
        """Scale n."""
        result = n * factor + 1
        return result

    class Box:
        def size(self):
            return len([item for item in self.items])

    double = lambda x: x * 2
    label = "😀" + str(scale(1))
    ''')


def setup():
    code = compile_source(PROGRAM, "program.py")
    return code, LineIndex(code), split_lines(PROGRAM)


def test_the_index_agrees_with_the_disassemblers_line_selection():
    code, index, _ = setup()
    for line in range(1, PROGRAM.count("\n") + 2):
        expected = [(unit.qualname, [i.offset for i in found]) for unit, found in instructions_for_line(code, line)]
        got = [(s.code.qualname, [i.offset for i in s.instructions]) for s in index.sections(line)]
        assert got == expected, line


def test_warming_changes_nothing():
    code, index, _ = setup()
    before = {line: index.sections(line) for line in range(1, 12)}
    fresh = LineIndex(code)
    fresh.warm()
    assert {line: fresh.sections(line) for line in range(1, 12)} == before


def test_a_line_headed_by_its_code_object():
    _, index, lines = setup()
    text = describe(index, lines, 3, None).markdown
    assert text.startswith("`scale` at line 1\n\n```text\n")
    assert "BINARY_MULTIPLY" in text and "STORE_FAST" in text and "(result)" in text
    assert "Expression" not in text and "Code object" not in text


def test_def_class_and_lambda_lines_add_summaries():
    _, index, lines = setup()
    assert "**Code object `scale`**" in describe(index, lines, 1, None).markdown
    assert "**Code object `Box`**" in describe(index, lines, 6, None).markdown
    assert "**Code object `Box.size`**" in describe(index, lines, 7, None).markdown
    lambda_line = describe(index, lines, 10, None).markdown
    assert "**Code object `<lambda>`**" in lambda_line and "`<lambda>` at line 10" in lambda_line
    # A comprehension's code object shows its instructions but no summary.
    comprehension = describe(index, lines, 8, None).markdown
    assert "`Box.size.<locals>.<listcomp>` at line 8" in comprehension
    assert "Code object" not in comprehension


def test_the_hovered_expression():
    _, index, lines = setup()
    content = lines[2]
    star = index_to_byte(content, content.index("*"))
    hovered = describe(index, lines, 3, star)
    assert hovered.markdown.startswith("**Expression** `n * factor`")
    expression_part, line_part = hovered.markdown.split("**Line 3**")
    assert "BINARY_MULTIPLY" in expression_part and "BINARY_ADD" not in expression_part
    assert "BINARY_ADD" in line_part
    assert hovered.span == (3, content.index("n *"), 3, content.index(" + 1"))


def test_expression_columns_are_utf8_bytes():
    _, index, lines = setup()
    content = lines[10]
    column = index_to_byte(content, content.index("scale"))
    hovered = describe(index, lines, 11, column)
    assert hovered.markdown.startswith("**Expression** `scale`")
    call_column = index_to_byte(content, content.index("(1)"))
    assert describe(index, lines, 11, call_column).markdown.startswith("**Expression** `scale(1)`")


def test_lines_without_bytecode_and_stale_notes():
    _, index, lines = setup()
    assert describe(index, lines, 5, None) is None
    assert describe(index, lines, 2, None) is None  # the docstring compiles to no instruction
    assert describe(index, lines, 3, None, stale=True).markdown.startswith("_The buffer does not compile")


def test_cpython_comparison_follows():
    _, index, lines = setup()
    text = describe(index, lines, 3, None, cpython=CPythonListing(PROGRAM, "program.py")).markdown
    ours, theirs = text.split("**CPython 3.11 `dis`**")
    assert "BINARY_MULTIPLY" in ours and "BINARY_OP" in theirs and "`scale` at line 1" in theirs


def test_a_huge_line_is_cut():
    source = "values = [" + ", ".join(f"f({i})" for i in range(400)) + "]\n"
    code = compile_source(source, "huge.py")
    text = describe(LineIndex(code), split_lines(source), 1, None).markdown
    listing = text.split("```text\n", 1)[1].split("```", 1)[0]
    assert listing.count("CALL_FUNCTION") == 200 // 3  # three instructions a call
    assert text.count("- `CALL_FUNCTION`") == 1  # and the legend explains it once
    assert "more instructions (the whole-file disassembly lists them)" in text


def test_hover_at_follows_lines_moved_by_an_unfinished_edit():
    code, index, lines = setup()
    current = ["broken = (\n", "\n"] + lines  # two lines typed above, not compiled yet
    content = lines[2]
    star = content.index("*")
    result = hover_at(index, lines, current, types.Position(4, star), "utf-16", stale=True)
    assert "**Expression** `n * factor`" in result.contents.value
    assert result.range.start == types.Position(4, content.index("n *"))
    assert hover_at(index, lines, current, types.Position(0, 0), "utf-16") is None
    same = hover_at(index, lines, lines, types.Position(2, star), "utf-16")
    assert same.range.start == types.Position(2, content.index("n *"))
