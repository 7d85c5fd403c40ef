"""`:BytelensCache` in a real headless Neovim with the real server (helpers of test_nvim_plugin.py):
the page, `write` and `compare`, the status that follows a `.pyc` written outside Neovim (file
watching enabled), and `:edit x.pyc` with and without a server."""

from __future__ import annotations

import os
import py_compile
import re
import sys
from pathlib import Path

from test_nvim_plugin import ENABLE_INIT, init_lua, pytestmark, run_session, value  # noqa: F401

from bytelens.server import cache_view
from bytelens.vm.cache import store

#: Code objects' addresses differ between two processes.
ADDRESSES = re.compile(r" at 0x[0-9a-f]+")

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


WATCHING_INIT = init_lua("""
        vim.lsp.config('bytelens', { cmd = SERVER, capabilities = { workspace = {
          didChangeWatchedFiles = { dynamicRegistration = true } } } })
        vim.lsp.enable('bytelens')
""")

ACTIONS = r"""
local src = vim.api.nvim_get_current_buf()
local bytelens = require('bytelens')
step('opened', function()
  wait_for('the bytelens client', function() return bytelens_client(src) ~= nil end)
  wait_for('a cache state', function() return bytelens.cache_status(src) ~= '' end)
  return bytelens.cache_status(src)
end)
step('outside', function()
  local seen = {}
  vim.api.nvim_create_autocmd('User', { pattern = 'BytelensCacheState', callback = function(event)
    table.insert(seen, event.data.summary)
  end })
  -- A .pyc written by another program: only the file watcher can tell the server.
  local done = vim.system({ PYTHON, '-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], doraise=True)',
                            vim.api.nvim_buf_get_name(src) }):wait()
  assert(done.code == 0, done.stderr)
  wait_for('the new state', function() return bytelens.cache_status(src):find('.pyc fresh', 1, true) ~= nil end)
  return { status = bytelens.cache_status(src), seen = vim.deepcopy(seen) }
end)
step('write', function()
  vim.cmd('BytelensCache write')
  wait_for('the page', function() return buffer_named('bytelens://cache/') ~= nil end)
  local buf = buffer_named('bytelens://cache/')
  wait_for('the .blc written', function()
    return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'):find('verdict:    fresh\n  why:        fresh: the source\'s mtime is', 1, true) ~= nil
  end)
  wait_for('the status', function() return bytelens.cache_status(src):find('.blc fresh', 1, true) ~= nil end)
  return { lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false), status = bytelens.cache_status(src) }
end)
step('compare', function()
  -- From the page: the command acts on the page's source.
  vim.api.nvim_set_current_buf(buffer_named('bytelens://cache/'))
  vim.cmd('BytelensCache compare')
  wait_for('both listings', function()
    return buffer_named('bytelens://cache-bytelens/') ~= nil and buffer_named('bytelens://cache-cpython/') ~= nil
      and #vim.api.nvim_buf_get_lines(buffer_named('bytelens://cache-cpython/'), 0, -1, false) > 2
  end)
  return { ours = vim.api.nvim_buf_get_lines(buffer_named('bytelens://cache-bytelens/'), 0, -1, false),
           theirs = vim.api.nvim_buf_get_lines(buffer_named('bytelens://cache-cpython/'), 0, -1, false),
           shown = vim.fn.bufwinid(buffer_named('bytelens://cache-cpython/')) ~= -1
             and vim.fn.bufwinid(buffer_named('bytelens://cache-bytelens/')) ~= -1 }
end)
step('edit_pyc', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(PYC))
  local buf = vim.api.nvim_get_current_buf()
  return { lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false), from = vim.b[buf].bytelens_cache_file.from,
           filetype = vim.bo[buf].filetype, modifiable = vim.bo[buf].modifiable }
end)
"""


def _lines(text: str) -> list[str]:
    return ADDRESSES.sub("", text).rstrip("\n").split("\n")


def test_write_compare_status_and_a_pyc(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("x = 1\ndef f():\n    return x * 2\n")
    # The folder exists, as after a first run: Neovim's per-folder watcher sees files created in it.
    (tmp_path / "__pycache__").mkdir()
    # Neovim watches the client's workspace folders: a root marker makes tmp_path one.
    (tmp_path / "pyproject.toml").write_text("")
    pyc = cache_view.cache_files_of(str(source))[0]
    steps = f"local PYTHON = {sys.executable!r}\nlocal PYC = {pyc!r}\n" + ACTIONS
    results = run_session(tmp_path, WATCHING_INIT, steps, ["mod.py"])
    assert value(results, "opened") == ".pyc not written yet · .blc not written yet"
    outside = value(results, "outside")
    assert outside["status"] == ".pyc fresh · .blc not written yet"
    assert outside["seen"][-1] == outside["status"]
    written = value(results, "write")
    now = cache_view.cache_result(str(source))
    assert written["lines"] == _lines(now["text"])
    assert written["status"] == now["summary"] == ".pyc fresh · .blc fresh"
    assert store.load_cache(str(source)) is not None
    compared = value(results, "compare")
    expected = cache_view.compare(str(source))
    assert compared["ours"] == _lines(expected["bytelens"]["text"])
    assert _lines("\n".join(compared["theirs"])) == _lines(expected["cpython"]["text"])
    assert compared["shown"] is True
    edited = value(results, "edit_pyc")
    assert _lines("\n".join(edited["lines"])) == _lines(cache_view.cache_result(pyc)["text"])
    assert "RESUME" in "\n".join(edited["lines"])
    assert (edited["from"], edited["filetype"], edited["modifiable"]) == ("server", "bytelens-cache", False)


NO_SERVER_INIT = init_lua("""
        require('bytelens').setup({ cmd = SERVER })
""")

EDIT_ONLY = r"""
step('edit_pyc', function()
  vim.cmd('edit ' .. vim.fn.fnameescape(PYC))
  local buf = vim.api.nvim_get_current_buf()
  return { lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false), from = vim.b[buf].bytelens_cache_file.from,
           clients = #vim.lsp.get_clients() }
end)
"""


def test_edit_a_blc_without_a_server_runs_the_command_line(tmp_path: Path) -> None:
    source = tmp_path / "mod.py"
    source.write_text("x = 1\n")
    blc = store.cache_path(str(source))
    store.compile_file(str(source))
    results = run_session(tmp_path, NO_SERVER_INIT, f"local PYC = {blc!r}\n" + EDIT_ONLY, [])
    edited = value(results, "edit_pyc")
    assert (edited["from"], edited["clients"]) == ("command line", 0)
    assert edited["lines"] == cache_view.cache_result(blc)["text"].rstrip("\n").split("\n")
