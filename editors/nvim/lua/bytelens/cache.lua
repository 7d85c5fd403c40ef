--- `:BytelensCache`: why Python (and bytelens) will or will not use this file's `__pycache__` files.
---
--- The server's `bytelens.cache` result carries the page already formatted (`text`): this module only
--- puts it in a read-only split, and never re-derives a verdict.
local client = require('bytelens.client')
local ui = require('bytelens.ui')

local M = {}

--- Show `result.text` in the cache view of `source`.
---@param source integer
---@param result table
function M.render(source, result)
  local buf = ui.scratch(ui.view_name('cache', source), 'bytelens-cache')
  local lines = vim.split(result.text or '', '\n', { plain = true })
  if lines[#lines] == '' then
    table.remove(lines)
  end
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.b[buf].bytelens_cache = { summary = result.summary }
  local win = vim.fn.bufwinid(buf)
  if win == -1 then
    win = ui.open_split(buf)
    vim.wo[win].wrap = true
  end
  return buf
end

--- Ask the server about the current buffer's file and open the page.
function M.open()
  local source = vim.api.nvim_get_current_buf()
  local lsp = client.get(source)
  if not lsp then
    client.notify('no bytelens language server in this buffer (see :checkhealth bytelens)', vim.log.levels.ERROR)
    return
  end
  client.execute(lsp, 'bytelens.cache', { { uri = vim.uri_from_bufnr(source) } }, function(err, result)
    if err then
      client.notify('cache explanation failed: ' .. client.error_message(err), vim.log.levels.ERROR)
    elseif type(result) == 'table' then
      M.render(source, result)
    end
  end, source)
end

return M
