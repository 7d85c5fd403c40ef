"""The disassembler on hand-assembled code (so that a compiler change cannot hide a renderer bug)."""

from __future__ import annotations

import dis
import opcode as cpython_opcode
import re

import pytest
from handmade import assemble

from bytelens.vm.isa import opcodes
from bytelens.vm.isa.code import CO_NEWLOCALS, CO_OPTIMIZED
from bytelens.vm.isa import wordcode
from bytelens.vm.isa.wordcode import units
from bytelens.vm.runtime.decode import instruction_records
from bytelens.vm.isa.disassembler import (
    MAX_CONST_REPR,
    code_summary,
    disassembly_map,
    format_disassembly,
    format_instruction,
    get_instructions,
    instructions_for_line,
    instructions_in_range,
)


def loop_module():
    """``for i in range(3): x = i`` then ``def g(x): return x``, assembled by hand with positions."""
    inner = assemble([("LOAD_FAST", 0, (4, 11, 4, 12)), ("RETURN_VALUE", 0, (4, 4, 4, 12))],
                     name="g", firstlineno=3, varnames=("x",), argcount=1,
                     flags=CO_OPTIMIZED | CO_NEWLOCALS)
    return assemble([
        ("SETUP_LOOP", 20, (1, 0, 2, 9)),           # 0: loop -> 22
        ("LOAD_NAME", 0, (1, 9, 1, 14)),            # 2
        ("LOAD_CONST", 0, (1, 15, 1, 16)),          # 4
        ("CALL_FUNCTION", 1, (1, 9, 1, 17)),        # 6
        ("GET_ITER", 0, (1, 9, 1, 17)),             # 8
        ("FOR_ITER", 8, (1, 0, 2, 9)),              # 10: to 20
        ("STORE_NAME", 1, (1, 4, 1, 5)),            # 12
        ("LOAD_NAME", 1, (2, 8, 2, 9)),             # 14
        ("STORE_NAME", 2, (2, 4, 2, 5)),            # 16
        ("JUMP_ABSOLUTE", 10, (2, 4, 2, 9)),        # 18: to 10
        ("POP_BLOCK", 0, (1, 0, 2, 9)),             # 20
        ("LOAD_CONST", 1, (3, 0, 4, 12)),           # 22
        ("LOAD_CONST", 2, (3, 0, 4, 12)),           # 24
        ("MAKE_FUNCTION", 0, (3, 0, 4, 12)),        # 26
        ("STORE_NAME", 3, (3, 4, 3, 5)),            # 28
        ("LOAD_CONST", 3, (3, 0, 4, 12)),           # 30
        ("RETURN_VALUE", 0, (3, 0, 4, 12)),         # 32
    ], name="<module>", consts=(3, inner, "g", None), names=("range", "i", "x", "g"))


def by_offset(code):
    return {instr.offset: instr for instr in get_instructions(code)}


def test_decode_folds_extended_arg_and_lists_it():
    code = assemble([("LOAD_CONST", 0x10203)], consts=tuple(range(0x10204)))
    decoded = list(units(code.code))
    assert [(op, arg) for _, op, arg in decoded] == [
        (opcodes.EXTENDED_ARG, 0x01), (opcodes.EXTENDED_ARG, 0x0102), (opcodes.LOAD_CONST, 0x10203)]
    instr = get_instructions(code)[-1]
    assert (instr.opname, instr.arg, instr.argval, instr.offset) == ("LOAD_CONST", 0x10203, 0x10203, 4)


def test_decode_matches_cpython_on_the_same_wordcode():
    # CPython's dis folds EXTENDED_ARG the same way: compare on bytes both read alike.
    raw = bytes([cpython_opcode.EXTENDED_ARG, 1, cpython_opcode.EXTENDED_ARG, 2,
                 cpython_opcode.opmap["LOAD_CONST"], 3, cpython_opcode.opmap["NOP"], 0])
    theirs = [(offset, op, arg) for offset, op, arg in dis._unpack_opargs(raw)]
    ours = [(offset, op, arg) for offset, op, arg in units(raw)]
    assert [(o, a) for o, _, a in ours[:3]] == [(o, a) for o, _, a in theirs[:3]]


