--- The server's trace lenses: kept fresh in attached buffers, and looked up for the cursor.
---
--- Neovim asks for code lenses only when told to, so each attached buffer gets autocmds that call
--- `vim.lsp.codelens.refresh`. Each lens carries the arguments of `bytelens.trace`
--- (docs/protocol.md): `{uri, function, line, call|null, template}`, or for the "▷ Trace this file"
--- lens on line 1 `{uri, script = true, line = 0}`.
local client = require('bytelens.client')
local config = require('bytelens.config')

local M = {}

local augroup = vim.api.nvim_create_augroup('bytelens.lens', { clear = true })

--- Start refreshing the lenses of `bufnr` (called when the bytelens client attaches).
---@param bufnr integer
function M.attach(bufnr)
  if not config.options.codelens then
    return
  end
  vim.api.nvim_clear_autocmds({ group = augroup, buffer = bufnr })
  vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'TextChanged' }, {
    group = augroup,
    buffer = bufnr,
    desc = 'bytelens: refresh the trace lenses',
    callback = function(event)
      client.refresh_lenses(event.buf)
    end,
  })
  client.refresh_lenses(bufnr)
end

--- Stop refreshing the lenses of `bufnr` (the client detached).
---@param bufnr integer
function M.detach(bufnr)
  vim.api.nvim_clear_autocmds({ group = augroup, buffer = bufnr })
end

--- The arguments of a `bytelens.trace` lens, or nil for any other lens.
---@param lens table  an lsp.CodeLens
---@return table|nil
function M.trace_arguments(lens)
  local command = lens.command
  if type(command) ~= 'table' or command.command ~= 'bytelens.trace' then
    return nil
  end
  local arguments = command.arguments
  if type(arguments) ~= 'table' or type(arguments[1]) ~= 'table' then
    return nil
  end
  return arguments[1]
end

---@param text string
---@return integer
local function indent_of(text)
  return #text:match('^%s*')
end

---@class bytelens.LineState
---@field open string|nil  the triple-quote delimiter of a string still open
---@field depth integer    brackets still open

--- The state at the end of `text`, given the state at its start: enough of Python's tokenizer to
--- tell continuation lines (inside brackets or a triple-quoted string) from statements.
---@param text string
---@param state bytelens.LineState
---@return bytelens.LineState
local function scan(text, state)
  local open, depth = state.open, state.depth
  local position = 1
  while position <= #text do
    if open then
      local _, last = text:find(open, position, true)
      if not last then
        break
      end
      open, position = nil, last + 1
    else
      local char = text:sub(position, position)
      if char == '#' then
        break
      elseif char == '"' or char == "'" then
        if text:sub(position, position + 2) == char:rep(3) then
          open, position = char:rep(3), position + 3
        else
          position = position + 1
          while position <= #text and text:sub(position, position) ~= char do
            position = position + (text:sub(position, position) == '\\' and 2 or 1)
          end
          position = position + 1
        end
      else
        if char:match('[%(%[{]') then
          depth = depth + 1
        elseif char:match('[%)%]}]') then
          depth = math.max(0, depth - 1)
        end
        position = position + 1
      end
    end
  end
  return { open = open, depth = depth }
end

--- Whether 0-based `line` lies in the function whose `def` is on 0-based `def_line`.
---
--- Python's indentation decides: every statement line after the def, up to `line`, is indented
--- deeper than the def. Blank lines, comments and continuation lines (inside brackets, as in a
--- signature over several lines, or inside a triple-quoted string) do not count.
---@param lines string[]  the buffer's lines (1-based list)
---@param def_line integer
---@param line integer
---@return boolean
local function inside(lines, def_line, line)
  local def_indent = indent_of(lines[def_line + 1] or '')
  local state = scan(lines[def_line + 1] or '', { open = nil, depth = 0 })
  for l = def_line + 1, line do
    local text = lines[l + 1] or ''
    local statement = state.open == nil and state.depth == 0 and text:match('^%s*[^%s#]')
    if statement and indent_of(text) <= def_indent then
      return false
    end
    state = scan(text, state)
  end
  return true
end

--- The trace lens of the innermost function around 0-based `line`: the def line itself, its
--- decorators, or its body.
---@param lenses table[]  lsp.CodeLens list
---@param lines string[]  the buffer's lines
---@param line integer
---@return table|nil  the lens's `bytelens.trace` arguments
function M.enclosing(lenses, lines, line)
  local candidates = {}
  for _, lens in ipairs(lenses) do
    local arguments = M.trace_arguments(lens)
    if arguments and arguments.script ~= true then -- the file's lens encloses no function
      table.insert(candidates, { line = lens.range.start.line, arguments = arguments })
    end
  end
  table.sort(candidates, function(a, b)
    return a.line > b.line
  end)
  -- A decorator line belongs to the def right below it.
  local probe = line
  while lines[probe + 1] and lines[probe + 1]:match('^%s*@') do
    probe = probe + 1
  end
  for _, candidate in ipairs(candidates) do
    if candidate.line <= probe and inside(lines, candidate.line, math.max(line, candidate.line)) then
      return candidate.arguments
    end
  end
  return nil
end

--- Ask the server for the lenses of `bufnr` now (the displayed ones may be stale or switched off).
---@param lsp_client vim.lsp.Client
---@param bufnr integer
---@param callback fun(lenses: table[]|nil, err: string|nil)
function M.fetch(lsp_client, bufnr, callback)
  local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr) }
  client.request(lsp_client, 'textDocument/codeLens', params, function(err, result)
    if err then
      callback(nil, client.error_message(err))
    else
      callback(result or {}, nil)
    end
  end, bufnr)
end

return M
