"""Cache files: the serialised form of code objects, the header, freshness, damage, atomic writes."""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_bytelens
from handmade import assemble, first_difference

from bytelens.vm.cache import store as cache
from bytelens.vm.cache import serialize
from bytelens.vm.cache.store import (
    CorruptCacheError,
    ForeignCacheError,
    InvalidationMode,
    cache_path,
    compile_file,
    load_cache,
    read_cache,
    write_cache,
)
from bytelens.vm.isa.code import CO_NEWLOCALS, CO_OPTIMIZED, Code

EVERY_CONSTANT = (
    None, True, False, Ellipsis, 0, 1, -1, 255, 256, -129, 2 ** 63, -(2 ** 63) - 1, 7 ** 2000, -(7 ** 2000),
    0.0, -0.0, 1.5, -2.25e-310, float("inf"), float("-inf"), float("nan"), 1e308,
    0j, complex(-0.0, 0.0), complex(1.5, float("nan")), complex(float("inf"), -0.0),
    "", "plain", "héllo wörld", "\U0001f600 emoji", "lone \ud800 surrogate", "\udfff", "nul \0 byte",
    b"", b"\x00\xff bytes", (), (1,), (1, ("nested", (2.5, None))), frozenset(),
    frozenset({"b", "a", 3, (1, 2)}), frozenset({frozenset({1}), frozenset()}),
)


def nested_code():
    inner = assemble([("LOAD_DEREF", 0, (3, 15, 3, 16)), ("RETURN_VALUE", 0, (3, 8, 3, 16))],
                     name="inner", qualname="outer.<locals>.inner", firstlineno=2, freevars=("x",),
                     flags=CO_OPTIMIZED | CO_NEWLOCALS)
    outer = assemble([("LOAD_CLOSURE", 0), ("BUILD_TUPLE", 1), ("LOAD_CONST", 1), ("LOAD_CONST", 2),
                      ("MAKE_FUNCTION", 8), ("RETURN_VALUE", 0, (4, 4, 4, 16))],
                     name="outer", firstlineno=1, varnames=("x",), cellvars=("x",), argcount=1,
                     consts=(None, inner, "outer.<locals>.inner"), flags=CO_OPTIMIZED | CO_NEWLOCALS)
    outer = outer.replace(cell2arg=(0,), positions=((1, 0, 1, None),) + outer.positions[1:])
    module = assemble([("LOAD_CONST", i) for i in range(len(EVERY_CONSTANT) + 1)] + ["RETURN_VALUE"],
                      name="<module>", consts=EVERY_CONSTANT + (outer,), names=("a", "b"), stacksize=99,
                      blockdepth=3, filename="/some/where/m.py")
    return module.replace(positions=((None, None, None, None),) + module.positions[1:])


# --- the serialised form -------------------------------------------------------------------------


def test_every_constant_and_field_round_trips():
    code = nested_code()
    back = serialize.loads(serialize.dumps(code))
    assert first_difference(code, back) is None
    # The comparison itself must see what matters: bits of floats, types, nesting.
    negative_zero, nan = (next(i for i, c in enumerate(EVERY_CONSTANT) if repr(c) == text)
                          for text in ("-0.0", "nan"))
    assert math.copysign(1, back.consts[negative_zero]) == -1 and math.isnan(back.consts[nan])
    assert back.consts[-1].consts[1].freevars == ("x",) and back.consts[-1].cell2arg == (0,)
    consts = list(code.consts)
    consts[negative_zero] = 0.0
    assert first_difference(code, code.replace(consts=tuple(consts)))
    assert first_difference(code, code.replace(consts=(1.0,) + code.consts[1:])) is not None  # 0 vs 0.0
    assert first_difference(code, code.replace(positions=((None, 0, None, None),) + code.positions[1:]))


@pytest.mark.parametrize("value", [[1], {"a": 1}, int, range(3), slice(1, 2), type("F", (float,), {})(1.0)])
def test_values_a_code_object_cannot_hold_are_refused(value):
    with pytest.raises(serialize.UnsupportedConstant):
        serialize.dumps(assemble(["NOP"], consts=(value,)))


def test_the_same_code_always_gives_the_same_bytes():
    script = ("import sys; sys.path[:0] = ['tests']; from test_cache import nested_code; "
              "from bytelens.vm.cache import serialize; print(serialize.dumps(nested_code()).hex())")
    outputs = {subprocess.run([sys.executable, "-c", script], env={**os.environ, "PYTHONHASHSEED": seed},
                              capture_output=True, text=True, check=True,
                              cwd=Path(__file__).parent.parent).stdout
               for seed in ("1", "2")}
    assert len(outputs) == 1 and len(outputs.pop()) > 100