def test_the_runtime_and_the_disassembler_read_the_same_instructions():
    # One decoder: the VM's records (runtime.decode) and the listing agree on every instruction,
    # its prefixes' first slot and its jump target, wide arguments included.
    code = assemble([("SETUP_LOOP", 300), ("LOAD_CONST", 0x103)] + ["NOP"] * 150 + [("JUMP_ABSOLUTE", 2)],
                    consts=tuple(range(0x104)))
    listed = [i for i in get_instructions(code) if i.opname != "EXTENDED_ARG"]
    records = instruction_records(code)
    assert [(r.op.name, r.arg, r.offset) for r in records] == [(i.opname, i.arg or 0, i.offset) for i in listed]
    assert [r.target * 2 if r.target >= 0 else None for r in records] == [i.jump_target for i in listed]
    assert [w.first for w in wordcode.instructions(code.code)][:3] == [0, 2, 4]
    assert records[0].first == 0 and records[0].index == 1 and records[1].first == 2


def test_jump_targets_relative_absolute_and_extended():
    code = loop_module()
    instrs = by_offset(code)
    assert instrs[10].jump_target == 20 and instrs[10].argrepr == "to 20"
    assert instrs[18].jump_target == 10 and instrs[18].argrepr == "to 10"
    assert instrs[0].jump_target == 22 and instrs[0].block == "loop -> 22"
    assert {o for o, i in instrs.items() if i.is_jump_target} == {10, 20, 22}
    # A relative jump counts from the instruction after it, not from its EXTENDED_ARG prefix.
    wide = assemble([("JUMP_FORWARD", 300)] + ["NOP"] * 151)
    first = [i for i in get_instructions(wide) if i.opname == "JUMP_FORWARD"][0]
    assert first.offset == 2 and first.jump_target == 2 + 2 + 300
    assert by_offset(wide)[304].is_jump_target


def test_blocks_of_every_setup_instruction():
    setups = [op for op in opcodes.OPS if op.pushes_block is not None]
    code = assemble([(op.name, 4) for op in setups] + ["NOP"] * 4)
    for instr, op in zip(get_instructions(code), setups):
        assert instr.block == f"{op.pushes_block.value} -> {instr.offset + 6}"
    assert by_offset(code)[0].block == "loop -> 6"
    assert all(i.block is None for i in get_instructions(loop_module()) if not i.opname.startswith("SETUP"))


def test_argument_meanings_by_kind():
    consts = ("text", 2 ** 100, None, frozenset({"b", "a", "c"}), ("x",), "y" * 200)
    code = assemble([
        ("LOAD_CONST", 0), ("LOAD_CONST", 1), ("LOAD_CONST", 2), ("LOAD_CONST", 3), ("LOAD_CONST", 4),
        ("LOAD_CONST", 5), ("LOAD_GLOBAL", 0), ("LOAD_FAST", 0), ("LOAD_DEREF", 0), ("LOAD_DEREF", 1),
        ("LOAD_CLOSURE", 2), ("COMPARE_OP", 10), ("COMPARE_OP", 7), ("CALL_FUNCTION_EX", 1),
        ("CALL_FUNCTION_EX", 0), ("BUILD_TUPLE", 3), "BINARY_ADD",
    ], consts=consts, names=("print",), varnames=(".0",), cellvars=("c",), freevars=("f1", "f2"))
    reprs = [(i.argval, i.argrepr) for i in get_instructions(code)]
    assert reprs[0] == ("text", "'text'")
    assert reprs[1] == (2 ** 100, repr(2 ** 100))
    assert reprs[2] == (None, "None")
    assert reprs[3][1] == "frozenset({'a', 'b', 'c'})"
    assert reprs[4] == (("x",), "('x',)")
    assert reprs[5][0] == "y" * 200 and len(reprs[5][1]) == MAX_CONST_REPR and reprs[5][1].endswith("...")
    assert reprs[6:8] == [("print", "print"), (".0", ".0")]
    assert reprs[8:11] == [("c", "c"), ("f1", "f1"), ("f2", "f2")]  # cells, then free variables
    assert reprs[11:13] == [("exception match", "exception match"), ("not in", "not in")]
    assert [r[1] for r in reprs[13:15]] == ["with keywords", ""]
    assert reprs[15] == (3, "")
    assert get_instructions(code)[-1].arg is None and reprs[16] == (None, "")


@pytest.mark.parametrize("flags", range(16))
def test_make_function_flags_read_as_cpython_reads_them(flags):
    theirs = next(dis._get_instructions_bytes(bytes([cpython_opcode.opmap["MAKE_FUNCTION"], flags])))
    ours = get_instructions(assemble([("MAKE_FUNCTION", flags)]))[0]
    assert ours.argrepr == theirs.argrepr


@pytest.mark.parametrize("flags", range(8))
def test_format_value_flags_read_as_cpython_reads_them(flags):
    theirs = next(dis._get_instructions_bytes(bytes([cpython_opcode.opmap["FORMAT_VALUE"], flags])))
    ours = get_instructions(assemble([("FORMAT_VALUE", flags)]))[0]
    assert ours.argrepr == theirs.argrepr
    conversion = theirs.argval[0].__name__ if theirs.argval[0] else None
    assert ours.argval == (conversion, theirs.argval[1])


