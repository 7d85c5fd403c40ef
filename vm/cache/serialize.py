"""Code objects to bytes and back: the body of a cache file (``cache/store.py`` adds the header).

Cache files are untrusted input, so this is a small tagged format read by a decoder that checks
everything (not pickle, which would run code while loading). Like ``marshal``, it covers exactly the
values a code object can hold: None, bools, ints of any size, floats (nan and -0.0 bit for bit),
complex numbers, str (lone surrogates included), bytes, tuples, frozensets, Ellipsis and nested code
objects. Strings seen before are written as back-references, so a filename or a name repeated in
every function costs a few bytes. Frozensets are written in a canonical order, so the same code
always gives the same bytes (reproducible cache files).

A code object is written field by field in the order ``Code`` declares them; each field is checked
on load against ``Code``'s type hints, so a new ``Code`` field either round-trips or fails loudly.
``FORMAT_FINGERPRINT`` changes whenever those fields or the tags do (``cache/store.py`` folds it into the
magic number).
"""

from __future__ import annotations

import array
import dataclasses
import struct
import sys
import typing
from typing import Any, Callable

from bytelens.vm.isa.code import Code, Position

#: Bump when the encoding changes in a way the fingerprint below cannot see.
ENCODING_VERSION = 2

_NONE, _TRUE, _FALSE, _ELLIPSIS = b"N", b"T", b"F", b"E"
_INT, _FLOAT, _COMPLEX, _STR, _STR_REF, _BYTES = b"i", b"f", b"x", b"s", b"r", b"b"
_TUPLE, _FROZENSET, _CODE = b"(", b"{", b"c"
_SINGLETONS = {_NONE[0]: None, _TRUE[0]: True, _FALSE[0]: False, _ELLIPSIS[0]: Ellipsis}

_DOUBLE = struct.Struct("<d")
_COMPLEX_PAIR = struct.Struct("<dd")

#: How a missing position part is stored in the wide (4-byte) and narrow (2-byte) position tables.
_WIDE_NONE = 0xFFFFFFFF
_NARROW_NONE = 0xFFFF
if array.array("I").itemsize != 4 or array.array("H").itemsize != 2:  # pragma: no cover - exotic C ABI
    raise RuntimeError("serialize.py needs 4-byte 'I' and 2-byte 'H' arrays")

#: Nesting deeper than this is refused on load (the compiler never produces it).
MAX_DEPTH = 200

_CODE_FIELDS = tuple(dataclasses.fields(Code))
_CODE_TYPES = typing.get_type_hints(Code)
_POSITIONS_TYPE = tuple[Position, ...]


class FormatError(ValueError):
    """The bytes are not a well-formed serialised code object."""


class UnsupportedConstant(TypeError):
    """A code object holds a value the format cannot represent."""


