"""Bytecode cache files: compiled code kept in ``__pycache__/`` beside the source, like ``.pyc``.

A cache file is ``__pycache__/NAME.bytelens-01-py311.blc`` (tagged with bytelens's and Python's
versions; the ``.blc`` suffix keeps CPython's importer, ``compileall`` and ``*.pyc`` clean-up rules
away from it). It holds a
64-byte header and the serialised code (``serialize.py``):

=======  ====  =============================================================================
offset   size  field (little-endian)
=======  ====  =============================================================================
0        4     ``b"BLC\\0"``: a bytelens cache file at all
4        4     magic number: changes with the compiler, the format and the Python version
8        4     flags: bit 0 hash-based, bit 1 check the source (PEP 552's meaning)
12       8     source mtime in nanoseconds (timestamp mode; else 0)
20       8     source size in bytes
28       16    BLAKE2b-128 of the source bytes (hash modes; else zeros)
44       4     body length
48       16    BLAKE2b-128 of bytes 0-47 and the body: a file that fails it is never trusted
=======  ====  =============================================================================

A file is used only when it is whole (checksum), ours (signature and magic) and fresh (mtime and size,
or the source hash, agree with the source); anything else is recompiled and rewritten. Writes go to
a temporary file in the same folder, then ``os.replace``: readers see the old file or the new one,
never half of one. A folder that cannot be written is not an error: the code is compiled in memory.
"""

from __future__ import annotations

import enum
import functools
import hashlib
import os
import struct
import sys
import tempfile
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from bytelens import __version__

from bytelens.vm.cache import serialize
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.isa.code import Code

#: Bump when the header layout changes (the body's own changes are seen by serialize's fingerprint).
FORMAT_VERSION = 1
SIGNATURE = b"BLC\0"
SUFFIX = ".blc"
#: Part of every cache file name: ``bytelens-01-py311`` for bytelens 0.1.x on Python 3.11 (the
#: compiler reads that Python's AST), so two interpreters sharing a tree do not overwrite each other.
CACHE_TAG = "bytelens-{}-py{}{}".format("".join(__version__.split(".")[:2]), *sys.version_info[:2])

_HEADER = struct.Struct("<4sIIqQ16sI")
_CHECKSUM_SIZE = 16
HEADER_SIZE = _HEADER.size + _CHECKSUM_SIZE

FLAG_HASH_BASED = 0x01
FLAG_CHECK_SOURCE = 0x02
_KNOWN_FLAGS = FLAG_HASH_BASED | FLAG_CHECK_SOURCE
_NO_HASH = bytes(16)


class InvalidationMode(enum.Enum):
    """How a cache file is checked against its source (py_compile's PycInvalidationMode)."""

    TIMESTAMP = 0  # the source's mtime (nanoseconds) and size
    CHECKED_HASH = FLAG_HASH_BASED | FLAG_CHECK_SOURCE  # a hash of the source, checked at every load
    UNCHECKED_HASH = FLAG_HASH_BASED  # a hash of the source, never checked (read-only installs)


class CacheError(Exception):
    """A cache file that must not be used."""


class ForeignCacheError(CacheError):
    """Not a cache file of this bytelens: another tool's file, another version, another format."""


class CorruptCacheError(CacheError):
    """A cache file that is truncated or damaged (its checksum or its body does not hold)."""


@dataclass(frozen=True)
class CacheHeader:
    """What a cache file records about the source it was compiled from."""

    magic: int
    flags: int
    mtime_ns: int
    size: int
    source_hash: bytes

    @property
    def mode(self) -> InvalidationMode:
        return InvalidationMode(self.flags)


@functools.cache
def magic_number() -> int:
    """This bytelens's magic number (see ``compute_magic``)."""
    return compute_magic(Path(__file__).parent.parent)


