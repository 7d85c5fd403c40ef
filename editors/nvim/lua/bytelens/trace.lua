--- Running a trace: pick the function, get a call expression, ask the server, show the result.
---
--- Two ways in: `:BytelensTrace [call]` (the function around the cursor) and a trace lens run with
--- `vim.lsp.codelens.run()` (Neovim hands the lens's command to `vim.lsp.commands['bytelens.trace']`,
--- which is `from_lens` below). A lens whose `call` is null needs a call from the user; the
--- prompt is prefilled with the lens's `template`. The "▷ Trace this file" lens (`script = true`)
--- needs nothing: the server traces the whole file, run as `__main__`.
local client = require('bytelens.client')
local lens = require('bytelens.lens')

local M = {}

---@param value any
---@return boolean
local function is_blank(value)
  return value == nil or value == vim.NIL or (type(value) == 'string' and vim.trim(value) == '')
end

--- Ask the user for a call expression, prefilled with `template`.
---@param arguments table  the lens's arguments
---@param callback fun(call: string|nil)
local function ask_call(arguments, callback)
  local template = not is_blank(arguments.template) and arguments.template or ''
  vim.ui.input({ prompt = 'bytelens: trace call: ', default = template }, function(input)
    if is_blank(input) then
      callback(nil)
    else
      callback(vim.trim(input))
    end
  end)
end

--- What a trace of `arguments` is called: its call, or for a whole-file trace the file's name.
---@param arguments table
---@param bufnr integer
---@return string
local function label(arguments, bufnr)
  if arguments.script == true then
    return vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
  end
  return arguments.call
end

--- Send `bytelens.trace` with `arguments` (whose `call` is set, or `script`) and show what comes back.
---@param lsp_client vim.lsp.Client
---@param bufnr integer  the traced source buffer
---@param arguments table
local function send(lsp_client, bufnr, arguments)
  local traced = label(arguments, bufnr)
  client.notify('tracing ' .. traced .. ' ...')
  client.execute(lsp_client, 'bytelens.trace', { arguments }, function(err, result)
    client.refresh_lenses(bufnr)
    if err then
      client.notify('trace failed: ' .. client.error_message(err), vim.log.levels.ERROR)
      return
    end
    if type(result) ~= 'table' then
      client.notify('the server sent no trace', vim.log.levels.ERROR)
      return
    end
    if not is_blank(result.error) or type(result.trace) ~= 'table' then
      client.notify(
        traced .. ': ' .. tostring(is_blank(result.error) and 'no trace' or result.error),
        vim.log.levels.ERROR
      )
      return
    end
    require('bytelens.trace_view').show(result, bufnr)
    client.notify(tostring(is_blank(result.summary) and traced or result.summary))
  end, bufnr)
end

--- Trace with the lens arguments `arguments`: the whole file for a script lens; else use `call`,
--- or the lens's own call, or ask.
---@param lsp_client vim.lsp.Client
---@param bufnr integer
---@param arguments table
---@param call string|nil
local function run(lsp_client, bufnr, arguments, call)
  arguments = vim.deepcopy(arguments)
  if arguments.script == true then
    send(lsp_client, bufnr, arguments)
    return
  end
  if not is_blank(call) then
    arguments.call = call
  end
  if not is_blank(arguments.call) then
    send(lsp_client, bufnr, arguments)
    return
  end
  ask_call(arguments, function(input)
    if input then
      arguments.call = input
      send(lsp_client, bufnr, arguments)
    end
  end)
end

--- The `vim.lsp.commands['bytelens.trace']` handler: a trace lens was run.
---@param command table  lsp.Command from the lens
---@param ctx table      {bufnr, client_id}
function M.from_lens(command, ctx)
  local arguments = type(command.arguments) == 'table' and command.arguments[1] or nil
  local lsp_client = vim.lsp.get_client_by_id(ctx.client_id)
  if type(arguments) ~= 'table' or not lsp_client then
    client.notify('this lens has no trace arguments', vim.log.levels.ERROR)
    return
  end
  run(lsp_client, ctx.bufnr, arguments, nil)
end

--- `:BytelensTrace [call]`: trace the function around the cursor of the current window.
---@param opts? {call?: string}
function M.at_cursor(opts)
  opts = opts or {}
  local bufnr = vim.api.nvim_get_current_buf()
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  local lsp_client = client.get(bufnr)
  if not lsp_client then
    client.notify('no bytelens language server in this buffer (see :checkhealth bytelens)', vim.log.levels.ERROR)
    return
  end
  lens.fetch(lsp_client, bufnr, function(lenses, err)
    if err then
      client.notify('could not get the functions of this file: ' .. err, vim.log.levels.ERROR)
      return
    end
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    local arguments = lens.enclosing(lenses, lines, line)
    if not arguments then
      if is_blank(opts.call) then
        client.notify(
          'no function at the cursor: put it in a def, or give a call (:BytelensTrace f(1))',
          vim.log.levels.WARN
        )
        return
      end
      arguments = { uri = vim.uri_from_bufnr(bufnr), line = line }
    end
    run(lsp_client, bufnr, arguments, opts.call)
  end)
end

--- Completion for `:BytelensTrace`: the calls and templates of the current buffer's lenses.
---@param arglead string
---@return string[]
function M.complete(arglead)
  local found = {}
  for _, item in ipairs(vim.lsp.codelens.get(vim.api.nvim_get_current_buf())) do
    local arguments = lens.trace_arguments(item)
    local text = arguments and (not is_blank(arguments.call) and arguments.call or arguments.template)
    if type(text) == 'string' and vim.startswith(text, arglead) and not vim.tbl_contains(found, text) then
      table.insert(found, text)
    end
  end
  return found
end

return M
