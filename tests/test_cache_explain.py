"""vm/cache/explain.py against the real importers: each verdict is checked against what CPython's
importer (a subprocess importing the module) or ``bytelens run`` then actually does with the file.

"Used" verdicts (fresh, unchecked) must leave the cache file untouched; "recompile" verdicts (stale,
foreign, corrupt header) must see it rewritten; a corrupt body of the running Python's magic makes the
import fail; an orphaned .pyc is never imported.
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
import subprocess
import sys
from pathlib import Path

import pytest

from bytelens.vm.cache import explain, store

SOURCE = "x = 1\ndef f():\n    return x + 1\n"
#: The subprocesses must be allowed to write bytecode (this machine sets PYTHONDONTWRITEBYTECODE).
ENV = {k: v for k, v in os.environ.items()
       if k not in ("PYTHONDONTWRITEBYTECODE", "SOURCE_DATE_EPOCH", "PYTHONPYCACHEPREFIX")}


@pytest.fixture
def module(tmp_path: Path) -> Path:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    os.utime(source, ns=(1_700_000_000_123_456_789, 1_700_000_000_123_456_789))
    (tmp_path / "main.py").write_text("import mod\nprint(mod.f())\n")
    return source


def pyc_of(source: Path) -> Path:
    return Path(importlib.util.cache_from_source(str(source)))


def fingerprint(path: Path) -> tuple:
    """What changes when a cache file is rewritten (both importers replace the file)."""
    info = path.stat()
    return info.st_ino, info.st_mtime_ns, path.read_bytes()


def cpython_import(source: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "import mod; print(mod.f())"], cwd=source.parent,
                          env=ENV, capture_output=True, text=True, timeout=60)


def cpython_rewrites(source: Path) -> bool:
    """Import the module in a fresh CPython; whether that rewrote the .pyc (the import must work)."""
    before = fingerprint(pyc_of(source))
    result = cpython_import(source)
    assert result.returncode == 0, result.stderr
    return fingerprint(pyc_of(source)) != before


def compile_pyc(source: Path, mode: py_compile.PycInvalidationMode) -> None:
    py_compile.compile(str(source), cfile=str(pyc_of(source)), invalidation_mode=mode, doraise=True)


def edit_keeping_size_and_mtime(source: Path) -> None:
    info = source.stat()
    source.write_text(SOURCE.replace("x + 1", "x + 2"))
    os.utime(source, ns=(info.st_atime_ns, info.st_mtime_ns))


def verdict(source: Path, kind: str = "cpython") -> explain.CacheReport:
    return getattr(explain.explain_source(str(source)), kind)


# --- CPython's .pyc --------------------------------------------------------------------------------


TS, CHECKED, UNCHECKED = (py_compile.PycInvalidationMode.TIMESTAMP, py_compile.PycInvalidationMode.CHECKED_HASH,
                          py_compile.PycInvalidationMode.UNCHECKED_HASH)


@pytest.mark.parametrize("mode, change, status, rewritten", [
    (TS, None, "fresh", False),
    (TS, "touch", "stale", True),
    (TS, "same size, same second", "fresh", False),  # CPython really uses the old code then
    (TS, "size", "stale", True),
    (CHECKED, None, "fresh", False),
    (CHECKED, "touch", "fresh", False),
    (CHECKED, "same size, same second", "stale", True),
    (UNCHECKED, None, "unchecked", False),
    (UNCHECKED, "size", "unchecked", False),
])
def test_pyc_verdict_is_what_cpython_does(module: Path, mode, change, status, rewritten) -> None:
    compile_pyc(module, mode)
    if change == "touch":
        os.utime(module, ns=(1_700_000_100_000_000_000,) * 2)
    elif change == "same size, same second":
        edit_keeping_size_and_mtime(module)
    elif change == "size":
        info = module.stat()
        module.write_text(SOURCE + "y = 2\n")
        os.utime(module, ns=(info.st_atime_ns, info.st_mtime_ns))
    report = verdict(module)
    assert report.status == status, report.reason
    assert report.reason.startswith(status + ": ")
    assert cpython_rewrites(module) is rewritten


def test_stale_reason_names_the_rule_and_both_times(module: Path) -> None:
    compile_pyc(module, TS)
    os.utime(module, ns=(1_700_000_100_000_000_000,) * 2)
    report = verdict(module)
    assert "_validate_timestamp_pyc" in report.reason
    assert explain._clock(1_700_000_100) in report.reason and explain._clock(1_700_000_000) in report.reason
    assert report.recorded == {"mtime": 1_700_000_000, "size": len(SOURCE), "hash": None}


def test_source_date_epoch_makes_py_compile_write_checked_hash(module: Path) -> None:
    env = {**ENV, "SOURCE_DATE_EPOCH": "1"}
    subprocess.run([sys.executable, "-m", "py_compile", str(module)], env=env, check=True)
    report = verdict(module)
    assert report.flags == "checked-hash" and report.recorded["hash"] == importlib.util.source_hash(
        module.read_bytes()).hex()
    os.utime(module, ns=(1_700_000_200_000_000_000,) * 2)
    assert verdict(module).status == "fresh"
    assert not cpython_rewrites(module)


def test_magic_of_python_3_10_is_foreign(module: Path) -> None:
    compile_pyc(module, TS)
    pyc = pyc_of(module)
    pyc.write_bytes((3439).to_bytes(2, "little") + b"\r\n" + pyc.read_bytes()[4:])
    report = verdict(module)
    assert (report.status, report.belongs_to) == ("foreign", "Python 3.10")
    assert "3439" in report.reason and "_classify_pyc" in report.reason
    assert cpython_rewrites(module)
    assert verdict(module).status == "fresh"


@pytest.mark.parametrize("content", [b"", b"\xa7\x0d", b"random bytes here, nothing like a pyc at all"])
def test_empty_truncated_or_random_pyc_is_corrupt_and_rewritten(module: Path, content: bytes) -> None:
    compile_pyc(module, TS)
    pyc_of(module).write_bytes(content)
    report = verdict(module)
    assert report.status == "corrupt", report.reason
    assert cpython_rewrites(module)


def test_truncated_header_of_this_python_is_corrupt(module: Path) -> None:
    compile_pyc(module, TS)
    pyc_of(module).write_bytes(pyc_of(module).read_bytes()[:10])
    assert verdict(module).status == "corrupt"
    assert cpython_rewrites(module)


def test_corrupt_body_makes_the_import_fail(module: Path) -> None:
    compile_pyc(module, TS)
    pyc_of(module).write_bytes(pyc_of(module).read_bytes()[:20])
    report = verdict(module)
    assert report.status == "corrupt" and "import fails" in report.reason
    assert cpython_import(module).returncode != 0


def test_directory_named_like_the_pyc_is_unreadable(module: Path) -> None:
    pyc_of(module).mkdir(parents=True)
    report = verdict(module)
    assert report.status == "unreadable" and report.exists
    assert cpython_import(module).returncode == 0  # compiled in memory, nothing written
    assert pyc_of(module).is_dir()


def test_fifo_named_like_the_pyc_is_unreadable_without_blocking(module: Path) -> None:
    pyc_of(module).parent.mkdir()
    os.mkfifo(pyc_of(module))
    assert verdict(module).status == "unreadable"


def test_source_deleted_leaves_an_orphan_cpython_does_not_import(module: Path) -> None:
    compile_pyc(module, TS)
    module.unlink()
    report = verdict(module)
    assert report.status == "orphaned" and report.flags == "timestamp"
    assert "ModuleNotFoundError" in cpython_import(module).stderr


def test_unwritten_module_is_missing_and_cpython_then_writes_it(module: Path) -> None:
    assert verdict(module).status == "missing"
    assert cpython_import(module).returncode == 0
    assert verdict(module).status == "fresh"


# --- bytelens's .blc through `bytelens run` --------------------------------------------------------


def bytelens_run(source: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "bytelens", "run", "main.py"], cwd=source.parent,
                            env=env or ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result


def bytelens_rewrites(source: Path) -> bool:
    blc = Path(store.cache_path(str(source)))
    before = fingerprint(blc)
    bytelens_run(source)
    return fingerprint(blc) != before


def test_blc_missing_then_written_then_fresh(module: Path) -> None:
    assert verdict(module, "bytelens").status == "missing"
    bytelens_run(module)
    report = verdict(module, "bytelens")
    assert report.status == "fresh" and report.belongs_to == "this bytelens"
    assert report.recorded["mtime_ns"] == 1_700_000_000_123_456_789
    assert not bytelens_rewrites(module)


def test_blc_sees_nanoseconds_where_the_pyc_sees_whole_seconds(module: Path) -> None:
    bytelens_run(module)
    compile_pyc(module, TS)
    os.utime(module, ns=(1_700_000_000_923_456_789,) * 2)  # same second
    assert verdict(module, "cpython").status == "fresh"
    assert not cpython_rewrites(module)
    assert verdict(module, "bytelens").status == "stale"
    assert bytelens_rewrites(module)


def test_blc_checked_hash_ignores_touch_and_sees_an_edit(module: Path) -> None:
    subprocess.run([sys.executable, "-m", "bytelens", "compile", str(module)],
                   env={**ENV, "SOURCE_DATE_EPOCH": "1"}, check=True)
    assert verdict(module, "bytelens").flags == "checked-hash"
    os.utime(module, ns=(1_700_000_300_000_000_000,) * 2)
    assert verdict(module, "bytelens").status == "fresh"
    assert not bytelens_rewrites(module)
    edit_keeping_size_and_mtime(module)
    assert verdict(module, "bytelens").status == "stale"
    assert bytelens_rewrites(module)


def test_blc_unchecked_hash_is_used_even_after_an_edit(module: Path) -> None:
    code = store.compile_file(str(module), write_cache=False)
    store.write_cache(str(module), code, invalidation_mode=store.InvalidationMode.UNCHECKED_HASH)
    module.write_text(SOURCE.replace("x + 1", "x + 41"))
    report = verdict(module, "bytelens")
    assert report.status == "unchecked" and "no longer matches" in report.reason
    blc = Path(store.cache_path(str(module)))
    before = fingerprint(blc)
    assert bytelens_run(module).stdout == "2\n"  # the old code ran
    assert fingerprint(blc) == before


@pytest.mark.parametrize("damage, status", [
    (lambda data: data[:30], "corrupt"),
    (lambda data: b"", "corrupt"),
    (lambda data: data[:4] + bytes(4) + data[8:], "corrupt"),  # the checksum covers the magic
    (lambda data: b"not a bytelens file at all, just some bytes to be long enough to read " * 2, "foreign"),
])
def test_damaged_blc_is_rewritten(module: Path, damage, status) -> None:
    bytelens_run(module)
    blc = Path(store.cache_path(str(module)))
    blc.write_bytes(damage(blc.read_bytes()))
    report = verdict(module, "bytelens")
    assert report.status == status, report.reason
    assert bytelens_rewrites(module)
    assert verdict(module, "bytelens").status == "fresh"


def test_blc_of_another_bytelens_is_foreign(module: Path) -> None:
    code = store.compile_file(str(module), write_cache=False)
    header = store.header_for(module.read_bytes(), module.stat(), store.InvalidationMode.TIMESTAMP)
    other = store.CacheHeader(header.magic ^ 1, header.flags, header.mtime_ns, header.size, header.source_hash)
    blc = Path(store.cache_path(str(module)))
    blc.parent.mkdir(exist_ok=True)
    blc.write_bytes(store.encode(code, other))
    report = verdict(module, "bytelens")
    assert report.status == "foreign" and report.belongs_to.startswith("another bytelens")
    assert bytelens_rewrites(module)


def test_blc_orphaned_when_source_deleted(module: Path) -> None:
    bytelens_run(module)
    module.unlink()
    assert verdict(module, "bytelens").status == "orphaned"


def test_explaining_never_writes_anything(module: Path) -> None:
    before = sorted(p.name for p in module.parent.rglob("*"))
    explain.explain_source(str(module))
    assert sorted(p.name for p in module.parent.rglob("*")) == before
