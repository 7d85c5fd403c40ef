"""The opcode table's explanations where bytecode is shown: the hover's legend, ``bytelens dis
--explain`` and the ``explanations`` of the server's ``bytelens.disassemble`` result."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bytelens.server.commands import disassembly
from bytelens.server.compiling import compile_text
from bytelens.server.hover import describe
from bytelens.server.lineindex import LineIndex
from bytelens.server.positions import split_lines
from bytelens.vm import compile_source
from bytelens.vm.isa.disassembler import format_disassembly, get_instructions, legend_pictures
from bytelens.vm.isa.opcodes import BY_NAME

PROGRAM = textwrap.dedent('''\
    def total(items):
        result = 0
        for item in items:
            result += item
        return result
    ''')


def _legend_lines(markdown: str) -> list[str]:
    return [line for line in markdown.splitlines() if line.startswith("- `")]


def test_the_hover_explains_each_opname_of_the_line_once_under_its_instructions():
    code = compile_source(PROGRAM, "p.py")
    markdown = describe(LineIndex(code), split_lines(PROGRAM), 4, None).markdown
    opnames = list(dict.fromkeys(instr.opname for unit in code.walk() for instr in get_instructions(unit)
                                 if instr.line == 4))
    assert _legend_lines(markdown) == [
        f"- `{name}` `{legend_pictures(BY_NAME[name])}`: {BY_NAME[name].explanation}" for name in opnames]
    assert markdown.index("```text") < markdown.index("- `LOAD_FAST`")  # under the listing


def test_a_block_instruction_shows_its_block_picture_in_the_legend():
    code = compile_source(PROGRAM, "p.py")
    markdown = describe(LineIndex(code), split_lines(PROGRAM), 3, None).markdown
    assert "- `SETUP_LOOP` `… → …; blocks … → … loop`: " in markdown
    assert "- `FOR_ITER` `… iterator → … iterator next; when it jumps … iterator → …`: " in markdown


def test_dis_explain_puts_a_legend_under_each_source_line(tmp_path):
    path = tmp_path / "p.py"
    path.write_text(PROGRAM)
    done = subprocess.run([sys.executable, "-m", "bytelens", "dis", "--explain", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    code = compile_source(PROGRAM, str(path))
    assert done.stdout == format_disassembly(code, explain=True)
    plain = format_disassembly(code)
    assert [line for line in done.stdout.splitlines() if not line.startswith(" " * 8)] == plain.splitlines()
    lines = done.stdout.splitlines()
    # Line 4's four instructions are followed by the legend of its three opnames, each once.
    store = max(index for index, line in enumerate(lines) if "STORE_FAST" in line and "(result)" in line
                and line.startswith("   |"))
    legend = lines[store + 2:store + 2 + 8]
    assert legend[0].split() == ["LOAD_FAST", *BY_NAME["LOAD_FAST"].picture.split()]
    assert legend[1].strip() == BY_NAME["LOAD_FAST"].explanation
    assert [entry.split()[0] for entry in legend[::2]] == ["LOAD_FAST", "INPLACE_ADD", "STORE_FAST", "JUMP_ABSOLUTE"]


def test_dis_explain_with_a_line(tmp_path):
    path = tmp_path / "p.py"
    path.write_text(PROGRAM)
    done = subprocess.run([sys.executable, "-m", "bytelens", "dis", "--explain", "--line", "2", str(path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-4:] == [
        f"        LOAD_CONST  {BY_NAME['LOAD_CONST'].picture}", f"            {BY_NAME['LOAD_CONST'].explanation}",
        f"        STORE_FAST  {BY_NAME['STORE_FAST'].picture}", f"            {BY_NAME['STORE_FAST'].explanation}"]


def test_the_disassemble_result_explains_each_opname_of_the_listing_once():
    compilation = compile_text(PROGRAM, "p.py", 1)
    result = disassembly(compilation, compilation)
    listed = {instr.opname for unit in compilation.code.walk() for instr in get_instructions(unit)}
    assert set(result["explanations"]) == listed
    assert result["explanations"]["INPLACE_ADD"] == {"picture": legend_pictures(BY_NAME["INPLACE_ADD"]),
                                                     "explanation": BY_NAME["INPLACE_ADD"].explanation}
    assert "explanations" not in disassembly(None, None)
