--- The trace in a scratch split: a header (call, outcome, stats, output, keys), then one line per step.
---
--- Every text here is the server's: the step lines are its text rendering (the VM's formatter, as
--- `bytelens trace` prints it), and the instruction, block entries, outcome and stats come from the
--- trace's `display` object (docs/trace-format.md), made by the same formatter. This file only lays
--- them out; it never formats a step itself. The current step is marked `>` and followed by its
--- detail lines: the evaluation stack and the block stack, drawn top first. Its source line is
--- highlighted in the source buffer with an extmark. Stepping moves the mark and the detail lines;
--- everything is real buffer text, so it can be read, searched and yanked. Raw step fields are used
--- only to navigate (the source line, whether a step is in another file).
local config = require('bytelens.config')
local ui = require('bytelens.ui')

local M = {}

local source_ns = vim.api.nvim_create_namespace('bytelens.trace.source')
local view_ns = vim.api.nvim_create_namespace('bytelens.trace.view')

---@class bytelens.TraceView
---@field buf integer             the trace buffer
---@field source integer          the traced source buffer
---@field source_win integer|nil  the window the trace was started from
---@field steps table[]           trace steps (docs/trace-format.md)
---@field display table          the trace's display texts (docs/trace-format.md, "display")
---@field lines string[]          one display line per step
---@field current integer         1-based index of the current step (0: none yet)
---@field header integer          number of header lines
---@field detail integer          number of detail lines under the current step

---@type table<integer, bytelens.TraceView>  trace buffer -> view
local views = {}

local MAX_TEXT_LINES = 12
local MAX_DETAIL_ITEMS = 16
local DETAIL_INDENT = string.rep(' ', 10)

---@param value any
---@return boolean
local function present(value)
  return value ~= nil and value ~= vim.NIL and value ~= ''
end

--- The display texts of a trace, with every list present (an older server sends none).
---@param trace table
---@return table
function M.display_of(trace)
  local display = type(trace.display) == 'table' and trace.display or {}
  local function list(name)
    return type(display[name]) == 'table' and display[name] or {}
  end
  return {
    instructions = list('instructions'),
    frames = list('frames'),
    blocks = list('blocks'),
    block_stacks = list('block_stacks'),
    outcome = list('outcome'),
    stats = present(display.stats) and display.stats or nil,
    explanations = list('explanations'),
    sentences = list('sentences'),
  }
end

--- Step `index`'s sentence as the server wrote it (`BINARY_ADD popped 10 and 1 and pushed 11.`), or nil.
---@param display table
---@param index integer
---@return string|nil
function M.explanation(display, index)
  local which = tonumber(display.explanations[index])
  return which and display.sentences[which + 1] or nil
end

--- Step `index`'s instruction as the listing prints it (the server's text).
---@param display table
---@param index integer
---@return string
function M.instruction(display, index)
  return tostring(display.instructions[index] or '?')
end

--- Step `index`'s block entries, bottom first, as the server formatted them.
---@param display table
---@param index integer
---@return string[]
function M.block_entries(display, index)
  local which = tonumber(display.blocks[index])
  return which and display.block_stacks[which + 1] or {}
end

