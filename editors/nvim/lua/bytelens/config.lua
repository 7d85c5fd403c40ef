--- The plugin's options: defaults, what `setup()` merged in, and the LSP client config built from them.
---
--- One place, so `lsp/bytelens.lua` (for `vim.lsp.enable`) and `setup()` (for `vim.lsp.start`) start
--- the same server with the same settings. The server owns the defaults of its own settings: an option
--- the user does not set is not sent, so the server's defaults (docs/protocol.md) apply.
local M = {}

---@class bytelens.Keys
---@field next string|false     step forward in the trace view
---@field prev string|false     step back
---@field first string|false    first step
---@field last string|false     last step
---@field select string|false   make the step under the cursor the current one
---@field close string|false    close the view

---@class bytelens.Options
---@field cmd string[]                   command that starts the language server
---@field root_markers string[]          files that mark a project root
---@field settings table<string, any>    server settings (maxSteps, timeLimit, memoryLimit, compareWithCPython, codeLens)
---@field codelens boolean               show the trace lenses and refresh them as you edit
---@field split 'vertical'|'horizontal'  how the trace and disassembly windows open
---@field keys bytelens.Keys             buffer-local keys of the trace view (false: no key)

---@type bytelens.Options
M.defaults = {
  cmd = { 'bytelens', 'serve' },
  root_markers = { 'pyproject.toml', 'setup.py', 'setup.cfg', 'requirements.txt', '.git' },
  settings = {},
  codelens = true,
  split = 'vertical',
  keys = { next = 'n', prev = 'p', first = 'gg', last = 'G', select = '<CR>', close = 'q' },
}

---@type bytelens.Options
M.options = vim.deepcopy(M.defaults)

--- Raise a clear error when an option has the wrong type (vim.validate's forms differ across 0.9-0.11).
---@param name string
---@param ok boolean
---@param expected string
local function check(name, ok, expected)
  if not ok then
    error(string.format('bytelens.setup: option %q must be %s', name, expected), 0)
  end
end

--- Replace the options with the defaults overridden by `opts`.
---@param opts? bytelens.Options|table
function M.set(opts)
  check('opts', opts == nil or type(opts) == 'table', 'a table')
  opts = opts or {}
  local merged = vim.tbl_deep_extend('force', vim.deepcopy(M.defaults), opts)
  -- Lists replace, they do not merge index by index.
  merged.cmd = vim.deepcopy(opts.cmd or M.defaults.cmd)
  merged.root_markers = vim.deepcopy(opts.root_markers or M.defaults.root_markers)
  check('cmd', type(merged.cmd) == 'table' and type(merged.cmd[1]) == 'string', 'a list of strings')
  check('root_markers', type(merged.root_markers) == 'table', 'a list of file names')
  check('settings', type(merged.settings) == 'table', 'a table')
  check('codelens', type(merged.codelens) == 'boolean', 'true or false')
  check('split', merged.split == 'vertical' or merged.split == 'horizontal', "'vertical' or 'horizontal'")
  check('keys', type(merged.keys) == 'table', 'a table')
  M.options = merged
end

--- The settings to send, or nil when the user set none (an empty Lua table would encode as `[]`).
---@return table<string, any>|nil
local function settings()
  if next(M.options.settings) == nil then
    return nil
  end
  return vim.deepcopy(M.options.settings)
end

--- The client config: what `lsp/bytelens.lua` returns and what `setup()` passes to `vim.lsp.start`.
---@return table
function M.lsp_config()
  local sent = settings()
  return {
    name = 'bytelens',
    cmd = vim.deepcopy(M.options.cmd),
    filetypes = { 'python' },
    root_markers = vim.deepcopy(M.options.root_markers),
    init_options = sent,
    settings = sent and { bytelens = sent } or nil,
  }
end

return M
