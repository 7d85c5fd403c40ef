-- bytelens: user commands, <Plug> mappings and the LspAttach hook. Everything else loads on first use.
if vim.g.loaded_bytelens == 1 then
  return
end
vim.g.loaded_bytelens = 1

vim.api.nvim_create_user_command('BytelensTrace', function(command)
  require('bytelens').trace({ call = command.args ~= '' and command.args or nil })
end, {
  nargs = '?',
  complete = function(arglead)
    return require('bytelens.trace').complete(arglead)
  end,
  desc = 'bytelens: trace the function under the cursor on the VM',
})

vim.api.nvim_create_user_command('BytelensDis', function()
  require('bytelens').dis()
end, { nargs = 0, desc = 'bytelens: disassembly of this file beside it, following the cursor' })

vim.api.nvim_create_user_command('BytelensCache', function(command)
  require('bytelens').cache(command.args)
end, {
  nargs = '?',
  complete = function(arglead)
    return require('bytelens.cache').complete(arglead)
  end,
  desc = "bytelens: explain this file's __pycache__ files (.pyc and .blc); write the .blc; compare",
})

local plugs = {
  ['<Plug>(bytelens-trace)'] = { 'trace', 'trace the function under the cursor' },
  ['<Plug>(bytelens-dis)'] = { 'dis', 'show the disassembly beside the source' },
  ['<Plug>(bytelens-lens-run)'] = { 'run_lens', 'run the code lens of the cursor line' },
  ['<Plug>(bytelens-cache-write)'] = { 'cache_write', "write this file's bytelens cache file (.blc)" },
  ['<Plug>(bytelens-cache-compare)'] = { 'cache_compare', "bytelens's disassembly beside CPython's" },
  ['<Plug>(bytelens-trace-next)'] = { 'trace_next', 'next step of the trace' },
  ['<Plug>(bytelens-trace-prev)'] = { 'trace_prev', 'previous step of the trace' },
  ['<Plug>(bytelens-trace-first)'] = { 'trace_first', 'first step of the trace' },
  ['<Plug>(bytelens-trace-last)'] = { 'trace_last', 'last step of the trace' },
}
for lhs, action in pairs(plugs) do
  vim.keymap.set('n', lhs, function()
    require('bytelens')[action[1]]()
  end, { desc = 'bytelens: ' .. action[2] })
end

vim.api.nvim_create_autocmd('BufReadCmd', {
  group = vim.api.nvim_create_augroup('bytelens.cachefile', { clear = true }),
  pattern = { '*.pyc', '*.blc' },
  desc = 'bytelens: show a cache file explained instead of its bytes',
  callback = function(event)
    require('bytelens.cache').read_cache_file(event.buf, event.match)
  end,
})

local group = vim.api.nvim_create_augroup('bytelens.attach', { clear = true })
vim.api.nvim_create_autocmd({ 'LspAttach', 'LspDetach' }, {
  group = group,
  desc = 'bytelens: lenses and commands for the bytelens language server',
  callback = function(event)
    local client = vim.lsp.get_client_by_id(event.data.client_id)
    if client and client.name == 'bytelens' then
      if event.event == 'LspAttach' then
        require('bytelens').attach(client, event.buf)
      else
        require('bytelens').detach(client, event.buf)
      end
    end
  end,
})