def test_repeated_strings_are_stored_once():
    def size(filename):
        functions = tuple(assemble(["NOP"], name=f"f{i}", filename=filename) for i in range(50))
        return len(serialize.dumps(assemble(["NOP"], consts=functions, filename=filename)))

    long_name = "/a/rather/long/path/to/a/module/that/every/code/object/names.py"
    assert size(long_name) - size("m") == len(long_name) - 1


def test_every_truncation_and_every_damaged_byte_is_refused_cleanly():
    data = serialize.dumps(assemble([("LOAD_CONST", 0), ("LOAD_CONST", 1), "RETURN_VALUE"],
                                    consts=(2 ** 70, ("t", 1.5)), names=("n",)))
    for size in range(len(data)):
        with pytest.raises(serialize.FormatError):
            serialize.loads(data[:size])
    with pytest.raises(serialize.FormatError):
        serialize.loads(data + b"N")
    for index in range(len(data)):
        for byte in (0x00, 0x7F, 0xFF, data[index] ^ 0x01):
            damaged = data[:index] + bytes([byte]) + data[index + 1:]
            try:
                serialize.loads(damaged)
            except serialize.FormatError:
                pass


def test_hostile_nesting_and_lengths_are_refused():
    with pytest.raises(serialize.FormatError):
        serialize.loads(b"s" + b"(\x01" * 100_000 + b"N")  # a name that is a deeply nested tuple
    with pytest.raises(serialize.FormatError):
        serialize.loads(b"s\xff\xff\xff\xff\x0f")  # a string longer than the data
    with pytest.raises(serialize.FormatError):
        serialize.loads(b"i")


def test_a_field_of_the_wrong_type_is_refused():
    code = assemble(["NOP"], names=("ok",))
    data = serialize.dumps(code)
    assert serialize.loads(data).names == ("ok",)
    with pytest.raises(serialize.FormatError, match="names"):
        serialize.loads(data.replace(b"(\x01s\x02ok", b"(\x01i\x01\x05"))


# --- cache files ---------------------------------------------------------------------------------


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "mod.py"
    path.write_text("x = 1\n")
    return path


def cached(source_path, code=None, **options):
    write_cache(str(source_path), code or assemble(["NOP"], filename=str(source_path)), **options)
    return Path(cache_path(str(source_path)))


def test_cache_path_never_collides_with_cpython():
    ours = cache_path("pkg/mod.py")
    assert ours == os.path.join("pkg", "__pycache__", f"mod.{cache.CACHE_TAG}.blc")
    assert ours != importlib.util.cache_from_source("pkg/mod.py") and not ours.endswith(".pyc")
    assert cache_path("script") == os.path.join("__pycache__", f"script.{cache.CACHE_TAG}.blc")
    assert cache.CACHE_TAG == "bytelens-01-py{}{}".format(*sys.version_info[:2])


def test_cache_path_follows_pycache_prefix(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "pycache_prefix", str(tmp_path / "prefix"))
    path = cache_path("/src/pkg/mod.py")
    assert path == str(tmp_path / "prefix" / "src" / "pkg" / f"mod.{cache.CACHE_TAG}.blc")


def test_written_file_holds_header_and_code(source):
    code = nested_code()
    path = cached(source, code)
    header, back = read_cache(str(path))
    stat = source.stat()
    assert (header.magic, header.mode, header.mtime_ns, header.size) == (
        cache.magic_number(), InvalidationMode.TIMESTAMP, stat.st_mtime_ns, stat.st_size)
    assert first_difference(code, back) is None
    assert path.read_bytes()[:4] == b"BLC\0" and len(path.read_bytes()) == cache.HEADER_SIZE + len(
        serialize.dumps(code))


def test_fresh_file_is_used_and_takes_the_path_it_is_loaded_by(source, monkeypatch):
    cached(source, assemble(["NOP"], filename="elsewhere.py", consts=(assemble(["NOP"], filename="x"),)))
    loaded = load_cache(str(source))
    assert loaded is not None and loaded.filename == str(source) and loaded.consts[0].filename == str(source)
    monkeypatch.chdir(source.parent)
    assert load_cache("mod.py").filename == "mod.py"


def test_stale_mtime_or_size_is_not_used(source):
    cached(source)
    stat = source.stat()
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert load_cache(str(source)) is None
    cached(source)
    assert load_cache(str(source)) is not None
    with open(source, "a") as stream:  # same mtime, another size
        stream.write("y = 2\n")
    os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert load_cache(str(source)) is None


def test_hash_modes(source):
    cached(source, invalidation_mode=InvalidationMode.CHECKED_HASH)
    os.utime(source, ns=(0, 12345))  # touched, not changed: still fresh
    assert load_cache(str(source)) is not None
    source.write_text("x = 2\n")  # same size, other bytes
    assert load_cache(str(source)) is None
    cached(source, invalidation_mode=InvalidationMode.UNCHECKED_HASH)
    source.write_text("x = 3\n")
    assert load_cache(str(source)) is not None  # never checked: trusted as distributed