--- The detail lines of a step: the server's sentence of what it did, then the evaluation stack and
--- the block stack, one entry a line, top
--- first (the way a stack is drawn), and the file when the step is not in the traced one.
---@param step table        the raw step (its stack entries are the server's bounded reprs)
---@param blocks string[]    the step's block entries (`M.block_entries`)
---@param explanation? string  the step's sentence (`M.explanation`), shown first
---@return string[]
function M.detail_lines(step, blocks, explanation)
  local lines = {}
  if explanation then
    table.insert(lines, string.format('%s%-7s %s', DETAIL_INDENT, 'did', explanation))
  end
  ---@param title string
  ---@param items string[]  bottom first
  ---@param empty string
  local function column(title, items, empty)
    if #items == 0 then
      table.insert(lines, string.format('%s%-7s %s', DETAIL_INDENT, title, empty))
      return
    end
    local last_shown = math.max(1, #items - MAX_DETAIL_ITEMS + 1)
    for position = #items, last_shown, -1 do
      local top = position == #items
      table.insert(
        lines,
        string.format('%s%-7s %s%s', DETAIL_INDENT, top and title or '', items[position], top and '   <- top' or '')
      )
    end
    if last_shown > 1 then
      table.insert(lines, string.format('%s%-7s ... %d more below', DETAIL_INDENT, '', last_shown - 1))
    end
  end
  local stack = {}
  for _, value in ipairs(type(step.stack) == 'table' and step.stack or {}) do
    table.insert(stack, tostring(value))
  end
  column('stack', stack, '(empty)')
  column('blocks', blocks, '(none)')
  if present(step.file) then
    table.insert(lines, string.format('%s%-7s %s', DETAIL_INDENT, 'file', tostring(step.file)))
  end
  return lines
end

--- One display line per step: the numbered lines of the server's text rendering when they are all
--- there in order, else the step's number and the server's frame and instruction texts.
---@param result table  the `bytelens.trace` result
---@param steps table[]
---@param display table  `M.display_of(result.trace)`
---@return string[]
function M.step_lines(result, steps, display)
  if type(result.text) == 'string' and #steps > 0 then
    local text = vim.split(result.text, '\n', { plain = true })
    for first, line in ipairs(text) do
      if line:match('^%s*1%s') then
        local lines = vim.list_slice(text, first, first + #steps - 1)
        local numbered = #lines == #steps
        for index, step_line in ipairs(lines) do
          numbered = numbered and step_line:match('^%s*(%d+)%s') == tostring(index)
        end
        if numbered then
          return lines
        end
        break
      end
    end
  end
  local lines = {}
  for index = 1, #steps do
    lines[index] = string.format('%6d  %s  %s', index, tostring(display.frames[index] or ''), M.instruction(display, index))
  end
  return lines
end

---@param text any
---@param limit integer
---@return string[]
local function text_lines(text, limit)
  if not present(text) then
    return {}
  end
  local lines = vim.split(tostring(text), '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  if #lines > limit then
    local hidden = #lines - limit
    lines = vim.list_slice(lines, 1, limit)
    table.insert(lines, string.format('... %d more line%s', hidden, hidden == 1 and '' or 's'))
  end
  return lines
end

--- The header: call and summary, outcome (as `bytelens trace` prints it), stats, output, keys, and
--- a blank line.
---@param result table  the `bytelens.trace` result
---@param display table  `M.display_of(result.trace)`
---@return string[]
function M.header_lines(result, display)
  local trace = result.trace
  local lines = { 'bytelens trace  ' .. tostring(present(result.summary) and result.summary or result.call) }
  vim.list_extend(lines, text_lines(table.concat(display.outcome, '\n'), MAX_TEXT_LINES))
  if display.stats then
    table.insert(lines, 'stats: ' .. tostring(display.stats))
  end
  for index, line in ipairs(text_lines(trace.stdout, MAX_TEXT_LINES)) do
    table.insert(lines, (index == 1 and 'output  ' or '        ') .. line)
  end
  local keys = config.options.keys
  local help = {}
  for _, item in ipairs({
    { 'next', 'next' },
    { 'prev', 'previous' },
    { 'first', 'first' },
    { 'last', 'last' },
    { 'select', 'step under cursor' },
    { 'close', 'close' },
  }) do
    if keys[item[1]] then
      table.insert(help, keys[item[1]] .. ' ' .. item[2])
    end
  end
  if #help > 0 then
    table.insert(lines, 'keys    ' .. table.concat(help, ' · '))
  end
  table.insert(lines, '')
  return lines
end

--- A step line with the current-step mark in its first column.
---@param view bytelens.TraceView
---@param index integer
---@param is_current boolean
---@return string
local function marked(view, index, is_current)
  return (is_current and '>' or ' ') .. view.lines[index]
end

--- 0-based buffer line of step `index`.
---@param view bytelens.TraceView
---@param index integer
---@return integer
local function line_of(view, index)
  local below_detail = (view.current > 0 and index > view.current) and view.detail or 0
  return view.header + index - 1 + below_detail
end

---@param view bytelens.TraceView
---@param callback fun()
local function edit(view, callback)
  vim.bo[view.buf].modifiable = true
  callback()
  vim.bo[view.buf].modifiable = false
end

--- Highlight the source line of the current step in the source buffer and bring it into view.
---@param view bytelens.TraceView
local function highlight_source(view)
  if not vim.api.nvim_buf_is_valid(view.source) then
    return
  end
  vim.api.nvim_buf_clear_namespace(view.source, source_ns, 0, -1)
  local step = view.steps[view.current]
  -- A step with a `file` runs in another file (an imported module): nothing to show here.
  if not step or not present(step.line) or present(step.file) then
    return
  end
  local line = tonumber(step.line) - 1
  if line < 0 or line >= vim.api.nvim_buf_line_count(view.source) then
    return
  end
  vim.api.nvim_buf_set_extmark(view.source, source_ns, line, 0, {
    line_hl_group = 'BytelensTraceLine',
    virt_text = {
      { string.format('  <- step %d: %s', view.current, M.instruction(view.display, view.current)), 'BytelensTraceVirtual' },
    },
    virt_text_pos = 'eol',
  })
  local win = view.source_win
  if not (win and vim.api.nvim_win_is_valid(win) and vim.api.nvim_win_get_buf(win) == view.source) then
    win = vim.fn.bufwinid(view.source)
  end
  if win ~= -1 then
    vim.api.nvim_win_set_cursor(win, { line + 1, 0 })
  end
end

--- Make step `index` the current one: move the mark and the detail lines, highlight the source.
---@param view bytelens.TraceView
---@param index integer
local function go(view, index)
  if #view.steps == 0 then
    return
  end
  index = math.max(1, math.min(index, #view.steps))
  edit(view, function()
    if view.current > 0 then
      local old = line_of(view, view.current)
      vim.api.nvim_buf_set_lines(view.buf, old, old + 1 + view.detail, false, { marked(view, view.current, false) })
      view.detail = 0
    end
    view.current = index
    local new = line_of(view, index)
    local lines = M.detail_lines(view.steps[index], M.block_entries(view.display, index), M.explanation(view.display, index))
    table.insert(lines, 1, marked(view, index, true))
    vim.api.nvim_buf_set_lines(view.buf, new, new + 1, false, lines)
    view.detail = #lines - 1
  end)
  vim.api.nvim_buf_clear_namespace(view.buf, view_ns, view.header, -1)
  local first = line_of(view, index)
  vim.api.nvim_buf_set_extmark(view.buf, view_ns, first, 0, { line_hl_group = 'BytelensTraceStep' })
  for offset = 1, view.detail do
    vim.api.nvim_buf_set_extmark(view.buf, view_ns, first + offset, 0, { line_hl_group = 'BytelensTraceDetail' })
  end
  for _, win in ipairs(vim.fn.win_findbuf(view.buf)) do
    vim.api.nvim_win_set_cursor(win, { first + 1, 0 })
  end
  highlight_source(view)
end

--- The view of trace buffer `buf` (default: the current buffer).
---@param buf? integer
---@return bytelens.TraceView|nil
function M.get(buf)
  if buf == nil or buf == 0 then
    buf = vim.api.nvim_get_current_buf()
  end
  return views[buf]
end

--- Go to step `index` of the trace in buffer `buf` (default: the current buffer).
---@param index integer
---@param buf? integer
function M.go(index, buf)
  local view = M.get(buf)
  if view then
    go(view, index)
  end
end

--- Step forward ([count] steps).
function M.next()
  local view = M.get()
  if view then
    go(view, view.current + vim.v.count1)
  end
end

--- Step back ([count] steps).
function M.prev()
  local view = M.get()
  if view then
    go(view, view.current - vim.v.count1)
  end
end

--- Go to the first step (or to step [count]).
function M.first()
  local view = M.get()
  if view then
    go(view, vim.v.count > 0 and vim.v.count or 1)
  end
end

--- Go to the last step (or to step [count]).
function M.last()
  local view = M.get()
  if view then
    go(view, vim.v.count > 0 and vim.v.count or #view.steps)
  end
end

--- Make the step under the cursor the current one.
function M.select()
  local view = M.get()
  if not view or view.current == 0 then
    return
  end
  local line = vim.api.nvim_win_get_cursor(0)[1] - 1
  local current_line = line_of(view, view.current)
  if line < view.header then
    return
  elseif line < current_line then
    go(view, line - view.header + 1)
  elseif line <= current_line + view.detail then
    go(view, view.current)
  else
    go(view, line - view.header - view.detail + 1)
  end
end

--- Close the trace window (and its buffer).
function M.close()
  local view = M.get()
  if view then
    vim.api.nvim_buf_delete(view.buf, { force = true })
  end
end

---@param buf integer
local function set_keys(buf)
  local keys = config.options.keys
  local actions = {
    next = { M.next, 'next step' },
    prev = { M.prev, 'previous step' },
    first = { M.first, 'first step' },
    last = { M.last, 'last step' },
    select = { M.select, 'the step under the cursor' },
    close = { M.close, 'close the trace' },
  }
  for name, action in pairs(actions) do
    if keys[name] then
      vim.keymap.set('n', keys[name], action[1], { buffer = buf, nowait = true, desc = 'bytelens: ' .. action[2] })
    end
  end
end

---@param view bytelens.TraceView
local function forget(view)
  views[view.buf] = nil
  if vim.api.nvim_buf_is_valid(view.source) then
    vim.api.nvim_buf_clear_namespace(view.source, source_ns, 0, -1)
  end
end

--- The trace view of `source`, if one is open.
---@param source integer
---@return bytelens.TraceView|nil
local function view_of(source)
  for _, view in pairs(views) do
    if view.source == source and vim.api.nvim_buf_is_valid(view.buf) then
      return view
    end
  end
  return nil
end

--- Show a `bytelens.trace` result for source buffer `source`, reusing its trace window if open.
--- The trace window gets the focus, on the first step.
---@param result table
---@param source integer
---@return integer  the trace buffer
function M.show(result, source)
  local source_win = vim.fn.bufwinid(source)
  local view = view_of(source)
  if view then
    forget(view)
    local win = vim.fn.bufwinid(view.buf)
    if win == -1 then
      ui.open_split(view.buf)
    else
      vim.api.nvim_set_current_win(win)
    end
  else
    view = { buf = ui.scratch(ui.view_name('trace', source), 'bytelens-trace') }
    ui.open_split(view.buf)
    set_keys(view.buf)
    local buf = view.buf
    vim.api.nvim_create_autocmd('BufWipeout', {
      buffer = buf,
      once = true,
      callback = function()
        if views[buf] then
          forget(views[buf])
        end
      end,
    })
  end
  view.source = source
  view.source_win = source_win ~= -1 and source_win or nil
  view.steps = type(result.trace.steps) == 'table' and result.trace.steps or {}
  view.display = M.display_of(result.trace)
  view.lines = M.step_lines(result, view.steps, view.display)
  view.current = 0
  view.detail = 0
  local lines = M.header_lines(result, view.display)
  view.header = #lines
  for index = 1, #view.steps do
    lines[#lines + 1] = marked(view, index, false)
  end
  if #view.steps == 0 then
    table.insert(lines, '  (no steps)')
  end
  edit(view, function()
    vim.api.nvim_buf_set_lines(view.buf, 0, -1, false, lines)
  end)
  vim.api.nvim_buf_clear_namespace(view.buf, view_ns, 0, -1)
  vim.api.nvim_buf_set_extmark(view.buf, view_ns, 0, 0, { line_hl_group = 'BytelensTitle' })
  views[view.buf] = view
  go(view, 1)
  return view.buf
end

return M
