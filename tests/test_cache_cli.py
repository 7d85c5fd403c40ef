"""``bytelens cache``: the text and JSON pages, a .pyc or .blc read on its own, bad input."""

from __future__ import annotations

import dis
import importlib.util
import io
import json
import marshal
import os
import py_compile
from pathlib import Path

from conftest import run_bytelens

from bytelens.vm.cache import store
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.isa.disassembler import format_disassembly

SOURCE = "x = 1\ndef f():\n    return x + 1\n"


def make(tmp_path: Path) -> Path:
    source = tmp_path / "mod.py"
    source.write_text(SOURCE)
    return source


def test_json_has_the_issues_keys(tmp_path: Path) -> None:
    source = make(tmp_path)
    py_compile.compile(str(source), doraise=True)
    result = run_bytelens("cache", str(source), "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["source", "cpython", "bytelens"]
    assert {"path", "mtime_ns", "size"} <= set(data["source"])
    assert data["source"]["mtime_ns"] == source.stat().st_mtime_ns
    for kind in ("cpython", "bytelens"):
        assert {"path", "exists", "magic", "belongs_to", "flags", "recorded", "status", "reason"} <= set(data[kind])
    assert data["cpython"]["path"] == importlib.util.cache_from_source(str(source))
    assert data["cpython"]["status"] == "fresh" and data["bytelens"]["status"] == "missing"
    assert data["cpython"]["magic"] == importlib.util.MAGIC_NUMBER.hex()


def test_text_page_names_both_files_and_verdicts(tmp_path: Path) -> None:
    source = make(tmp_path)
    result = run_bytelens("cache", str(source))
    assert result.returncode == 0
    assert importlib.util.cache_from_source(str(source)) in result.stdout
    assert store.cache_path(str(source)) in result.stdout
    assert result.stdout.count("verdict:    missing") == 2


def test_pyc_of_this_python_is_disassembled_by_dis(tmp_path: Path) -> None:
    source = make(tmp_path)
    pyc = py_compile.compile(str(source), doraise=True)
    result = run_bytelens("cache", pyc)
    assert result.returncode == 0, result.stderr
    expected = io.StringIO()
    dis.dis(marshal.loads(Path(pyc).read_bytes()[16:]), file=expected)
    # dis prints addresses of nested code objects: compare without them
    strip = lambda text: [line.split(" at 0x")[0] for line in text.splitlines()]
    assert strip(expected.getvalue()) == strip(result.stdout.split("\n\n", 1)[1])
    assert "flags:      timestamp" in result.stdout


def test_pyc_of_another_python_shows_only_its_header(tmp_path: Path) -> None:
    source = make(tmp_path)
    pyc = Path(py_compile.compile(str(source), doraise=True))
    # a body marshal would choke on: it must never be read
    pyc.write_bytes((3439).to_bytes(2, "little") + b"\r\n" + pyc.read_bytes()[4:16] + b"\xff" * 8)
    result = run_bytelens("cache", str(pyc))
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "belongs to Python 3.10" in result.stdout and "RESUME" not in result.stdout


def test_blc_is_disassembled_by_bytelens(tmp_path: Path) -> None:
    source = make(tmp_path)
    store.compile_file(str(source))
    result = run_bytelens("cache", store.cache_path(str(source)))
    assert result.returncode == 0, result.stderr
    code = compile_source(SOURCE.encode(), str(source))
    assert format_disassembly(code) in result.stdout
    assert "this bytelens" in result.stdout


def test_bad_input_never_gives_a_traceback(tmp_path: Path) -> None:
    source = make(tmp_path)
    folder = tmp_path / "__pycache__"
    folder.mkdir()
    cases = {"empty.pyc": b"", "random.pyc": bytes(range(100)), "short.blc": b"BLC\0\1",
             "random.blc": bytes(range(200))}
    for name, content in cases.items():
        (folder / name).write_bytes(content)
    (folder / "dir.pyc").mkdir()
    for name in [*cases, "dir.pyc", "absent.pyc"]:
        result = run_bytelens("cache", str(folder / name))
        assert result.returncode == 1 and "Traceback" not in result.stderr, (name, result.stderr)
    source.unlink()
    result = run_bytelens("cache", str(source), "--format", "json")
    assert result.returncode == 1 and json.loads(result.stdout)["source"]["exists"] is False