def compute_magic(package_folder: Path) -> int:
    """A digest of everything that decides what a cache file holds.

    That is the header format, the body's format (Code's fields), bytelens's and Python's versions
    (the AST the compiler reads) and the source of the ``vm`` package itself (the compiler, the
    instruction table): any change to the compiler invalidates existing cache files by itself,
    without anyone remembering to bump a number.
    """
    digest = hashlib.blake2b(digest_size=4)
    digest.update(repr((FORMAT_VERSION, __version__, sys.version_info[:2],
                        serialize.FORMAT_FINGERPRINT)).encode())
    for source in sorted(package_folder.rglob("*.py")):
        digest.update(source.relative_to(package_folder).as_posix().encode() + b"\0")
        with suppress(OSError):
            digest.update(source.read_bytes())
    return int.from_bytes(digest.digest(), "little")


def cache_path(source_path: str) -> str:
    """Where the cache file of ``source_path`` lives: ``dir/__pycache__/NAME.bytelens-01-py311.blc``.

    As for ``.pyc`` files, ``sys.pycache_prefix`` (``PYTHONPYCACHEPREFIX``) moves the tree elsewhere.
    """
    folder, name = os.path.split(os.fspath(source_path))
    base, _, extension = name.rpartition(".")
    filename = f"{base or extension}.{CACHE_TAG}{SUFFIX}"
    if sys.pycache_prefix is not None:
        absolute = os.path.abspath(folder)
        _, rest = os.path.splitdrive(absolute)
        return os.path.join(sys.pycache_prefix, rest.lstrip(os.sep), filename)
    return os.path.join(folder, "__pycache__", filename)


def source_hash(source: bytes) -> bytes:
    return hashlib.blake2b(source, digest_size=16).digest()


def header_for(source: bytes, stat: os.stat_result, mode: InvalidationMode) -> CacheHeader:
    """The header a cache file of this source gets in ``mode``."""
    if mode is InvalidationMode.TIMESTAMP:
        return CacheHeader(magic_number(), mode.value, stat.st_mtime_ns, stat.st_size, _NO_HASH)
    return CacheHeader(magic_number(), mode.value, 0, len(source), source_hash(source))


def encode(code: Code, header: CacheHeader) -> bytes:
    """A whole cache file's bytes."""
    body = serialize.dumps(code)
    fixed = _HEADER.pack(SIGNATURE, header.magic, header.flags, header.mtime_ns, header.size,
                         header.source_hash, len(body))
    checksum = hashlib.blake2b(fixed, digest_size=_CHECKSUM_SIZE)
    checksum.update(body)
    return fixed + checksum.digest() + body


def decode(data: bytes) -> tuple[CacheHeader, Code]:
    """The header and code of a cache file's bytes; ``ForeignCacheError`` or ``CorruptCacheError``
    when they must not be used.
    """
    if len(data) < HEADER_SIZE:
        if SIGNATURE.startswith(data[:4]):
            raise CorruptCacheError(f"truncated header ({len(data)} bytes)")
        raise ForeignCacheError("not a bytelens cache file")
    signature, magic, flags, mtime_ns, size, hashed, body_length = _HEADER.unpack_from(data)
    if signature != SIGNATURE:
        raise ForeignCacheError("not a bytelens cache file")
    fixed, checksum, body = data[:_HEADER.size], data[_HEADER.size:HEADER_SIZE], data[HEADER_SIZE:]
    if len(body) != body_length:
        raise CorruptCacheError(f"body is {len(body)} bytes, header says {body_length}")
    expected = hashlib.blake2b(fixed, digest_size=_CHECKSUM_SIZE)
    expected.update(body)
    if expected.digest() != checksum:
        raise CorruptCacheError("checksum mismatch")
    if magic != magic_number():
        raise ForeignCacheError(f"magic number {magic:#010x} is not this bytelens's {magic_number():#010x}")
    if flags & ~_KNOWN_FLAGS or flags == FLAG_CHECK_SOURCE:
        raise ForeignCacheError(f"unknown flags {flags:#x}")
    try:
        code = serialize.loads(body)
    except serialize.FormatError as error:
        raise CorruptCacheError(f"bad body: {error}") from None
    return CacheHeader(magic, flags, mtime_ns, size, hashed), code


