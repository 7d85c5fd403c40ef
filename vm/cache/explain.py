"""Why a cache file will or will not be used: CPython's ``.pyc`` and bytelens's ``.blc``, explained.

For a learner, ``__pycache__`` is a folder of binary files that appear by themselves. This module
reads the header of each cache file of a source and applies, step by step, the rule the importer
applies (CPython's ``SourceLoader.get_code`` with ``_classify_pyc``, ``_validate_timestamp_pyc`` and
``_validate_hash_pyc``; bytelens's ``store.decode`` and ``store.is_fresh``), so the verdict and its
one-sentence reason say what the importer will do and which values it compared.

Reading never executes code: a ``.pyc`` is unmarshalled only when its magic number is the running
Python's (``marshal`` of another version's bytes is undefined), and a ``.blc`` goes through
bytelens's checking decoder.
"""

from __future__ import annotations

import _imp
import datetime
import dis
import io
import importlib.util
import marshal
import os
import stat as stat_module
import struct
import sys
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from bytelens.vm.cache import store
from bytelens.vm.isa.disassembler import format_disassembly

#: Verdicts. The first six are the issue's; the last two are for bad input.
FRESH, STALE, MISSING, FOREIGN, CORRUPT, UNCHECKED = "fresh", "stale", "missing", "foreign", "corrupt", "unchecked"
UNREADABLE, ORPHANED = "unreadable", "orphaned"

#: A .pyc's header: magic (2-byte number + b"\r\n"), flags, then mtime+size or the 8-byte hash.
PYC_HEADER_SIZE = 16
_PYC_WORDS = struct.Struct("<4sIII")
#: bytelens's header as docs/cache.md lays it out (store.py checks it; here it is only shown).
_BLC_FIELDS = struct.Struct("<4sIIqQ16sI")

#: The Python of a .pyc magic number, from the history in importlib/_bootstrap_external.py.
_MAGIC_RANGES = ((3000, 3131, "3.0"), (3141, 3151, "3.1"), (3160, 3180, "3.2"), (3190, 3230, "3.3"),
                 (3250, 3310, "3.4"), (3320, 3351, "3.5"), (3360, 3379, "3.6"), (3390, 3394, "3.7"),
                 (3400, 3413, "3.8"), (3420, 3425, "3.9"), (3430, 3439, "3.10"))


def python_of_magic(number: int) -> Optional[str]:
    """``"3.10"`` for 3439; from 3.11 on, Python 3.n starts at 2900 + 50n (a comment in CPython)."""
    for low, high, version in _MAGIC_RANGES:
        if low <= number <= high:
            return f"Python {version}"
    if 3450 <= number < 5000:
        return f"Python 3.{(number - 2900) // 50}"
    if 20121 <= number <= 62211:
        return "Python 2"
    return None


def _clock(seconds: float) -> str:
    return datetime.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


@dataclass
class CacheReport:
    """One cache file of one source, and what its importer will do with it."""

    kind: str  # "cpython" or "bytelens"
    path: str
    exists: bool
    magic: Optional[str] = None  # as in the file, hex
    belongs_to: Optional[str] = None
    flags: Optional[str] = None  # "timestamp", "checked-hash", "unchecked-hash" or "invalid (0x…)"
    recorded: dict[str, Any] = field(default_factory=dict)  # mtime, size, hash as the header has them
    status: str = MISSING
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        del data["kind"]
        return data


@dataclass
class SourceFacts:
    path: str
    exists: bool
    mtime_ns: Optional[int] = None
    size: Optional[int] = None
    #: The source's hash as each cache computes it: CPython's ``importlib.util.source_hash``
    #: (SipHash keyed by the magic number) and bytelens's BLAKE2b-128.
    hash: dict[str, str] = field(default_factory=dict)


@dataclass
class Explanation:
    source: SourceFacts
    cpython: CacheReport
    bytelens: CacheReport

    def to_json(self) -> dict[str, Any]:
        return {"source": asdict(self.source), "cpython": self.cpython.to_json(),
                "bytelens": self.bytelens.to_json()}


