"""The ``bytelens.cache*`` results: a source's two cache files explained (or one cache file read),
the ``.blc`` written, its disassembly beside CPython's, and the state in a few words.

Plain functions over ``vm/cache/explain.py``; the page the editors show is formatted here, once, so
Neovim and VS Code show the same text and never re-derive a verdict. Nothing here runs user code:
writing and comparing only compile.
"""

from __future__ import annotations

import dis
import importlib.util
import io
import os
import warnings
from typing import Any

from bytelens.server.comparison import CPYTHON
from bytelens.vm.cache import explain, store
from bytelens.vm.compiler.diagnostics import CompileError
from bytelens.vm.compiler.pipeline import compile_source
from bytelens.vm.isa.disassembler import format_disassembly

#: A few words per verdict, for a status item or a lens.
_SHORT = {
    explain.FRESH: "fresh", explain.STALE: "stale, source changed since", explain.MISSING: "not written yet",
    explain.FOREIGN: "another version's", explain.CORRUPT: "corrupt", explain.UNCHECKED: "unchecked hash",
    explain.UNREADABLE: "unreadable", explain.ORPHANED: "orphaned",
}


def summary(explanation: explain.Explanation) -> str:
    """``.pyc stale, source changed since · .blc fresh``."""
    return (f".pyc {_SHORT[explanation.cpython.status]} · "
            f".blc {_SHORT[explanation.bytelens.status]}")


def is_cache_file(path: str) -> bool:
    return path.endswith((".pyc", store.SUFFIX))


def cache_result(path: str) -> dict[str, Any]:
    """What ``bytelens.cache`` answers for the file at ``path`` (never raises for bad files)."""
    if is_cache_file(path):
        text, readable = explain.describe_cache_file(path)
        return {"kind": "cache-file", "path": path, "readable": readable, "text": text,
                "summary": "cache file" if readable else "unreadable cache file"}
    explanation = explain.explain_source(os.fspath(path))
    return {"kind": "source", **explanation.to_json(), "summary": summary(explanation),
            "text": explain.format_explanation(explanation)}


def write_blc(path: str) -> dict[str, Any]:
    """``bytelens.cache.write``: compile ``path`` with bytelens's compiler and write its ``.blc``.

    The source is compiled, never run. A source that does not compile, or a folder that cannot be
    written, is reported in ``error`` (with the page as it stands); the result is otherwise the
    fresh ``cache_result`` of the source, so the client redraws the page from it.
    """
    error = None
    written = None
    try:
        with open(path, "rb") as stream:
            source = stream.read()
        code = compile_source(source, os.fspath(path))
        written = store.write_cache(path, code, source=source)
    except CompileError as failure:
        error = f"{path} does not compile: {failure.msg} (line {failure.lineno}); no .blc was written"
    except OSError as failure:
        error = f"could not write the .blc of {path}: {failure.strerror or failure}"
    return {**cache_result(path), "written": written, "error": error}


def compare(path: str) -> dict[str, Any]:
    """``bytelens.cache.compare``: the disassembly of ``path``'s code by bytelens (from its ``.blc``
    when that is fresh, else compiled now) beside CPython's ``dis`` of ``compile()`` of the same
    source. Both only compile; neither runs the code.
    """
    try:
        with open(path, "rb") as stream:
            source = stream.read()
    except OSError as failure:
        message = f"cannot read {path}: {failure.strerror or failure}"
        return {"bytelens": {"title": "bytelens", "text": message}, "cpython": {"title": CPYTHON, "text": message}}
    return {"bytelens": _bytelens_listing(path, source), "cpython": _cpython_listing(path, source)}


def _bytelens_listing(path: str, source: bytes) -> dict[str, str]:
    code = store.load_cache(path, source=source)
    if code is not None:
        origin = f"from {store.cache_path(path)} (fresh)"
    else:
        try:
            code = compile_source(source, os.fspath(path))
        except CompileError as failure:
            return {"title": "bytelens", "text": f"bytelens cannot compile {path}: {failure.msg} "
                                                  f"(line {failure.lineno})\n"}
        origin = "compiled now (the .blc is missing or not fresh: write it to compare the cache file)"
    return {"title": "bytelens", "origin": origin,
            "text": f"# bytelens's disassembler, {origin}\n\n{format_disassembly(code)}"}


def _cpython_listing(path: str, source: bytes) -> dict[str, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            code = compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as failure:
        return {"title": CPYTHON, "text": f"{CPYTHON} cannot compile {path}: {failure}\n"}
    out = io.StringIO()
    dis.dis(code, file=out)
    return {"title": CPYTHON, "origin": "compile() of the source",
            "text": f"# {CPYTHON}'s dis of compile() of the source (compiled, not run)\n\n{out.getvalue()}"}


def cache_state(path: str, uri: str) -> dict[str, Any]:
    """The ``bytelens/cacheState`` notification's params: the summary and the two verdicts."""
    explanation = explain.explain_source(os.fspath(path))
    return {"uri": uri, "summary": summary(explanation),
            "cpython": explanation.cpython.status, "bytelens": explanation.bytelens.status}


def cache_files_of(source_path: str) -> tuple[str, str]:
    """The paths of ``source_path``'s ``.pyc`` and ``.blc`` (where they would be)."""
    try:
        pyc = importlib.util.cache_from_source(source_path)
    except (NotImplementedError, ValueError):  # no cache tag: CPython writes no .pyc
        pyc = ""
    return pyc, store.cache_path(source_path)


def sources_affected(changed: list[str], sources: list[str]) -> list[str]:
    """The ``sources`` whose cache files are among the ``changed`` paths, or inside a changed folder
    (a ``__pycache__`` removed as a whole may be reported as the folder alone)."""
    affected = []
    for source in sources:
        files = cache_files_of(source)
        if any(path in files or any(file and file.startswith(path.rstrip(os.sep) + os.sep) for file in files)
               for path in changed):
            affected.append(source)
    return affected
