"""End to end in a real VS Code: editors/vscode/scripts/e2e.sh installs code-server (from the npm
registry) and headless Chromium, installs the packaged extension, and drives the editor through
Restricted Mode, diagnostics, a hover, the trace lens and panel, a call prompt, the bytecode view
and settings (editors/vscode/e2e/drive.mjs). About 3 minutes cold, under a minute warm (docs/vscode.md).
Set BYTELENS_E2E=0 to skip it."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess

import pytest

from conftest import ROOT

SCRIPT = ROOT / "editors" / "vscode" / "scripts" / "e2e.sh"


def _skip_reason() -> str | None:
    if os.environ.get("BYTELENS_E2E") == "0":
        return "BYTELENS_E2E=0"
    if shutil.which("npm") is None or shutil.which("node") is None:
        return "Node.js and npm are not installed on this machine"
    if (platform.system(), platform.machine()) != ("Linux", "x86_64"):
        return "the end-to-end test runs on Linux x86_64 only"
    version = subprocess.run(["node", "-p", "process.versions.node.split('.')[0]"], capture_output=True,
                             text=True).stdout.strip()
    if version != "20":
        return f"code-server 4.100.3 needs Node.js 20 (found {version})"
    if not os.path.exists(os.environ.get("CHROMIUM", "/usr/bin/chromium")) and os.geteuid() != 0:
        return "Chromium is missing and only root can install it (apt-get install chromium)"
    return None


def run_scenario(name: str) -> str:
    """Run the drive's ``E2E_ONLY=name`` scenario in code-server; its output, once it passed."""
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=1500,
                            env=dict(os.environ, E2E_ONLY=name))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    return output


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_extension_in_code_server() -> None:
    result = subprocess.run(["bash", str(SCRIPT)], capture_output=True, text=True, timeout=1500)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-8000:]
    for check in ("tracing refused in Restricted Mode", "typing a syntax error shows a squiggle and a problem",
                  "the hover shows the line's bytecode", "the slider and Alt+] in the editor move",
                  "the editor highlights line",
                  "a lens without a call asks for one", "inside the loop the block stack shows loop",
                  "a click on BINARY_ADD in the listing highlights", "removes the lenses",
                  "adds CPython's dis to the hover", "all checks passed"):
        assert check in output, f"{check!r} missing from:\n{output[-8000:]}"
