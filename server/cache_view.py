"""The ``bytelens.cache`` result: a source's two cache files explained (or one cache file read).

Plain functions over ``vm/cache/explain.py``; the page the editors show is formatted here, once, so
Neovim and VS Code show the same text and never re-derive a verdict.
"""

from __future__ import annotations

import os
from typing import Any

from bytelens.vm.cache import explain, store

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
