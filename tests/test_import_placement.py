"""Imports are made at module level in vm/ and server/, except where a reason forces otherwise
(issue 11's structure figures: at most 15 imports inside functions; these eight, each with why).

Read from the source, like tests/test_layers.py."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: (file, function, imported module): why it is imported inside the function.
ALLOWED = {
    ("vm/runtime/functions.py", "call_function", "bytelens.vm.runtime.generators"):
        "the runtime core's cycle: generators imports functions",
    ("vm/runtime/generators.py", "_awaited", "bytelens.vm.runtime.ops.yields"):
        "the runtime core's cycle: the handlers import generators",
    ("vm/runtime/frame.py", "clear", "bytelens.vm.runtime.generators"):
        "the runtime core's cycle: generators imports frame",
    ("vm/compiler/diagnostics.py", "format_compile_error", "traceback"):
        "traceback loads textwrap, which a program on the VM must be able to import as its own",
    ("server/__init__.py", "start", "bytelens.server.tcp"): "importing bytelens.server stays cheap (the worker)",
    ("server/__init__.py", "start", "bytelens.server.app"): "pygls is loaded only when the server starts",
    ("server/__init__.py", "start", "bytelens.server.stdio"): "importing bytelens.server stays cheap",
    ("server/worker.py", "_trace", "bytelens.vm"):
        "the worker loads the VM after it is tied to the server (PRELOAD, before the fork)",
}


def imports_inside_functions() -> set[tuple[str, str, str]]:
    found = set()
    for folder in ("vm", "server"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for function in ast.walk(tree):
                if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.ImportFrom):
                        found.add((path.relative_to(ROOT).as_posix(), function.name, node.module or ""))
                    elif isinstance(node, ast.Import):
                        for alias in node.names:
                            found.add((path.relative_to(ROOT).as_posix(), function.name, alias.name))
    return found


def test_imports_inside_functions_are_only_the_known_ones():
    found = imports_inside_functions()
    assert not found - set(ALLOWED), f"imports inside functions: move them to module level, or say why: {sorted(found - set(ALLOWED))}"
    assert not set(ALLOWED) - found, f"no longer made: remove from ALLOWED: {sorted(set(ALLOWED) - found)}"
    assert len(ALLOWED) <= 15
