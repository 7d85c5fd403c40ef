"""`__pycache__` explained (issue 14) in a real VS Code (code-server + headless Chromium), the way
tests/test_vscode_e2e.py runs it (editors/vscode/scripts/e2e.sh), with only the cache checks of the
drive (``E2E_ONLY=cache``): "bytelens: Explain Cache" opens the server's page, its lenses write the
``.blc`` and open bytelens's listing beside CPython's, the status item follows a ``.pyc`` written
outside the editor (file watching, no polling), and opening that ``.pyc`` shows its explanation.
Set BYTELENS_E2E=0 to skip it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_vscode_e2e import _skip_reason, run_scenario  # noqa: E402

from conftest import ROOT  # noqa: E402
from bytelens.server import cache_view  # noqa: E402

WORKSPACE = ROOT / "editors" / "vscode" / ".e2e" / "workspace"


@pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
def test_cache_explained_in_code_server() -> None:
    output = run_scenario("cache")
    for check in ("Explain Cache opened the page", "writing the .blc from the page updates the page and the status",
                  "a .pyc written outside the editor updates the status", "Compare shows bytelens's listing",
                  "opening a .pyc shows its header", "all checks passed"):
        assert check in output, f"{check!r} missing from:\n{output[-8000:]}"
    source = WORKSPACE / "cached.py"
    statuses = [json.loads(found) for found in re.findall(r"drive: cache status (\".*\")", output)]
    # The last status is the server's summary of the files as they are now.
    assert statuses[-1].endswith(cache_view.cache_result(str(source))["summary"])
    assert statuses[0].endswith(".pyc not written yet · .blc not written yet")
    shown = json.loads(re.search(r"drive: pyc page (\".*\")", output).group(1))
    pyc = next((WORKSPACE / "__pycache__").glob("*.pyc"))
    expected = cache_view.cache_result(str(pyc))["text"]
    # A <pre>'s innerText: the same text, less the trailing newline; code objects' addresses differ
    # between two processes.
    addresses = re.compile(r" at 0x[0-9a-f]+")
    assert addresses.sub("", shown).rstrip("\n") == addresses.sub("", expected).rstrip("\n")
