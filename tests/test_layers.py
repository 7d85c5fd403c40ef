"""The layers of ``bytelens.vm`` (vm/__init__.py): each module imports only its own layer and those
below it, and ``vm`` never imports ``server``. Read from the source, not by importing it."""

from __future__ import annotations

import ast
from pathlib import Path

VM = Path(__file__).resolve().parent.parent / "vm"

#: Lowest first. A module's layer is its first folder under vm/, or its name at the root.
#: ``machine`` (vm/machine.py) plugs host/ and fast/ into the runtime: what the runtime calls in them
#: reaches it through runtime/state.py, never through an import.
LAYERS = ["hostbuiltins", "isa", "compiler", "cache", "runtime", "host", "fast", "machine", "trace", "drivers"]
DRIVERS = {"__init__", "check", "runner"}

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
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("bytelens.vm."):
                    dotted = alias.name[len("bytelens.vm."):].split(".")
                    candidate = VM.joinpath(*dotted).with_suffix(".py")
                    if candidate.exists():
                        found.add(candidate)
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
    assert not upward, f"imports from a lower layer to a higher one: {sorted(upward)}"


def test_vm_never_imports_the_server():
    for path in all_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(name.startswith("bytelens.server") for name in names), path


def test_the_root_of_vm_holds_few_modules():
    assert sorted(path.name for path in VM.glob("*.py")) == ["__init__.py", "check.py", "hostbuiltins.py",
                                                             "machine.py", "runner.py"]


def test_every_subpackage_says_what_it_may_import():
    for package in sorted(VM.rglob("__init__.py")):
        if package.parent == VM:
            continue
        docstring = ast.get_docstring(ast.parse(package.read_text(encoding="utf-8"))) or ""
        assert "May import" in docstring, package
