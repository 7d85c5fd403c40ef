"""Ints past ``sys.get_int_max_str_digits()`` (4,300 decimal digits): every view shows them shortened
by ``isa.long_ints.int_repr``, and running code that holds them behaves as under python3."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import run_bytelens

from bytelens.server.comparison import CPythonListing
from bytelens.server.hover import describe
from bytelens.server.lineindex import LineIndex
from bytelens.server.positions import split_lines
from bytelens.vm import compile_source
from bytelens.vm.isa.disassembler import code_summary, const_repr, format_disassembly
from bytelens.vm.isa.long_ints import int_repr, is_long_int
from bytelens.vm.trace.reprs import BoundedRepr

HEX = "f" * 5000
PROGRAM = (f"def f():\n    return 0x{HEX}\n\n"
           f"PAIR = (0x{HEX}, 1)\n"
           f"def g():\n    x = 0x{HEX}\n    for i in range(3):\n        x = x + 1\n"
           f"    return x.bit_length(), -x % 7\n"
           f"print(g())\n")
SHORT = "0xfff…ff (5,000 hex digits)"


def test_int_repr_is_repr_below_the_limit_and_shortened_above():
    assert int_repr(12345) == "12345"
    assert int_repr(-(10**100)) == repr(-(10**100))
    assert int_repr(int(HEX, 16)) == SHORT
    assert int_repr(-int(HEX, 16)) == "-" + SHORT
    assert int_repr(int("1" + "0" * 4999, 16)) == "0x100…00 (5,000 hex digits)"
    assert not is_long_int(10**100) and is_long_int(int(HEX, 16))


def test_int_repr_works_whatever_the_process_digit_limit():
    previous = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(640)
        assert int_repr(10**700).endswith("hex digits)")
        assert int_repr(10**600) == "1" + "0" * 600
    finally:
        sys.set_int_max_str_digits(previous)


def test_disassembly_constants_and_summaries():
    code = compile_source(PROGRAM, "big.py")
    listing = format_disassembly(code)
    assert SHORT in listing and f"(({SHORT}, 1))" in listing
    assert const_repr((int(HEX, 16), 1)) == f"({SHORT}, 1)"
    f = next(c for c in code.consts if hasattr(c, "qualname") and c.qualname == "f")
    assert SHORT in code_summary(f)


def test_hover_with_cpythons_listing():
    code = compile_source(PROGRAM, "big.py")
    text = describe(LineIndex(code), split_lines(PROGRAM), 2, None,
                    cpython=CPythonListing(PROGRAM, "big.py")).markdown
    assert text.count(SHORT) == 2  # bytelens's instruction and CPython's


def test_trace_repr():
    assert BoundedRepr()(int(HEX, 16)) == SHORT
    assert BoundedRepr()([int(HEX, 16)]) == f"[{SHORT}]"


def test_cli_dis_trace_and_run(tmp_path):
    source = tmp_path / "big.py"
    source.write_text(PROGRAM)
    shown = run_bytelens("dis", str(source))
    assert shown.returncode == 0, shown.stderr
    assert SHORT in shown.stdout
    traced = run_bytelens("trace", str(source), "--call", "f()")
    assert traced.returncode == 0, traced.stderr
    assert f"result: {SHORT}" in traced.stdout
    ran = run_bytelens("run", str(source))
    expected = subprocess.run([sys.executable, str(source)], capture_output=True, text=True)
    assert (ran.stdout, ran.returncode) == (expected.stdout, expected.returncode), ran.stderr
