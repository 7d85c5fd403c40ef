--- bytelens for Neovim: the public API behind the user commands and <Plug> mappings.
---
--- Nothing here is needed on Neovim 0.11+ with `vim.lsp.enable('bytelens')`: the commands and the
--- LspAttach hook live in plugin/bytelens.lua. `setup()` is for options, and for Neovim 0.9/0.10,
--- where it starts the server itself on every Python buffer.
local config = require('bytelens.config')

local M = {}

local started = false

--- The project root of `bufnr`: the nearest folder above it holding a root marker, else its folder.
---@param bufnr integer
---@return string|nil
local function root_dir(bufnr)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if path == '' then
    return nil
  end
  local folder = vim.fs.dirname(path)
  local marker = vim.fs.find(config.options.root_markers, { path = folder, upward = true })[1]
  return marker and vim.fs.dirname(marker) or folder
end

--- Start (or reuse) the bytelens client for `bufnr`, a Python file.
---@param bufnr? integer  default: the current buffer
---@return integer|nil  the client id
function M.start(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= '' then
    return nil
  end
  local client_config = config.lsp_config()
  client_config.root_dir = root_dir(bufnr)
  -- 0.9's vim.lsp.start attaches the current buffer (its `bufnr` option came in 0.10).
  return vim.api.nvim_buf_call(bufnr, function()
    return vim.lsp.start(client_config, { bufnr = bufnr })
  end)
end

--- Set the options and start the server on Python buffers (the way for Neovim 0.9 and 0.10).
---
--- On 0.11+ use either this or `vim.lsp.enable('bytelens')`, not both.
---@param opts? bytelens.Options|table  see |bytelens-options|
function M.setup(opts)
  config.set(opts)
  started = true
  local group = vim.api.nvim_create_augroup('bytelens.start', { clear = true })
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'python',
    desc = 'bytelens: start the language server',
    callback = function(event)
      M.start(event.buf)
    end,
  })
  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) and vim.bo[bufnr].filetype == 'python' then
      M.start(bufnr)
    end
  end
end

--- Whether `setup()` has been called (then its options decide the server command).
---@return boolean
function M.is_setup()
  return started
end

--- The LspAttach hook: make lenses run through the plugin, and keep them fresh.
---@param client vim.lsp.Client
---@param bufnr integer
function M.attach(client, bufnr)
  if vim.lsp.commands['bytelens.trace'] == nil then
    vim.lsp.commands['bytelens.trace'] = function(command, ctx)
      require('bytelens.trace').from_lens(command, ctx)
    end
  end
  if vim.lsp.handlers['bytelens/cacheState'] == nil then
    vim.lsp.handlers['bytelens/cacheState'] = function(err, params, ctx)
      require('bytelens.cache').on_state(err, params, ctx)
    end
  end
  require('bytelens.lens').attach(bufnr)
end

--- The LspDetach hook.
---@param client vim.lsp.Client
---@param bufnr integer
function M.detach(client, bufnr)
  require('bytelens.lens').detach(bufnr)
end

--- `:BytelensTrace [call]`: trace the function around the cursor. With no call, the lens's own call
--- (from a `>>>` docstring example) is used, or you are asked for one.
---@param opts? {call?: string}
function M.trace(opts)
  require('bytelens.trace').at_cursor(opts)
end

--- `:BytelensDis`: the disassembly of the current buffer in a split that follows the cursor.
function M.dis()
  require('bytelens.dis').open()
end

--- `:BytelensCache [write|compare]`: this file's `__pycache__` files explained (will Python use them,
--- and why); `write` writes bytelens's `.blc`, `compare` shows its disassembly beside CPython's.
---@param subcommand? string
function M.cache(subcommand)
  require('bytelens.cache').run(subcommand)
end

--- The current buffer's cache state in a few words (".pyc fresh · .blc stale, source changed
--- since"), '' until the server has sent it: for 'statusline', e.g.
--- `%{v:lua.require'bytelens'.cache_status()}`.
---@param bufnr? integer
---@return string
function M.cache_status(bufnr)
  return require('bytelens.cache').status(bufnr)
end

--- `:BytelensCache write`.
function M.cache_write()
  M.cache('write')
end

--- `:BytelensCache compare`.
function M.cache_compare()
  M.cache('compare')
end

--- Run the code lens on the cursor line (`vim.lsp.codelens.run()`).
function M.run_lens()
  vim.lsp.codelens.run()
end

--- Next step of the trace in the current window.
function M.trace_next()
  require('bytelens.trace_view').next()
end

--- Previous step of the trace in the current window.
function M.trace_prev()
  require('bytelens.trace_view').prev()
end

--- First step of the trace in the current window.
function M.trace_first()
  require('bytelens.trace_view').first()
end

--- Last step of the trace in the current window.
function M.trace_last()
  require('bytelens.trace_view').last()
end

return M
