"""The layers of ``bytelens.vm`` (vm/__init__.py): each module imports only its own layer and those
below it, and ``vm`` never imports ``server``. Read from the source, not by importing it."""

from __future__ import annotations

import ast
from pathlib import Path

VM = Path(__file__).resolve().parent.parent / "vm"

#: Lowest first. A module's layer is its first folder under vm/, or its name at the root.
LAYERS = ["hostbuiltins", "isa", "compiler", "cache", "runtime", "host", "fast", "trace", "drivers"]
DRIVERS = {"__init__", "check", "runner"}

#: Imports that still reach up a layer, each with why; to be removed, not added to. The test also
#: fails when one of them is gone, so this list only ever shrinks.
KNOWN_UPWARD = {
    # The interpreter runs compiled blocks and recording blocks itself, and decoding compiles them.
    ("runtime/interpreter.py", "fast/blocks.py"): "fault_index of a compiled block",
    ("runtime/interpreter.py", "fast/recording.py"): "compile_recording_blocks for a traced frame",
    ("runtime/decode.py", "fast/blocks.py"): "compile_blocks when a code object is first run",
    # The runtime asks the bridge about host frames and calls intrinsics and sys.settrace support.
    ("runtime/ops/calls.py", "host/intrinsics.py"): "SPECIAL_CALLS: builtins that need the VM frame",
    ("runtime/ops/calls.py", "host/systrace.py"): "profiled_c_call for sys.setprofile",
    ("runtime/frame.py", "host/frames.py"): "running_index for f_lasti of a running frame",
    ("runtime/excstate.py", "host/frames.py"): "the VM frame of a host traceback",
    ("runtime/generators.py", "host/frames.py"): "the host frame that resumes a generator",
    ("runtime/modules.py", "host/importer.py"): "module bodies import through the VM importer",
}


def layer_of(path: Path) -> str:
    relative = path.relative_to(VM)
    if len(relative.parts) > 1:
        return relative.parts[0]
    return "drivers" if relative.stem in DRIVERS else relative.stem


def imported_files(path: Path) -> set[Path]:
    """The vm files ``path`` imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bytelens.vm."):
            dotted = node.module[len("bytelens.vm."):].split(".")
            candidates = [VM.joinpath(*dotted).with_suffix(".py")]
            candidates += [VM.joinpath(*dotted, alias.name).with_suffix(".py") for alias in node.names]
            found.update(candidate for candidate in candidates if candidate.exists())
    return found


def all_modules() -> list[Path]:
    return sorted(path for path in VM.rglob("*.py") if "__pycache__" not in path.parts)


def test_every_module_has_a_known_layer():
    for path in all_modules():
        assert layer_of(path) in LAYERS, path


def test_imports_go_down_only():
    upward = {}
    for path in all_modules():
        rank = LAYERS.index(layer_of(path))
        for target in imported_files(path):
            if LAYERS.index(layer_of(target)) > rank:
                upward[(path.relative_to(VM).as_posix(), target.relative_to(VM).as_posix())] = True
    new = sorted(set(upward) - set(KNOWN_UPWARD))
    gone = sorted(set(KNOWN_UPWARD) - set(upward))
    assert not new, f"imports from a lower layer to a higher one: {new}"
    assert not gone, f"these are no longer made: remove them from KNOWN_UPWARD: {gone}"


def test_vm_never_imports_the_server():
    for path in all_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(name.startswith("bytelens.server") for name in names), path


def test_the_root_of_vm_holds_few_modules():
    assert sorted(path.name for path in VM.glob("*.py")) == ["__init__.py", "check.py", "hostbuiltins.py",
                                                             "runner.py"]


def test_every_subpackage_says_what_it_may_import():
    for package in sorted(VM.rglob("__init__.py")):
        if package.parent == VM:
            continue
        docstring = ast.get_docstring(ast.parse(package.read_text(encoding="utf-8"))) or ""
        assert "May import" in docstring, package
