"""`:BytelensCache` in a real headless Neovim with the real server (helpers of test_nvim_plugin.py)."""

from __future__ import annotations

import os
import py_compile
from pathlib import Path

from test_nvim_plugin import ENABLE_INIT, pytestmark, run_session, value  # noqa: F401

from bytelens.server import cache_view

STEPS = r"""
local src = vim.api.nvim_get_current_buf()
step('page', function()
  wait_for('the bytelens client', function() return bytelens_client(src) ~= nil end)
  vim.cmd('BytelensCache')
  wait_for('the cache page', function() return buffer_named('bytelens://cache/') ~= nil end)
  local buf = buffer_named('bytelens://cache/')
  wait_for('its text', function() return #vim.api.nvim_buf_get_lines(buf, 0, -1, false) > 3 end)
  return { lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false),
           modifiable = vim.bo[buf].modifiable, summary = vim.b[buf].bytelens_cache.summary }
end)
"""


def test_bytelens_cache_shows_the_servers_page(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("x = 1\n")
    py_compile.compile(str(source), doraise=True)
    os.utime(source, ns=(source.stat().st_mtime_ns + 3 * 10**9,) * 2)
    expected = cache_view.cache_result(str(source))
    page = value(run_session(tmp_path, ENABLE_INIT, STEPS, ["mod.py"]), "page")
    assert page["lines"] == expected["text"].rstrip("\n").split("\n")
    assert page["summary"] == expected["summary"] == ".pyc stale, source changed since · .blc not written yet"
    assert page["modifiable"] is False