def _flags_name(flags: int, known: int = 0b11) -> str:
    if flags & ~known:
        return f"invalid ({flags:#x})"
    if not flags & 0b01:
        return "timestamp"
    return "checked-hash" if flags & 0b10 else "unchecked-hash"


def _read_file(path: str) -> tuple[Optional[bytes], Optional[str]]:
    """The bytes of a regular file, or why they cannot be had (a FIFO would block: never open one)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None, None
    except OSError as error:
        return None, f"{error.strerror}"
    if stat_module.S_ISDIR(info.st_mode):
        return None, "it is a directory, not a file"
    if not stat_module.S_ISREG(info.st_mode):
        return None, "it is not a regular file"
    try:
        with open(path, "rb") as stream:
            return stream.read(), None
    except OSError as error:
        return None, f"{error.strerror}"


def _source_facts(source_path: str) -> tuple[SourceFacts, Optional[bytes]]:
    data, problem = _read_file(source_path)
    if data is None:
        return SourceFacts(source_path, False), None
    info = os.stat(source_path)
    facts = SourceFacts(source_path, True, info.st_mtime_ns, info.st_size, {
        "cpython": importlib.util.source_hash(data).hex(), "bytelens": store.source_hash(data).hex()})
    return facts, data


# --- CPython ---------------------------------------------------------------------------------------


def read_pyc_header(report: CacheReport, data: bytes) -> Optional[int]:
    """Fill in the header fields of a .pyc; its flags, or None when there is no whole header."""
    magic = data[:4]
    report.magic = magic.hex() if magic else None
    if len(magic) == 4 and magic[2:] == b"\r\n":
        number = int.from_bytes(magic[:2], "little")
        report.belongs_to = (f"Python {sys.version_info[0]}.{sys.version_info[1]} (this one)"
                             if magic == importlib.util.MAGIC_NUMBER else python_of_magic(number)
                             or f"an unknown Python (magic {number})")
    if len(data) < PYC_HEADER_SIZE:
        return None
    _, flags, word2, word3 = _PYC_WORDS.unpack_from(data)
    report.flags = _flags_name(flags)
    if flags & 0b01:
        report.recorded = {"mtime": None, "size": None, "hash": data[8:16].hex()}
    else:
        report.recorded = {"mtime": word2, "size": word3, "hash": None}
    return flags


def explain_pyc(pyc_path: str, source: SourceFacts, source_bytes: Optional[bytes]) -> CacheReport:
    """What CPython's ``SourceLoader.get_code`` will do with ``pyc_path`` for this source."""
    report = CacheReport("cpython", pyc_path, os.path.lexists(pyc_path))
    data, problem = _read_file(pyc_path)
    if problem is not None:
        report.status = UNREADABLE
        report.reason = (f"unreadable: {pyc_path} cannot be read ({problem}), so Python compiles the "
                         "source in memory at every import and cannot write a cache file there")
        return report
    if data is None:
        report.status = ORPHANED if not source.exists else MISSING
        report.reason = ("missing: there is no .pyc, so the next import compiles the source and writes "
                         "one (a script run as `python FILE` is compiled but never cached)")
        if not source.exists:
            report.reason = "missing: there is neither a source nor a .pyc"
        return report
    flags = read_pyc_header(report, data)
    if not source.exists:
        report.status = ORPHANED
        report.reason = ("orphaned: the source is gone, and Python never imports a .pyc in __pycache__ "
                         "without its source (PEP 3147), so this file is only dead weight")
        return report
    if data[:4] != importlib.util.MAGIC_NUMBER:
        if report.belongs_to and len(data) >= 4:
            report.status = FOREIGN
            report.reason = (f"foreign: its magic number {int.from_bytes(data[:2], 'little')} is "
                             f"{report.belongs_to}'s, not this Python's "
                             f"{int.from_bytes(importlib.util.MAGIC_NUMBER[:2], 'little')}, so Python "
                             "compiles again and overwrites it (_classify_pyc: bad magic number)")
        else:
            report.status = CORRUPT
            report.reason = (f"corrupt: its first bytes ({data[:4].hex() or 'none: the file is empty'}) "
                             "are not a magic number, so Python compiles again and overwrites it "
                             "(_classify_pyc: bad magic number)")
        return report
    if flags is None:
        report.status = CORRUPT
        report.reason = (f"corrupt: the header is {len(data)} bytes of 16, so Python compiles again "
                         "and overwrites it (_classify_pyc: EOFError)")
        return report
    if report.flags.startswith("invalid"):
        report.status = CORRUPT
        report.reason = (f"corrupt: flags {report.flags} are not PEP 552's, so Python compiles again "
                         "and overwrites it (_classify_pyc: invalid flags)")
        return report
    rewrite = " and rewrite it (unless PYTHONDONTWRITEBYTECODE is set)"
    assert source_bytes is not None and source.mtime_ns is not None and source.size is not None
    if flags & 0b01:
        checking = _imp.check_hash_based_pycs
        check = checking != "never" and (flags & 0b10 or checking == "always")
        actual = importlib.util.source_hash(source_bytes).hex()
        if not check:
            report.status = UNCHECKED
            same = "matches" if actual == report.recorded["hash"] else "no longer matches"
            report.reason = (f"unchecked: an unchecked-hash .pyc (PEP 552) is used without looking at "
                             f"the source (its hash {same}: recorded {report.recorded['hash']}, "
                             f"source {actual})")
            return report
        if actual != report.recorded["hash"]:
            report.status = STALE
            report.reason = (f"stale: the source's hash is {actual}, the cache records "
                             f"{report.recorded['hash']} (_validate_hash_pyc), so Python will compile "
                             f"again{rewrite}")
            return report
        status_reason = (f"the source's hash {actual} equals the recorded one (_validate_hash_pyc; "
                         "its mtime does not matter)")
    else:
        mtime = (source.mtime_ns // 10**9) & 0xFFFFFFFF
        if report.recorded["mtime"] != mtime:
            report.status = STALE
            report.reason = (f"stale: the source was modified at {_clock(mtime)}, the cache records "
                             f"{_clock(report.recorded['mtime'])} (_validate_timestamp_pyc compares "
                             f"whole seconds), so Python will compile again{rewrite}")
            return report
        if report.recorded["size"] != source.size & 0xFFFFFFFF:
            report.status = STALE
            report.reason = (f"stale: the source is {source.size} bytes, the cache records "
                             f"{report.recorded['size']} (_validate_timestamp_pyc), so Python will "
                             f"compile again{rewrite}")
            return report
        status_reason = (f"the source's mtime {_clock(mtime)} (whole seconds) and size {source.size} "
                         "equal the recorded ones (_validate_timestamp_pyc)")
    problem = _body_problem(data)
    if problem:
        report.status = CORRUPT
        report.reason = (f"corrupt: the header passes, but the body {problem}; Python does not "
                         "recompile then: the import fails")
        return report
    report.status = FRESH
    report.reason = f"fresh: {status_reason}, so Python will use it without compiling"
    return report


def _body_problem(data: bytes) -> Optional[str]:
    """Why a current-magic .pyc's body cannot be loaded (marshal builds values, never runs them)."""
    try:
        code = marshal.loads(memoryview(data)[PYC_HEADER_SIZE:])
    except (EOFError, ValueError, TypeError) as error:
        return f"does not unmarshal ({error})"
    if not isinstance(code, type(explain_pyc.__code__)):
        return f"holds a {type(code).__name__}, not a code object"
    return None


# --- bytelens ------------------------------------------------------------------------------------


def read_blc_header(report: CacheReport, data: bytes) -> bool:
    """Fill in the header fields of a .blc; whether the fixed part was whole."""
    if len(data) < _BLC_FIELDS.size:
        report.magic = data[4:8][::-1].hex() or None if data[:4] == store.SIGNATURE else None
        return False
    signature, magic, flags, mtime_ns, size, hashed, _ = _BLC_FIELDS.unpack_from(data)
    if signature != store.SIGNATURE:
        return False
    report.magic = f"{magic:08x}"
    report.belongs_to = ("this bytelens" if magic == store.magic_number()
                         else "another bytelens (another version, or other vm/ sources)")
    report.flags = ("invalid (0x2)" if flags == store.FLAG_CHECK_SOURCE else _flags_name(flags))
    hash_based = flags & store.FLAG_HASH_BASED
    report.recorded = {"mtime_ns": None if hash_based else mtime_ns, "size": size,
                       "hash": hashed.hex() if hash_based else None}
    return True


def explain_blc(blc_path: str, source: SourceFacts, source_bytes: Optional[bytes]) -> CacheReport:
    """What bytelens's importer (``store.compile_file``) will do with ``blc_path`` for this source."""
    report = CacheReport("bytelens", blc_path, os.path.lexists(blc_path))
    data, problem = _read_file(blc_path)
    if problem is not None:
        report.status = UNREADABLE
        report.reason = (f"unreadable: {blc_path} cannot be read ({problem}), so bytelens compiles the "
                         "source in memory at every run")
        return report
    if data is None:
        report.status = MISSING
        report.reason = ("missing: there is no .blc, so `bytelens run` (or `bytelens compile`) compiles "
                         "the source and writes one" if source.exists
                         else "missing: there is neither a source nor a .blc")
        return report
    whole = read_blc_header(report, data)
    if not source.exists:
        report.status = ORPHANED
        report.reason = "orphaned: the source is gone, and bytelens never loads a .blc without it"
        return report
    try:
        header, _ = store.decode(data)
    except store.ForeignCacheError as error:
        report.status = FOREIGN
        report.reason = (f"foreign: {error}" + ("" if whole else f" ({len(data)} bytes)") +
                         ", so bytelens compiles again and overwrites it")
        return report
    except store.CorruptCacheError as error:
        report.status = CORRUPT
        report.reason = f"corrupt: {error}, so bytelens compiles again and overwrites it"
        return report
    assert source_bytes is not None and source.mtime_ns is not None
    info = os.stat(source.path)
    mode = header.mode
    if mode is store.InvalidationMode.UNCHECKED_HASH:
        actual = store.source_hash(source_bytes).hex()
        same = "matches" if actual == header.source_hash.hex() else "no longer matches"
        report.status = UNCHECKED
        report.reason = (f"unchecked: an unchecked-hash .blc is used without looking at the source "
                         f"(its hash {same}: recorded {header.source_hash.hex()}, source {actual})")
        return report
    fresh = store.is_fresh(header, source_bytes, info)
    if mode is store.InvalidationMode.TIMESTAMP:
        compared = (f"the source's mtime is {source.mtime_ns} ns and size {source.size}, the cache "
                    f"records {header.mtime_ns} ns and {header.size} (nanoseconds, not whole seconds)")
    else:
        compared = (f"the source's size and BLAKE2b hash are {len(source_bytes)} and "
                    f"{store.source_hash(source_bytes).hex()}, the cache records {header.size} and "
                    f"{header.source_hash.hex()}")
    if fresh:
        report.status = FRESH
        report.reason = f"fresh: {compared}, so bytelens will use it without compiling"
    else:
        report.status = STALE
        report.reason = f"stale: {compared}, so bytelens will compile again and rewrite it"
    return report


# --- the whole source ------------------------------------------------------------------------------


def explain_source(source_path: str) -> Explanation:
    """Both cache files of ``source_path`` with their verdicts (never raises for bad files)."""
    source_path = os.fspath(source_path)
    source, data = _source_facts(source_path)
    try:
        pyc = importlib.util.cache_from_source(source_path)
    except (NotImplementedError, ValueError):
        pyc = os.path.join(os.path.dirname(source_path), "__pycache__", "(no cache tag)")
    return Explanation(source, explain_pyc(pyc, source, data),
                       explain_blc(store.cache_path(source_path), source, data))


def _recorded_text(report: CacheReport) -> str:
    recorded = report.recorded
    if recorded.get("hash"):
        size = f", size {recorded['size']}" if recorded.get("size") is not None else ""
        return f"source hash {recorded['hash']}{size}"
    if recorded.get("mtime") is not None:
        return f"source mtime {recorded['mtime']} ({_clock(recorded['mtime'])}), size {recorded['size']}"
    if recorded.get("mtime_ns") is not None:
        return (f"source mtime {recorded['mtime_ns']} ns ({_clock(recorded['mtime_ns'] / 1e9)}), "
                f"size {recorded['size']}")
    return "nothing readable"


def format_report(report: CacheReport, title: str) -> str:
    lines = [f"{title}: {report.path}", f"  exists:     {'yes' if report.exists else 'no'}"]
    if report.magic is not None:
        lines.append(f"  magic:      {report.magic} ({report.belongs_to or 'unknown'})")
    if report.flags is not None:
        lines.append(f"  flags:      {report.flags}")
        lines.append(f"  recorded:   {_recorded_text(report)}")
    lines.append(f"  verdict:    {report.status}")
    lines.append(f"  why:        {report.reason}")
    return "\n".join(lines) + "\n"


def format_explanation(explanation: Explanation) -> str:
    """The page ``bytelens cache FILE.py`` prints and the editors show."""
    source = explanation.source
    lines = [f"source: {source.path}"]
    if source.exists:
        lines.append(f"  mtime:      {source.mtime_ns} ns ({_clock(source.mtime_ns / 1e9)})")
        lines.append(f"  size:       {source.size} bytes")
        lines.append(f"  hash:       {source.hash['cpython']} (CPython's), "
                     f"{source.hash['bytelens']} (bytelens's)")
    else:
        lines.append("  exists:     no")
    return "\n".join([*lines, "", format_report(explanation.cpython, "CPython's .pyc"),
                      format_report(explanation.bytelens, "bytelens's .blc")])


# --- one cache file on its own ---------------------------------------------------------------------


def describe_cache_file(path: str) -> tuple[str, bool]:
    """The page of ``bytelens cache FILE.pyc|FILE.blc``: the header, then the code disassembled.

    Returns the text and whether the file could be read as what its name says.
    """
    path = os.fspath(path)
    data, problem = _read_file(path)
    if problem is not None or data is None:
        return f"{path}: unreadable: {problem or 'no such file'}\n", False
    if path.endswith(store.SUFFIX):
        return _describe_blc(path, data)
    return _describe_pyc(path, data)


def _describe_pyc(path: str, data: bytes) -> tuple[str, bool]:
    report = CacheReport("cpython", path, True)
    flags = read_pyc_header(report, data)
    head = format_report(report, "CPython's .pyc").split("\n  verdict")[0] + "\n"
    if data[:4] != importlib.util.MAGIC_NUMBER:
        belongs = report.belongs_to or "no Python (these bytes are not a magic number)"
        return head + (f"  This file belongs to {belongs}; it is not unmarshalled here (marshal's "
                       "format is that Python's own).\n"), report.belongs_to is not None
    if flags is None or report.flags.startswith("invalid"):
        return head + "  corrupt: the header is not whole or its flags are invalid.\n", False
    problem = _body_problem(data)
    if problem:
        return head + f"  corrupt: the body {problem}.\n", False
    out = io.StringIO()
    dis.dis(marshal.loads(memoryview(data)[PYC_HEADER_SIZE:]), file=out)
    return head + "\n" + out.getvalue(), True


def _describe_blc(path: str, data: bytes) -> tuple[str, bool]:
    report = CacheReport("bytelens", path, True)
    read_blc_header(report, data)
    head = format_report(report, "bytelens's .blc").split("\n  verdict")[0] + "\n"
    try:
        _, code = store.decode(data)
    except store.CacheError as error:
        kind = "foreign" if isinstance(error, store.ForeignCacheError) else "corrupt"
        return head + f"  {kind}: {error}; the body is not decoded.\n", False
    return head + "\n" + format_disassembly(code), True