def test_code_constants_are_named_without_addresses():
    code = loop_module()
    instr = by_offset(code)[22]
    assert instr.argrepr == "<code object g at line 3>"
    assert instr.argval is code.consts[1]
    text = format_disassembly(code) + code_summary(code)
    assert not re.search(r"0x[0-9a-f]{6,}", text)


def test_lines_start_where_the_line_changes():
    code = loop_module()
    starts = [(i.offset, i.starts_line) for i in get_instructions(code) if i.starts_line is not None]
    assert starts == [(0, 1), (14, 2), (20, 1), (22, 3)]
    no_position = assemble(["NOP", "NOP"])
    no_position = no_position.replace(positions=((None, None, None, None), (2, 0, 2, 3)))
    assert [(i.line, i.starts_line) for i in get_instructions(no_position)] == [(None, None), (2, 2)]


def test_damaged_code_is_shown_not_raised():
    code = assemble(["NOP"], consts=()).replace(code=bytes([opcodes.LOAD_CONST, 5, 250, 0, opcodes.NOP]))
    instrs = get_instructions(code)
    assert instrs[0].argrepr == "<no constant 5>"
    assert instrs[1].opname == "<250>"
    assert [i.offset for i in instrs] == [0, 2, 4]  # the odd last byte reads as an instruction
    assert "<250>" in format_disassembly(code)


def test_format_instruction_columns():
    instrs = by_offset(loop_module())
    assert format_instruction(instrs[0]) == (
        "   1       0 SETUP_LOOP              20 (loop -> 22)" + " " * 8 + "1:0-2:9")
    assert format_instruction(instrs[10], show_position=False) == (
        "   | >>   10 FOR_ITER                 8 (to 20)")
    assert format_instruction(instrs[10], show_position=False, mark_jump_targets=False,
                              show_line=False) == "     10 FOR_ITER                 8 (to 20)"
    assert format_instruction(instrs[2], width=40).endswith("(range)  1:9-14")  # too long: two spaces
    assert format_instruction(instrs[8]) == "   |       8 GET_ITER" + " " * 39 + "1:9-17"


def test_whole_listing_has_one_section_per_code_object():
    code = loop_module()
    text = format_disassembly(code)
    headers = [line for line in text.splitlines() if line.startswith("Disassembly of")]
    assert headers == ["Disassembly of <code object <module> at line 1>:",
                       "Disassembly of <code object g at line 3>:"]
    assert len(text.splitlines()) == 2 + 17 + 2 + 1  # headers, instructions, blank line between
    assert format_disassembly(code, recursive=False).count("Disassembly of") == 1
    assert format_disassembly(code) == format_disassembly(code)


def test_listing_of_one_line_groups_by_code_object():
    code = loop_module()
    text = format_disassembly(code, line=1)
    lines = text.splitlines()
    assert lines[0] == "Disassembly of <code object <module> at line 1>, line 1:"
    offsets = [int(re.match(r" +(?:\d+|\|) (?:>>|  ) +(\d+) ", line)[1]) for line in lines[1:]]
    assert offsets == [0, 2, 4, 6, 8, 10, 12, 20]
    # A line's instructions after a gap show the line number again.
    assert re.search(r"^   1 >>   20 POP_BLOCK", text, re.M)
    assert re.search(r"^   \| >>   10 FOR_ITER", text, re.M)
    line_4 = format_disassembly(code, line=4)
    assert "<code object <module>" not in line_4 and "Disassembly of <code object g at line 3>, line 4:" in line_4
    assert format_disassembly(code, line=99) == "No instructions on line 99.\n"


def test_relative_lines_count_from_each_code_objects_first_line():
    code = loop_module()
    text = format_disassembly(code, relative_lines=True)
    section = text.split("Disassembly of <code object g at line 3> (lines relative to it):\n")[1]
    assert section.splitlines()[0].startswith("   2       0 LOAD_FAST") and section.rstrip().endswith("2:4-12")


def test_map_points_each_source_line_at_its_rows():
    code = loop_module()
    text, mapping = disassembly_map(code)
    assert text == format_disassembly(code)
    rows = text.splitlines()
    assert sorted(mapping) == [1, 2, 3, 4]
    mapped = sorted(index for indexes in mapping.values() for index in indexes)
    instruction_rows = [i for i, row in enumerate(rows) if row and not row.startswith("Disassembly")]
    assert mapped == instruction_rows
    for line, indexes in mapping.items():
        for index in indexes:
            assert re.search(rf"\s{line}:\d+-", rows[index]), (line, rows[index])


