--- Scratch buffers, splits and highlight groups shared by the trace and disassembly views.
local config = require('bytelens.config')

local M = {}

--- Highlight groups, defined `default` so a colorscheme or the user can override them.
local groups = {
  BytelensTitle = 'Title',
  BytelensTraceStep = 'Visual',
  BytelensTraceDetail = 'Special',
  BytelensTraceLine = 'Visual',
  BytelensTraceVirtual = 'Comment',
  BytelensDisLine = 'Visual',
  BytelensDisSource = 'CursorLine',
}

function M.define_highlights()
  for name, link in pairs(groups) do
    vim.api.nvim_set_hl(0, name, { link = link, default = true })
  end
end

M.define_highlights()
vim.api.nvim_create_autocmd('ColorScheme', {
  group = vim.api.nvim_create_augroup('bytelens.highlights', { clear = true }),
  callback = M.define_highlights,
})

--- The name of a view of `source`: `bytelens://<kind>/<path relative to the working directory>`.
---@param kind string
---@param source integer
---@return string
function M.view_name(kind, source)
  return string.format('bytelens://%s/%s', kind, vim.fn.fnamemodify(vim.api.nvim_buf_get_name(source), ':~:.'))
end

--- A read-only scratch buffer named `name` (an existing one of that name is reused).
---@param name string
---@param filetype string
---@return integer
function M.scratch(name, filetype)
  local existing = vim.fn.bufnr(name)
  if existing ~= -1 and vim.api.nvim_buf_is_valid(existing) then
    return existing
  end
  local buf = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_name(buf, name)
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'wipe'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = false
  vim.bo[buf].filetype = filetype
  return buf
end

--- Open `buf` in a new split beside the current window (per the `split` option) and focus it.
---@param buf integer
---@return integer  the new window
function M.open_split(buf)
  local vertical = config.options.split == 'vertical'
  -- `nvim_open_win` opens splits only from 0.10 on.
  vim.cmd(vertical and 'rightbelow vsplit' or 'rightbelow split')
  local win = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_buf(win, buf)
  vim.wo[win].number = false
  vim.wo[win].relativenumber = false
  vim.wo[win].wrap = false
  vim.wo[win].spell = false
  vim.wo[win].list = false
  vim.wo[win].signcolumn = 'no'
  vim.wo[win].foldcolumn = '0'
  return win
end

return M
