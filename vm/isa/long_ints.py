"""Long ints as every view shows them: ``int_repr`` (``0xfff…ff (5,000 hex digits)``).

In the instruction-set layer because the disassembler shows constants with it; the trace's
bounded reprs (trace/reprs.py) and the server's CPython listing use the same function.
"""

from __future__ import annotations

import sys

#: An int this many bits long or more (about 2,466 decimal digits) is shown shortened by
#: ``int_repr``: its decimal repr would be cut anyway and costs time quadratic in its length.
LONG_INT_BITS = 1 << 13

#: Hex digits ``int_repr`` keeps from the start and from the end of a long int.
_LONG_INT_HEAD = 3
_LONG_INT_TAIL = 2

_ELLIPSIS = "…"


def is_long_int(value: int) -> bool:
    """True for an int ``int_repr`` shortens: at least ``LONG_INT_BITS`` bits, or with possibly more
    decimal digits than ``sys.get_int_max_str_digits()`` allows (then ``repr`` raises ValueError)."""
    bits = value.bit_length()
    if bits >= LONG_INT_BITS:
        return True
    limit = sys.get_int_max_str_digits()
    # bits * 0.30103 + 1 bounds the digit count from above (log10(2) = 0.30102999...).
    return limit > 0 and bits * 30103 // 100000 + 1 > limit


def int_repr(value: int) -> str:
    """``repr(value)``, or for a long int (``is_long_int``) ``0xfff…ff (5,000 hex digits)``: the one
    shortened form every view shows. Hex has no digit limit, and the ends are cut out by shifts, so
    it costs time linear in the int's size whatever ``sys.set_int_max_str_digits`` says."""
    if not is_long_int(value):
        return repr(value)
    magnitude = -value if value < 0 else value
    digits = (magnitude.bit_length() + 3) // 4
    head = format(magnitude >> 4 * (digits - _LONG_INT_HEAD), "x")
    tail = format(magnitude & (16 ** _LONG_INT_TAIL - 1), f"0{_LONG_INT_TAIL}x")
    sign = "-" if value < 0 else ""
    return f"{sign}0x{head}{_ELLIPSIS}{tail} ({digits:,} hex digits)"
