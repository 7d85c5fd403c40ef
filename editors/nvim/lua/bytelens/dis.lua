--- `:BytelensDis`: the whole-file disassembly in a split that follows the cursor (Compiler Explorer
--- style).
---
--- The server's `bytelens/disassemble` result carries `map`: for each source line, the lines of the
--- disassembly text holding its instructions. Moving in the source highlights those lines and scrolls
--- them into view; moving in the disassembly highlights the source line. Edits re-disassemble after a
--- short pause. `K` on an instruction line shows, in a float, what its opcode does: the result's
--- `explanations` (one entry per opname, from the server's opcode table; the plugin holds none).
local client = require('bytelens.client')
local ui = require('bytelens.ui')

local M = {}

local dis_ns = vim.api.nvim_create_namespace('bytelens.dis')
local source_ns = vim.api.nvim_create_namespace('bytelens.dis.source')

local REFRESH_DELAY_MS = 300

---@class bytelens.DisView
---@field source integer                     the source buffer
---@field buf integer                        the disassembly buffer
---@field group integer                      autocmd group of this view
---@field dis_lines table<integer, integer[]>  0-based source line -> 0-based disassembly lines
---@field source_line table<integer, integer>  0-based disassembly line -> 0-based source line
---@field error string|nil                   the last compile error
---@field partial boolean                     the listing is of the statements that compile alone
---@field explanations table<string, {picture: string, explanation: string}>  opname -> what it does
---@field timer userdata|nil                 pending refresh

---@type table<integer, bytelens.DisView>  source buffer -> view
local views = {}

--- The view of source buffer `source`, if its disassembly buffer is still there.
---@param source integer
---@return bytelens.DisView|nil
function M.get(source)
  local view = views[source]
  if view and vim.api.nvim_buf_is_valid(view.buf) then
    return view
  end
  return nil
end

---@param view bytelens.DisView
local function set_winbar(view)
  local win = vim.fn.bufwinid(view.buf)
  if win == -1 or vim.fn.has('nvim-0.8') == 0 then
    return
  end
  local title = 'bytelens dis  ' .. vim.fn.fnamemodify(vim.api.nvim_buf_get_name(view.source), ':t')
  if view.error then
    local shown = view.partial and 'showing the statements that compile, each on its own'
      or 'showing the last good compilation'
    title = title .. '  |  compile error: ' .. view.error .. ' (' .. shown .. ')'
  end
  vim.wo[win].winbar = title:gsub('%%', '%%%%')
end

--- Highlight the instructions of the source cursor's line and scroll them into view.
---@param view bytelens.DisView
function M.follow(view)
  local source_win = vim.fn.bufwinid(view.source)
  if vim.api.nvim_get_current_buf() == view.source then
    source_win = vim.api.nvim_get_current_win()
  end
  if source_win == -1 then
    return
  end
  local line = vim.api.nvim_win_get_cursor(source_win)[1] - 1
  vim.api.nvim_buf_clear_namespace(view.buf, dis_ns, 0, -1)
  local targets = view.dis_lines[line] or {}
  local count = vim.api.nvim_buf_line_count(view.buf)
  for _, target in ipairs(targets) do
    if target < count then
      vim.api.nvim_buf_set_extmark(view.buf, dis_ns, target, 0, { line_hl_group = 'BytelensDisLine' })
    end
  end
  local dis_win = vim.fn.bufwinid(view.buf)
  if dis_win ~= -1 and targets[1] and targets[1] < count then
    -- Show the last instruction first, then the first: the whole group is on screen when it fits.
    vim.api.nvim_win_set_cursor(dis_win, { math.min(targets[#targets], count - 1) + 1, 0 })
    vim.api.nvim_win_set_cursor(dis_win, { targets[1] + 1, 0 })
  end
end

--- Highlight the source line of the disassembly cursor's line (moving in the disassembly).
---@param view bytelens.DisView
local function follow_back(view)
  if not vim.api.nvim_buf_is_valid(view.source) then
    return
  end
  vim.api.nvim_buf_clear_namespace(view.source, source_ns, 0, -1)
  local line = view.source_line[vim.api.nvim_win_get_cursor(0)[1] - 1]
  if not line or line >= vim.api.nvim_buf_line_count(view.source) then
    return
  end
  vim.api.nvim_buf_set_extmark(view.source, source_ns, line, 0, { line_hl_group = 'BytelensDisSource' })
  local source_win = vim.fn.bufwinid(view.source)
  if source_win ~= -1 then
    vim.api.nvim_win_set_cursor(source_win, { line + 1, 0 })
  end
end

--- Put a `bytelens/disassemble` result in the view.
---@param view bytelens.DisView
---@param result table
local function render(view, result)
  local text = type(result.text) == 'string' and result.text or ''
  local lines = vim.split(text, '\n', { plain = true })
  if #lines > 1 and lines[#lines] == '' then
    table.remove(lines)
  end
  view.dis_lines, view.source_line = {}, {}
  for _, entry in ipairs(type(result.map) == 'table' and result.map or {}) do
    local source_line = tonumber(entry.sourceLine)
    if source_line and type(entry.disLines) == 'table' then
      view.dis_lines[source_line] = entry.disLines
      for _, dis_line in ipairs(entry.disLines) do
        view.source_line[dis_line] = source_line
      end
    end
  end
  view.error = (type(result.error) == 'string' and result.error ~= '') and result.error or nil
  view.partial = result.partial == true
  view.explanations = type(result.explanations) == 'table' and result.explanations or {}
  vim.bo[view.buf].modifiable = true
  vim.api.nvim_buf_set_lines(view.buf, 0, -1, false, lines)
  vim.bo[view.buf].modifiable = false
  set_winbar(view)
  M.follow(view)
end

--- What the instruction on a listing line does: the float's lines, or nil for a line without one
--- (headers, blank lines). The opname is the first word of the line the server explained.
---@param view bytelens.DisView
---@param line integer  0-based line of the disassembly buffer
---@return string[]|nil
function M.explanation_lines(view, line)
  local text = vim.api.nvim_buf_get_lines(view.buf, line, line + 1, false)[1] or ''
  for word in text:gmatch('%S+') do
    local entry = word:match('^[A-Z][A-Z0-9_]+$') and (view.explanations or {})[word]
    if type(entry) == 'table' then
      return { word .. '  ' .. tostring(entry.picture), '', tostring(entry.explanation) }
    end
  end
  return nil
end

--- `K` in the disassembly: the cursor line's instruction explained in a float.
---@param view bytelens.DisView
function M.explain(view)
  local lines = M.explanation_lines(view, vim.api.nvim_win_get_cursor(0)[1] - 1)
  if not lines then
    client.notify('no instruction on this line', vim.log.levels.INFO)
    return
  end
  vim.lsp.util.open_floating_preview(lines, 'text', { border = 'rounded', wrap = true, max_width = 80,
    focus_id = 'bytelens.dis.explain' })
end

--- Ask the server for the disassembly of the source and show it.
---@param view bytelens.DisView
---@param callback? fun()
function M.refresh(view, callback)
  local lsp_client = client.get(view.source)
  if not lsp_client then
    client.notify('the language server is gone from this buffer', vim.log.levels.WARN)
    return
  end
  local params = { uri = vim.uri_from_bufnr(view.source) }
  client.request(lsp_client, 'bytelens/disassemble', params, function(err, result)
    if not M.get(view.source) then
      return
    end
    if err then
      client.notify('disassembly failed: ' .. client.error_message(err), vim.log.levels.ERROR)
    elseif type(result) == 'table' then
      render(view, result)
    end
    if callback then
      callback()
    end
  end, view.source)
end

---@param view bytelens.DisView
local function refresh_later(view)
  if view.timer then
    view.timer:stop()
  else
    view.timer = (vim.uv or vim.loop).new_timer()
  end
  view.timer:start(
    REFRESH_DELAY_MS,
    0,
    vim.schedule_wrap(function()
      if M.get(view.source) then
        M.refresh(view)
      end
    end)
  )
end

---@param view bytelens.DisView
local function close(view)
  views[view.source] = nil
  pcall(vim.api.nvim_del_augroup_by_id, view.group)
  if view.timer then
    view.timer:stop()
    view.timer:close()
    view.timer = nil
  end
  if vim.api.nvim_buf_is_valid(view.source) then
    vim.api.nvim_buf_clear_namespace(view.source, source_ns, 0, -1)
  end
  if vim.api.nvim_buf_is_valid(view.buf) then
    vim.api.nvim_buf_delete(view.buf, { force = true })
  end
end

---@param view bytelens.DisView
local function watch(view)
  local source, buf, group = view.source, view.buf, view.group
  vim.api.nvim_create_autocmd({ 'CursorMoved', 'CursorMovedI' }, {
    group = group,
    buffer = source,
    callback = function()
      M.follow(view)
    end,
  })
  -- on_lines sees every change (typing, undo, other plugins, the API), where TextChanged does not.
  vim.api.nvim_buf_attach(source, false, {
    on_lines = function()
      if M.get(source) ~= view then
        return true
      end
      refresh_later(view)
    end,
  })
  vim.api.nvim_create_autocmd('CursorMoved', {
    group = group,
    buffer = buf,
    callback = function()
      follow_back(view)
    end,
  })
  vim.api.nvim_create_autocmd({ 'BufWipeout', 'BufDelete' }, {
    group = group,
    buffer = buf,
    callback = function()
      vim.schedule(function()
        close(view)
      end)
    end,
  })
  vim.api.nvim_create_autocmd('BufWipeout', {
    group = group,
    buffer = source,
    callback = function()
      vim.schedule(function()
        close(view)
      end)
    end,
  })
end

--- `:BytelensDis`: open (or refresh) the disassembly of the current buffer beside it. The cursor
--- stays in the source.
---@param opts? {on_ready?: fun(buf: integer)}  called once the first disassembly is shown
function M.open(opts)
  opts = opts or {}
  local source = vim.api.nvim_get_current_buf()
  if not client.get(source) then
    client.notify('no bytelens language server in this buffer (see :checkhealth bytelens)', vim.log.levels.ERROR)
    return
  end
  local view = M.get(source)
  if not view then
    view = {
      source = source,
      buf = ui.scratch(ui.view_name('dis', source), 'bytelens-dis'),
      group = vim.api.nvim_create_augroup('bytelens.dis.' .. source, { clear = true }),
      dis_lines = {},
      source_line = {},
      explanations = {},
    }
    views[source] = view
    watch(view)
    vim.keymap.set('n', 'K', function()
      M.explain(view)
    end, { buffer = view.buf, nowait = true, desc = 'bytelens: what this instruction does' })
  end
  if vim.fn.bufwinid(view.buf) == -1 then
    local source_win = vim.api.nvim_get_current_win()
    ui.open_split(view.buf)
    vim.wo.cursorline = false
    vim.api.nvim_set_current_win(source_win)
  end
  M.refresh(view, function()
    if opts.on_ready then
      opts.on_ready(view.buf)
    end
  end)
end

return M