def read_cache(cache_file: str) -> tuple[CacheHeader, Code]:
    """Read and check one cache file (``OSError`` if it cannot be read)."""
    with open(cache_file, "rb") as stream:
        return decode(stream.read())


def is_fresh(header: CacheHeader, source: bytes, stat: os.stat_result) -> bool:
    """Whether a cache file with ``header`` still describes this source."""
    if not header.flags & FLAG_HASH_BASED:
        return header.mtime_ns == stat.st_mtime_ns and header.size == stat.st_size
    if not header.flags & FLAG_CHECK_SOURCE:
        return True
    return header.size == len(source) and header.source_hash == source_hash(source)


def load_cache(source_path: str, *, source: Optional[bytes] = None) -> Optional[Code]:
    """The code in ``source_path``'s cache file if that file is whole, ours and fresh, else None."""
    stat = os.stat(source_path)
    if source is None:
        with open(source_path, "rb") as stream:
            source = stream.read()
    return _load_fresh(source_path, source, stat)


def _load_fresh(source_path: str, source: bytes, stat: os.stat_result) -> Optional[Code]:
    try:
        header, code = read_cache(cache_path(source_path))
    except (OSError, CacheError):
        return None
    if not is_fresh(header, source, stat):
        return None
    return _with_filename(code, os.fspath(source_path))


def _with_filename(code: Code, filename: str) -> Code:
    """The code as if compiled from ``filename`` (the cache may have been written via another path)."""
    if code.filename == filename:
        return code
    consts = tuple(_with_filename(c, filename) if isinstance(c, Code) else c for c in code.consts)
    return code.replace(filename=filename, consts=consts)


def default_invalidation_mode() -> InvalidationMode:
    """Timestamps, unless SOURCE_DATE_EPOCH asks for reproducible files (as py_compile does)."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return InvalidationMode.CHECKED_HASH
    return InvalidationMode.TIMESTAMP


def write_cache(source_path: str, code: Code, *, source: Optional[bytes] = None,
                invalidation_mode: Optional[InvalidationMode] = None) -> str:
    """Write ``code`` as the cache file of ``source_path`` (atomically); return the file's path.

    Raises ``OSError`` when the file cannot be written.
    """
    stat = os.stat(source_path)
    if source is None:
        with open(source_path, "rb") as stream:
            source = stream.read()
    return _store(source_path, code, source, stat, invalidation_mode or default_invalidation_mode())


def _store(source_path: str, code: Code, source: bytes, stat: os.stat_result,
           mode: InvalidationMode) -> str:
    target = cache_path(source_path)
    data = encode(code, header_for(source, stat, mode))
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    # Like CPython: the cache file gets the source's permissions, and stays writable by its owner.
    _write_atomic(target, data, (stat.st_mode | 0o200) & 0o666)
    return target


def _write_atomic(path: str, data: bytes, mode: int) -> None:
    """Write to a temporary file beside ``path``, then rename it over ``path``."""
    folder, name = os.path.split(path)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise


def compile_file(path: str, *, write_cache: bool = True,
                 invalidation_mode: Optional[InvalidationMode] = None,
                 raise_write_errors: bool = False) -> Code:
    """The code of the Python file ``path``: from its cache file when that is fresh, else compiled
    (and, with ``write_cache``, cached for next time).

    ``CompileError`` for a source that does not compile, ``OSError`` for one that cannot be read.
    A cache file that cannot be written is skipped silently (as CPython's importer does) unless
    ``raise_write_errors`` (what ``bytelens compile`` wants, like ``py_compile``).
    """
    stat = os.stat(path)
    with open(path, "rb") as stream:
        source = stream.read()
    code = _load_fresh(path, source, stat)
    if code is not None:
        return code
    code = compile_source(source, os.fspath(path))
    if write_cache:
        try:
            _store(path, code, source, stat, invalidation_mode or default_invalidation_mode())
        except OSError:
            if raise_write_errors:
                raise
    return code
