--- `:BytelensCache`: why Python (and bytelens) will or will not use this file's `__pycache__` files.
---
--- The server's `bytelens.cache` result carries the page already formatted (`text`): this module only
--- puts it in a read-only split, and never re-derives a verdict. `:BytelensCache write` has the server
--- compile the file (never run it) and write its `.blc`; `:BytelensCache compare` shows bytelens's
--- disassembly of it beside CPython's `dis`. The server's `bytelens/cacheState` notifications keep
--- `cache_status()` (for a statusline) and an open page current. `:edit x.pyc` shows the file's page
--- instead of its bytes (`read_cache_file`, a BufReadCmd).
local client = require('bytelens.client')
local ui = require('bytelens.ui')

local M = {}

M.SUBCOMMANDS = { 'write', 'compare' }

--- Put `text` in `buf` (a read-only scratch buffer).
---@param buf integer
---@param text string
local function set_text(buf, text)
  local lines = vim.split(text or '', '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
end

--- Show `buf` in a split, unless a window shows it already.
---@param buf integer
---@return integer  its window
local function show(buf)
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    win = ui.open_split(buf)
    vim.wo[win].wrap = true
  end
  return win
end

--- Show `result.text` in the cache view of `source`.
---@param source integer
---@param result table
function M.render(source, result)
  local buf = ui.scratch(ui.view_name('cache', source), 'bytelens-cache')
  set_text(buf, result.text)
  vim.b[buf].bytelens_cache = { summary = result.summary, source = source }
  show(buf)
  return buf
end

--- The source buffer a command is about: the page's source on a cache page, else the current buffer.
---@return integer
local function current_source()
  local buf = vim.api.nvim_get_current_buf()
  local page = vim.b[buf].bytelens_cache
  if page and page.source and vim.api.nvim_buf_is_valid(page.source) then
    return page.source
  end
  return buf
end

--- Run one of the server's cache commands on `source`'s file; `on_result(result)` on success.
---@param source integer
---@param command string
---@param on_result fun(result: table)
local function execute(source, command, on_result)
  local lsp = client.get(source)
  if not lsp then
    client.notify('no bytelens language server in this buffer (see :checkhealth bytelens)', vim.log.levels.ERROR)
    return
  end
  client.execute(lsp, command, { { uri = vim.uri_from_bufnr(source) } }, function(err, result)
    if err then
      client.notify(command .. ' failed: ' .. client.error_message(err), vim.log.levels.ERROR)
    elseif type(result) == 'table' then
      on_result(result)
    end
  end, source)
end

--- `:BytelensCache [write|compare]`.
---@param subcommand? string
function M.run(subcommand)
  if subcommand == nil or subcommand == '' then
    M.open()
  elseif subcommand == 'write' then
    M.write()
  elseif subcommand == 'compare' then
    M.compare()
  else
    client.notify('unknown :BytelensCache argument ' .. subcommand .. " (try 'write' or 'compare')",
      vim.log.levels.ERROR)
  end
end

--- Ask the server about the current buffer's file and open the page.
function M.open()
  local source = current_source()
  execute(source, 'bytelens.cache', function(result)
    M.render(source, result)
  end)
end

--- Write the `.blc` of the current file (the server compiles it, never runs it), then show the page.
function M.write()
  local source = current_source()
  execute(source, 'bytelens.cache.write', function(result)
    if result.error ~= nil and result.error ~= vim.NIL then
      client.notify(result.error, vim.log.levels.WARN)
    else
      client.notify('wrote ' .. tostring(result.written))
    end
    M.render(source, result)
  end)
end

--- bytelens's disassembly of the current file's `.blc` beside CPython's `dis`, in two splits.
function M.compare()
  local source = current_source()
  execute(source, 'bytelens.cache.compare', function(result)
    local ours = ui.scratch(ui.view_name('cache-bytelens', source), 'bytelens-dis')
    local theirs = ui.scratch(ui.view_name('cache-cpython', source), 'bytelens-dis')
    set_text(ours, result.bytelens.text)
    set_text(theirs, result.cpython.text)
    show(ours)
    local win = vim.fn.bufwinid(theirs)
    if win == -1 then
      vim.cmd('vsplit')
      vim.api.nvim_win_set_buf(0, theirs)
    end
  end)
end

--- The cache state of `bufnr` in a few words, for a statusline: the server's summary
--- (".pyc stale, source changed since · .blc fresh"), or '' before the server has sent one.
---@param bufnr? integer  default: the current buffer
---@return string
function M.status(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local state = vim.b[bufnr].bytelens_cache_state
  return state and state.summary or ''
end

--- The `bytelens/cacheState` handler: remember the state, redraw statuslines, redraw an open page.
---@param params table
function M.on_state(_, params)
  if type(params) ~= 'table' or type(params.uri) ~= 'string' then
    return
  end
  -- By exact name: bufnr() would read the path as a pattern, and uri_to_bufnr() would create a buffer.
  local path = vim.uri_to_fname(params.uri)
  local bufnr
  for _, candidate in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_get_name(candidate) == path then
      bufnr = candidate
    end
  end
  if bufnr == nil then
    return
  end
  vim.b[bufnr].bytelens_cache_state = { summary = params.summary, cpython = params.cpython, bytelens = params.bytelens }
  vim.cmd('redrawstatus!')
  vim.api.nvim_exec_autocmds('User', { pattern = 'BytelensCacheState', modeline = false, data = params })
  local page = vim.fn.bufnr(ui.view_name('cache', bufnr))
  if page ~= -1 and vim.api.nvim_buf_is_loaded(page) then
    execute(bufnr, 'bytelens.cache', function(result)
      M.render(bufnr, result)
    end)
  end
end

--- The page of a cache file, from a running bytelens server, else from `bytelens cache FILE`.
---@param path string
---@return string text
---@return string how  'server' or 'command line'
local function cache_file_page(path)
  local lsp = client.all()[1]
  if lsp then
    local params = { command = 'bytelens.cache', arguments = { { uri = vim.uri_from_fname(path) } } }
    local reply
    if vim.fn.has('nvim-0.11') == 1 then
      reply = lsp:request_sync('workspace/executeCommand', params, 10000)
    else
      reply = lsp.request_sync('workspace/executeCommand', params, 10000)
    end
    if reply and reply.result and type(reply.result.text) == 'string' then
      return reply.result.text, 'server'
    end
  end
  local cmd = vim.deepcopy(require('bytelens.config').lsp_config().cmd)
  if cmd[#cmd] == 'serve' then
    cmd[#cmd] = 'cache'
  else
    cmd = { 'bytelens', 'cache' }
  end
  table.insert(cmd, path)
  local ok, process = pcall(vim.system, cmd, { text = true })
  if not ok then
    return 'bytelens cache could not start: ' .. tostring(process) .. '\n', 'command line'
  end
  local done = process:wait(20000)
  return (done.stdout or '') .. (done.stderr or ''), 'command line'
end

--- BufReadCmd for `*.pyc` and `*.blc`: the buffer shows the file explained (header, then its code
--- disassembled), read-only, never its bytes. Asks a running bytelens server, else runs
--- `bytelens cache FILE` (the server command with `serve` replaced by `cache`).
---@param bufnr integer
---@param path string
function M.read_cache_file(bufnr, path)
  local text, how = cache_file_page(vim.fn.fnamemodify(path, ':p'))
  vim.bo[bufnr].buftype = 'nofile'
  vim.bo[bufnr].swapfile = false
  set_text(bufnr, text)
  vim.bo[bufnr].modified = false
  vim.bo[bufnr].filetype = 'bytelens-cache'
  vim.b[bufnr].bytelens_cache_file = { from = how }
end

--- Completion of `:BytelensCache `.
---@param arglead string
---@return string[]
function M.complete(arglead)
  return vim.tbl_filter(function(name)
    return vim.startswith(name, arglead)
  end, M.SUBCOMMANDS)
end

return M