# --- writing -------------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.out = bytearray()
        self.strings: dict[str, int] = {}

    def varint(self, value: int) -> None:
        while value >= 0x80:
            self.out.append((value & 0x7F) | 0x80)
            value >>= 7
        self.out.append(value)

    def sized(self, data: bytes) -> None:
        self.varint(len(data))
        self.out += data

    def value(self, value: Any) -> None:
        kind = type(value)
        if value is None:
            self.out += _NONE
        elif kind is bool:
            self.out += _TRUE if value else _FALSE
        elif value is Ellipsis:
            self.out += _ELLIPSIS
        elif kind is int:
            self.out += _INT
            self.sized(value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True))
        elif kind is float:
            self.out += _FLOAT + _DOUBLE.pack(value)
        elif kind is complex:
            self.out += _COMPLEX + _COMPLEX_PAIR.pack(value.real, value.imag)
        elif kind is str:
            self.string(value)
        elif kind is bytes:
            self.out += _BYTES
            self.sized(value)
        elif kind is tuple:
            self.out += _TUPLE
            self.varint(len(value))
            for item in value:
                self.value(item)
        elif kind is frozenset:
            self.out += _FROZENSET
            self.varint(len(value))
            for item in sorted(value, key=_canonical_key):
                self.value(item)
        elif kind is Code:
            self.out += _CODE
            self.code(value)
        else:
            raise UnsupportedConstant(f"cannot serialise a constant of type {kind.__name__}")

    def string(self, value: str) -> None:
        index = self.strings.get(value)
        if index is not None:
            self.out += _STR_REF
            self.varint(index)
            return
        self.strings[value] = len(self.strings)
        self.out += _STR
        self.sized(value.encode("utf-8", "surrogatepass"))

    def code(self, code: Code) -> None:
        for field in _CODE_FIELDS:
            value = getattr(code, field.name)
            if _CODE_TYPES[field.name] == _POSITIONS_TYPE:
                self.positions(value)
            else:
                self.value(value)

    def positions(self, positions: tuple[Position, ...]) -> None:
        """A packed array: four unsigned numbers an entry, all ones for None; two bytes each when
        every number fits, else four (the table is most of a file, and loads in one step).
        """
        flat = [part for entry in positions for part in entry]
        numbers = [part for part in flat if part is not None]
        valid = all(type(n) is int and 0 <= n < _WIDE_NONE for n in numbers)
        if len(flat) != 4 * len(positions) or not valid:
            raise ValueError("a position must be four numbers (0 <= n < 2**32 - 1) or None")
        kind, missing = ("I", _WIDE_NONE) if any(n >= _NARROW_NONE for n in numbers) else ("H", _NARROW_NONE)
        packed = array.array(kind, [missing if part is None else part for part in flat])
        if sys.byteorder == "big":
            packed.byteswap()
        self.varint(len(positions))
        self.out += kind.encode()
        self.out += packed.tobytes()


def _canonical_key(value: Any) -> bytes:
    """Order frozenset members by their own encoding: the same set always serialises the same way."""
    writer = _Writer()
    writer.value(value)
    return bytes(writer.out)


def dumps(code: Code) -> bytes:
    """The serialised form of ``code`` and everything nested in it."""
    writer = _Writer()
    writer.code(code)
    return bytes(writer.out)


# --- reading -------------------------------------------------------------------------------------