def test_source_date_epoch_selects_checked_hashes(source, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    header, _ = read_cache(str(cached(source)))
    assert header.mode is InvalidationMode.CHECKED_HASH and header.mtime_ns == 0


def test_foreign_files_are_recognised(source):
    path = cached(source)
    data = path.read_bytes()
    pyc = importlib.util.MAGIC_NUMBER + bytes(12) + b"\xe3" + bytes(80)
    for foreign in (pyc, b"#!/bin/sh\n", b"\x00" * 200):
        with pytest.raises(ForeignCacheError):
            cache.decode(foreign)
    # Another bytelens (another magic), with a checksum that holds: foreign, not corrupt.
    other = cache.encode(assemble(["NOP"]), cache.CacheHeader(cache.magic_number() ^ 1, 0, 0, 0, bytes(16)))
    with pytest.raises(ForeignCacheError, match="magic"):
        cache.decode(other)
    path.write_bytes(other)
    assert load_cache(str(source)) is None
    assert cache.decode(data)[1] is not None


def test_every_truncation_and_flipped_byte_is_corrupt_never_trusted(source):
    data = cached(source, nested_code()).read_bytes()
    for size in list(range(0, cache.HEADER_SIZE + 8)) + list(range(cache.HEADER_SIZE + 8, len(data), 7)):
        with pytest.raises(CorruptCacheError):
            cache.decode(data[:size])
    for index in range(0, len(data), 3):
        damaged = data[:index] + bytes([data[index] ^ 0x40]) + data[index + 1:]
        with pytest.raises((CorruptCacheError, ForeignCacheError)):
            cache.decode(damaged)


def test_magic_follows_the_compiler_sources(tmp_path):
    package = Path(cache.__file__).parent.parent  # the whole vm package, every layer of it
    copy = tmp_path / "vm"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert cache.compute_magic(copy) == cache.compute_magic(package) == cache.magic_number()
    pipeline = copy / "compiler" / "pipeline.py"  # a module in a subpackage counts too
    pipeline.write_text(pipeline.read_text() + "\n# changed\n")
    assert cache.compute_magic(copy) != cache.magic_number()


def test_writes_are_atomic(source, monkeypatch):
    path = cached(source, assemble(["NOP"], consts=("old",)))
    old = path.read_bytes()
    reader = open(path, "rb")
    try:
        cached(source, assemble(["NOP"], consts=("new",)))
        assert reader.read() == old  # a reader of the old file still sees all of it
    finally:
        reader.close()
    assert load_cache(str(source)).consts == ("new",)

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        cached(source, assemble(["NOP"], consts=("newer",)))
    assert load_cache(str(source)).consts == ("new",)
    assert os.listdir(path.parent) == [path.name]  # no temporary file left behind


def test_cache_file_takes_the_source_permissions(source):
    source.chmod(0o444)
    assert cached(source).stat().st_mode & 0o777 == 0o644
    source.chmod(0o640)
    assert cached(source).stat().st_mode & 0o777 == 0o640


# --- compile_file with the real compiler ---------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def compilations(monkeypatch):
    """The paths compile_file really compiled (the real compiler, observed where the cache calls it)."""
    seen = []
    real = cache.compile_source

    def observed(source, filename, *args, **kwargs):
        seen.append(filename)
        return real(source, filename, *args, **kwargs)

    monkeypatch.setattr(cache, "compile_source", observed)
    return seen


def test_compile_file_writes_then_reuses_the_cache(source, compilations):
    first = compile_file(str(source))
    assert Path(cache_path(str(source))).exists()
    second = compile_file(str(source))
    assert compilations == [str(source)]
    assert first_difference(first, second) is None


def test_stale_cache_is_recompiled_and_rewritten(source, compilations):
    compile_file(str(source))
    source.write_text("x = 'changed'\n")
    code = compile_file(str(source))
    assert "changed" in code.consts and len(compilations) == 2
    assert "changed" in load_cache(str(source)).consts


@pytest.mark.parametrize("damage", ["foreign", "other-version", "truncated", "flipped", "empty"])
def test_damaged_or_foreign_cache_is_recompiled_and_rewritten(source, compilations, damage):
    compile_file(str(source))
    path = Path(cache_path(str(source)))
    data = path.read_bytes()
    path.write_bytes({
        "foreign": importlib.util.MAGIC_NUMBER + data[4:],
        "other-version": cache.encode(assemble(["NOP"], consts=("evil",)),
                                      cache.CacheHeader(cache.magic_number() + 1, 0, 0, 0, bytes(16))),
        "truncated": data[:-5],
        "flipped": data[:-1] + bytes([data[-1] ^ 1]),
        "empty": b"",
    }[damage])
    code = compile_file(str(source))
    assert len(compilations) == 2 and "evil" not in code.consts and 1 in code.consts
    header, reread = read_cache(str(path))
    assert header.magic == cache.magic_number() and first_difference(code, reread) is None


def test_code_that_does_not_compile_writes_no_cache(tmp_path):
    from bytelens.vm import CompileError

    bad = tmp_path / "bad.py"
    bad.write_text("def f(:\n")
    with pytest.raises(CompileError):
        compile_file(str(bad))
    assert not Path(cache_path(str(bad))).exists()


def test_an_unwritable_cache_folder_is_not_an_error(source, compilations):
    (source.parent / "__pycache__").write_text("a file where the folder should be")
    assert compile_file(str(source)).consts  # compiled in memory
    assert compile_file(str(source)).consts and len(compilations) == 2
    with pytest.raises(OSError):
        compile_file(str(source), raise_write_errors=True)
    assert compile_file(str(source), write_cache=False) and len(compilations) == 4


PROGRAMS = [path for path in sorted(GOLDEN.glob("*.py")) if path.name != "conftest.py"]


@pytest.mark.parametrize("program", PROGRAMS + [Path(__file__).parent.parent / "examples" / "fib.py"],
                         ids=lambda path: path.stem)
def test_real_programs_round_trip_through_their_cache_files(program, tmp_path):
    copy = tmp_path / program.name
    shutil.copy(program, copy)
    compiled = compile_file(str(copy))
    loaded = load_cache(str(copy))
    assert first_difference(compiled, loaded) is None


def test_stdlib_modules_round_trip(tmp_path):
    import _pydecimal
    import typing

    from bytelens.vm import compile_source

    for module in (typing, _pydecimal):
        code = compile_source(Path(module.__file__).read_bytes(), module.__file__)
        assert first_difference(code, serialize.loads(serialize.dumps(code))) is None


def test_bytelens_compile_end_to_end(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "a.py").write_text("A = 1\n")
    (tmp_path / "pkg" / "sub" / "b.py").write_text("def b():\n    return 2\n")
    (tmp_path / "pkg" / "broken.py").write_text("return 3\n")
    result = run_bytelens("compile", "pkg", cwd=tmp_path)
    assert result.returncode == 1
    assert "SyntaxError: 'return' outside function" in result.stderr and "broken.py" in result.stderr
    assert result.stdout == ""
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.blc"))
    assert written == [os.path.join("pkg", "__pycache__", f"a.{cache.CACHE_TAG}.blc"),
                       os.path.join("pkg", "sub", "__pycache__", f"b.{cache.CACHE_TAG}.blc")]
    loaded = load_cache(str(tmp_path / "pkg" / "sub" / "b.py"))
    assert [c.name for c in loaded.consts if isinstance(c, Code)] == ["b"]
    assert not list(tmp_path.rglob("*.pyc"))  # nothing of CPython's
    (tmp_path / "pkg" / "broken.py").unlink()
    assert run_bytelens("compile", "pkg", cwd=tmp_path).returncode == 0
    missing = run_bytelens("compile", "nowhere.py", cwd=tmp_path)
    assert missing.returncode == 1 and "nowhere.py" in missing.stderr and "Traceback" not in missing.stderr


@pytest.mark.parametrize("positions", [
    ((70000, 0, 70001, 5),),  # a line past 65534: the wide table
    ((1, None, None, None),),  # missing parts in the narrow table
    ((None, 3, 2**32 - 2, None),),  # both at once in the wide table
])
def test_position_tables_narrow_and_wide(positions):
    code = assemble(["NOP"]).replace(positions=positions)
    assert serialize.loads(serialize.dumps(code)).positions == positions


@pytest.mark.parametrize("bad", [(-1, 0, 1, 0), (1, 2, 3), (2**32 - 1, 0, 0, 0), (1.5, 0, 1, 0)])
def test_impossible_positions_are_refused(bad):
    with pytest.raises(ValueError):
        serialize.dumps(assemble(["NOP"]).replace(positions=(bad,)))


def test_concurrent_writers_leave_one_whole_file(source):
    from concurrent.futures import ThreadPoolExecutor

    codes = [assemble(["NOP"], consts=(f"writer {i}",)) for i in range(16)]
    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda code: write_cache(str(source), code), codes))
    assert len(set(paths)) == 1
    header, code = read_cache(paths[0])  # whole: one writer's file, never a mix
    assert code.consts[0].startswith("writer ")
    assert os.listdir(Path(paths[0]).parent) == [Path(paths[0]).name]


def test_a_folder_where_the_cache_file_should_be_is_not_an_error(source, compilations):
    Path(cache_path(str(source))).mkdir(parents=True)
    assert compile_file(str(source)).consts and compile_file(str(source)).consts
    assert len(compilations) == 2
