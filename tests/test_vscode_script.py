"""A whole script traced in a real VS Code (code-server + headless Chromium), the way
tests/test_vscode_e2e.py runs it (editors/vscode/scripts/e2e.sh), with only the script checks of
the drive (``E2E_ONLY=script``): the "▷ Trace this file" lens on editors/vscode/e2e/workspace/script.py
opens the trace panel at the module's first step, and what it shows agrees with ``bytelens trace
script.py`` (no ``--call``) on the same file. Set BYTELENS_E2E=0 to skip it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_vscode_e2e import _skip_reason, run_scenario  # noqa: E402

from conftest import ROOT, run_bytelens  # noqa: E402

WORKSPACE = ROOT / "editors" / "vscode" / "e2e" / "workspace"


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_a_script_traced_from_its_lens_in_code_server() -> None:
    output = run_scenario("script")
    seen = json.loads(re.search(r"drive: script trace (\{.*\})", output).group(1))
    expected = json.loads(run_bytelens("trace", "script.py", "--format", "json", cwd=WORKSPACE).stdout)
    steps, display = expected["steps"], expected["display"]
    assert seen["summary"] == f"script.py exited with status 0 · {len(steps)} steps"
    assert steps[0]["function"] == "<module>" and steps[0]["offset"] == 0
    assert seen["first"] == {"where": display["frames"][0], "instruction": display["instructions"][0]}
    assert seen["last"] == display["instructions"][-1]