class _Reader:
    """Reads one serialised code object; every read is bounds-checked (the bytes are untrusted)."""

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)
        self.end = len(self.data)
        self.pos = 0
        self.strings: list[str] = []

    def take(self, size: int) -> bytes:
        start = self.pos
        end = start + size
        if end > self.end:
            raise FormatError("truncated data")
        self.pos = end
        return self.data[start:end]

    def varint(self) -> int:
        pos = self.pos
        if pos < self.end and self.data[pos] < 0x80:  # the common case: one byte
            self.pos = pos + 1
            return self.data[pos]
        result = shift = 0
        while True:
            if self.pos >= self.end:
                raise FormatError("truncated data")
            byte = self.data[self.pos]
            self.pos += 1
            result |= (byte & 0x7F) << shift
            if byte < 0x80:
                return result
            shift += 7
            if shift > 63:
                raise FormatError("varint too long")

    def count(self) -> int:
        """A length that must fit in the bytes left (every item takes at least one byte)."""
        n = self.varint()
        if n > self.end - self.pos:
            raise FormatError("length beyond the end of the data")
        return n

    def value(self, depth: int = 0) -> Any:
        """One tagged value; the tests run from the most frequent tag down."""
        if depth > MAX_DEPTH:
            raise FormatError("values nested too deeply")
        if self.pos >= self.end:
            raise FormatError("truncated data")
        tag = self.data[self.pos]
        self.pos += 1
        if tag == _STR_REF[0]:
            index = self.varint()
            if index >= len(self.strings):
                raise FormatError("string reference out of range")
            return self.strings[index]
        if tag == _STR[0]:
            try:
                text = self.take(self.count()).decode("utf-8", "surrogatepass")
            except UnicodeDecodeError as error:
                raise FormatError(f"bad string: {error}") from None
            self.strings.append(text)
            return text
        if tag == _INT[0]:
            return int.from_bytes(self.take(self.count()), "little", signed=True)
        if tag == _TUPLE[0]:
            return tuple([self.value(depth + 1) for _ in range(self.count())])
        if tag in _SINGLETONS:
            return _SINGLETONS[tag]
        if tag == _CODE[0]:
            return self.code(depth + 1)
        if tag == _BYTES[0]:
            return self.take(self.count())
        if tag == _FLOAT[0]:
            return _DOUBLE.unpack(self.take(_DOUBLE.size))[0]
        if tag == _COMPLEX[0]:
            real, imag = _COMPLEX_PAIR.unpack(self.take(_COMPLEX_PAIR.size))
            return complex(real, imag)
        if tag == _FROZENSET[0]:
            items = [self.value(depth + 1) for _ in range(self.count())]
            try:
                return frozenset(items)
            except TypeError:
                raise FormatError("unhashable frozenset member") from None
        raise FormatError(f"unknown tag {bytes([tag])!r} at byte {self.pos - 1}")

    def code(self, depth: int = 0) -> Code:
        values = {}
        for field in _CODE_FIELDS:
            expected = _CODE_TYPES[field.name]
            if expected == _POSITIONS_TYPE:
                values[field.name] = self.positions()
            else:
                value = self.value(depth)
                check = _CHECKS.get(expected)
                if check is None or not check(value):
                    raise FormatError(f"bad code field {field.name}: {type(value).__name__}")
                values[field.name] = value
        if len(values["code"]) % 2 or len(values["positions"]) != len(values["code"]) // 2:
            raise FormatError("bytecode and position table disagree in length")
        return Code(**values)

    def positions(self) -> tuple[Position, ...]:
        count = self.varint()
        kind = self.take(1).decode("latin-1")
        if kind not in ("H", "I"):
            raise FormatError(f"unknown position table width {kind!r}")
        packed = array.array(kind)
        if count * 4 * packed.itemsize > len(self.data) - self.pos:
            raise FormatError("position table beyond the end of the data")
        packed.frombytes(self.take(count * 4 * packed.itemsize))
        if sys.byteorder == "big":
            packed.byteswap()
        missing = _NARROW_NONE if kind == "H" else _WIDE_NONE
        numbers = packed.tolist()
        flat = iter([None if part == missing else part for part in numbers] if missing in packed else numbers)
        return tuple(zip(flat, flat, flat, flat))


def _is_int(value: Any) -> bool:
    return type(value) is int and value >= 0


def _is_tuple_of(kind: type, extra: Callable[[Any], bool] = lambda _: True) -> Callable[[Any], bool]:
    return lambda value: type(value) is tuple and all(type(v) is kind and extra(v) for v in value)


#: How each type hint of ``Code`` is checked on load; a field of any other type cannot be loaded.
_CHECKS: dict[Any, Callable[[Any], bool]] = {
    str: lambda value: type(value) is str,
    int: _is_int,
    bytes: lambda value: type(value) is bytes,
    tuple: lambda value: type(value) is tuple,
    tuple[str, ...]: _is_tuple_of(str),
    tuple[int, ...]: _is_tuple_of(int),
}

_UNSUPPORTED_FIELDS = [f.name for f in _CODE_FIELDS
                       if _CODE_TYPES[f.name] != _POSITIONS_TYPE and _CODE_TYPES[f.name] not in _CHECKS]
if _UNSUPPORTED_FIELDS:  # pragma: no cover - a Code field of a new type needs a check here
    raise RuntimeError(f"serialize.py cannot check Code fields {_UNSUPPORTED_FIELDS}")

#: Changes whenever Code's fields (names, order, types) or this encoding change.
FORMAT_FINGERPRINT = repr((ENCODING_VERSION, [(f.name, str(_CODE_TYPES[f.name])) for f in _CODE_FIELDS]))


def loads(data: bytes) -> Code:
    """The code object serialised in ``data``; ``FormatError`` if it is not exactly one."""
    reader = _Reader(data)
    try:
        code = reader.code()
    except RecursionError:
        raise FormatError("values nested too deeply") from None
    if reader.pos != len(data):
        raise FormatError("trailing bytes after the code object")
    return code