def test_instructions_for_line_and_range():
    code = loop_module()
    selection = instructions_for_line(code, 3)
    assert [(unit.name, [i.offset for i in instrs]) for unit, instrs in selection] == [
        ("<module>", [22, 24, 26, 28, 30, 32])]
    assert [unit.name for unit, _ in instructions_for_line(code, 4)] == ["g"]
    assert instructions_for_line(code, 50) == []
    # ``range(3)`` spans line 1, columns 9-17: the call and what it evaluates, nothing around it.
    inside = instructions_in_range(code, (1, 9), (1, 17))
    assert [(i.opname, i.offset) for i in inside[0][1]] == [
        ("LOAD_NAME", 2), ("LOAD_CONST", 4), ("CALL_FUNCTION", 6), ("GET_ITER", 8)]
    assert [i.opname for i in instructions_in_range(code, (1, 15), (1, 16))[0][1]] == ["LOAD_CONST"]


def test_code_summary_lists_what_the_code_holds():
    code = loop_module()
    inner = code.consts[1]
    summary = code_summary(inner)
    assert "Name:              g\n" in summary
    assert "Argument count:    1\n" in summary
    assert "Flags:             0x0003 (OPTIMIZED, NEWLOCALS)\n" in summary
    assert "Variable names:\n   0: x\n" in summary
    assert "Constants:" not in summary
    outer = code_summary(code)
    assert "   1: <code object g at line 3>\n" in outer and "Flags:             0x0000\n" in outer
    assert "Names:\n   0: range\n   1: i\n   2: x\n   3: g\n" in outer


def test_long_opnames_borrow_from_the_argument_column():
    code = assemble([("BUILD_TUPLE_UNPACK_WITH_CALL", 2), ("BUILD_TUPLE", 2), ("BUILD_TUPLE", 12345),
                     ("BUILD_MAP_UNPACK_WITH_CALL", 123456)])
    rows = [format_instruction(i, show_position=False) for i in get_instructions(code)]
    assert rows[0].endswith("BUILD_TUPLE_UNPACK_WITH_CALL 2")
    assert rows[1].endswith("BUILD_TUPLE              2")
    assert rows[-1].endswith("BUILD_MAP_UNPACK_WITH_CALL 123456")
    assert len(rows[0]) - len(rows[1]) == 4  # overflows by the excess of the name only


# --- end to end, with the real compiler ----------------------------------------------------------


def test_bytelens_dis_prints_the_listing(tmp_path):
    from conftest import ROOT, run_bytelens

    from bytelens.vm import compile_source

    fib = ROOT / "examples" / "fib.py"
    code = compile_source(fib.read_bytes(), str(fib))
    whole = run_bytelens("dis", str(fib))
    assert whole.returncode == 0 and whole.stdout == format_disassembly(code)
    assert whole.stdout.count("Disassembly of") == len(list(code.walk()))
    one_line = run_bytelens("dis", str(fib), "--line", "12")
    assert one_line.returncode == 0 and one_line.stdout == format_disassembly(code, line=12)
    assert one_line.stdout.startswith("Disassembly of <code object fib at line 4>, line 12:\n")
    bad = tmp_path / "bad.py"
    bad.write_text("x = (1,\n")
    failed = run_bytelens("dis", str(bad))
    assert failed.returncode == 1 and failed.stdout == "" and "SyntaxError" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_every_line_of_a_real_program_maps_to_its_rows():
    from conftest import ROOT

    from bytelens.vm import compile_source

    source = (ROOT / "tests" / "golden" / "pattern_matching.py").read_bytes()
    code = compile_source(source, "pattern_matching.py")
    text, mapping = disassembly_map(code)
    rows = text.splitlines()
    for line, indexes in mapping.items():
        expected = [instr for _, instrs in instructions_for_line(code, line) for instr in instrs]
        assert len(indexes) == len(expected)
        for index, instr in zip(indexes, expected):
            assert re.match(rf" *(\d+|\|) (>>|  ) +{instr.offset} {instr.opname}\b", rows[index])


def test_records_are_ordinary_frozen_instructions():
    import dataclasses

    from bytelens.vm.isa.disassembler import Instruction

    for instr in get_instructions(loop_module()):
        rebuilt = Instruction(**{f.name: getattr(instr, f.name) for f in dataclasses.fields(Instruction)})
        assert instr == rebuilt and hash(instr) == hash(rebuilt) and repr(instr) == repr(rebuilt)
        with pytest.raises(dataclasses.FrozenInstanceError):
            instr.offset = 99
    assert dataclasses.replace(instr, offset=7).offset == 7
