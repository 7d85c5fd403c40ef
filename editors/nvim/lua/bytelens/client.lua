--- The bytelens LSP client of a buffer, and requests to it, across Neovim 0.9 to 0.11.
---
--- 0.11 made client methods colon calls (`client:request`) and deprecated the dot form; 0.9 has only
--- the dot form and `get_active_clients`. Every other module goes through here.
local M = {}

M.name = 'bytelens'

local has_011 = vim.fn.has('nvim-0.11') == 1
local has_010 = vim.fn.has('nvim-0.10') == 1

--- The bytelens client attached to `bufnr`, if any.
---@param bufnr integer
---@return vim.lsp.Client|nil
function M.get(bufnr)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ bufnr = bufnr, name = M.name })[1]
end

--- Every running bytelens client.
---@return vim.lsp.Client[]
function M.all()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  return get({ name = M.name })
end

--- Send a request; `handler(err, result)` runs on the main loop.
---@param client vim.lsp.Client
---@param method string
---@param params table
---@param handler fun(err: table|nil, result: any)
---@param bufnr integer
function M.request(client, method, params, handler, bufnr)
  local function on_reply(err, result)
    handler(err, result)
  end
  if has_011 then
    client:request(method, params, on_reply, bufnr)
  else
    client.request(method, params, on_reply, bufnr)
  end
end

--- Ask the server to run one of its commands (`workspace/executeCommand`).
---@param client vim.lsp.Client
---@param command string
---@param arguments table
---@param handler fun(err: table|nil, result: any)
---@param bufnr integer
function M.execute(client, command, arguments, handler, bufnr)
  M.request(client, 'workspace/executeCommand', { command = command, arguments = arguments }, handler, bufnr)
end

--- Ask again for the code lenses of `bufnr` (they are not refreshed by Neovim itself).
---@param bufnr integer
function M.refresh_lenses(bufnr)
  if not vim.api.nvim_buf_is_loaded(bufnr) then
    return
  end
  if has_010 then
    vim.lsp.codelens.refresh({ bufnr = bufnr })
  elseif bufnr == vim.api.nvim_get_current_buf() then
    vim.lsp.codelens.refresh()
  end
end

--- The message of an LSP error reply, for the user.
---@param err table
---@return string
function M.error_message(err)
  if type(err) == 'table' and err.message then
    return (tostring(err.message):gsub('\n.*', ''))
  end
  return tostring(err)
end

--- Tell the user something, prefixed so they know where it comes from.
---@param message string
---@param level? integer  a vim.log.levels value (default INFO)
function M.notify(message, level)
  vim.notify('bytelens: ' .. message, level or vim.log.levels.INFO)
end

return M
