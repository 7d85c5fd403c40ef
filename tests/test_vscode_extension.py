"""The VS Code extension builds as a user gets it: `npm ci`, its unit tests (mocha), the TypeScript
compile, and the `.vsix` package. The extension's own logic is tested by its mocha suite
(editors/vscode/test/unit); this module runs that suite and checks what the package holds."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT

EXTENSION = ROOT / "editors" / "vscode"

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed on this machine")


def npm(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(["npm", *args], cwd=EXTENSION, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def installed() -> Path:
    """`npm ci` once for the module: the exact packages of package-lock.json, from the registry."""
    result = npm("ci", "--no-audit", "--no-fund")
    assert result.returncode == 0, result.stdout + result.stderr
    return EXTENSION


def test_compiles_without_errors(installed: Path) -> None:
    result = npm("run", "compile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (installed / "out" / "src" / "extension.js").is_file()


def test_unit_tests_pass(installed: Path) -> None:
    result = npm("test")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert " passing" in output and " failing" not in output, output


def test_packages_as_a_vsix(installed: Path) -> None:
    vsix = installed / "bytelens.vsix"
    vsix.unlink(missing_ok=True)
    result = npm("run", "package")
    assert result.returncode == 0, result.stdout + result.stderr
    with zipfile.ZipFile(vsix) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("extension/package.json"))
    source_manifest = json.loads((installed / "package.json").read_text())
    assert manifest["version"] == source_manifest["version"]
    for needed in ("extension/out/src/extension.js", "extension/media/trace.js", "extension/media/trace.css",
                   "extension/syntaxes/bytelens-dis.tmLanguage.json",
                   "extension/node_modules/vscode-languageclient/package.json"):
        assert needed in names, needed
    # Only what runs in VS Code: no tests, sources, dev tools or end-to-end harness.
    for name in names:
        assert not name.startswith(("extension/out/test/", "extension/src/", "extension/e2e/", "extension/scripts/")), name
        assert not name.startswith(("extension/node_modules/typescript/", "extension/node_modules/mocha/")), name
