--- `:checkhealth bytelens`: Neovim version, the server command, the bytelens version, running clients.
local client = require('bytelens.client')
local config = require('bytelens.config')

local M = {}

-- vim.health.ok and friends are 0.10 names; 0.9 has report_ok.
local health = vim.health
local report_start = health.start or health.report_start
local report_ok = health.ok or health.report_ok
local report_warn = health.warn or health.report_warn
local report_error = health.error or health.report_error
local report_info = health.info or health.report_info

--- The server command in use: a running client's, else setup()'s, else vim.lsp.config's (0.11+).
---@return any cmd  a list of strings, or a function (0.11 allows one)
---@return string source  where it came from
function M.server_command()
  local running = client.all()[1]
  if running and running.config and running.config.cmd then
    return running.config.cmd, 'the running client'
  end
  if require('bytelens').is_setup() then
    return config.options.cmd, "require('bytelens').setup()"
  end
  if vim.fn.has('nvim-0.11') == 1 then
    local resolved = vim.lsp.config.bytelens
    if resolved and resolved.cmd then
      return resolved.cmd, "vim.lsp.config('bytelens')"
    end
  end
  return config.options.cmd, 'the default'
end

--- The command that prints the version: the server command with `serve` and what follows replaced
--- by `--version` (`bytelens serve` -> `bytelens --version`, `python -m bytelens serve` -> ...).
---@param cmd string[]
---@return string[]
function M.version_command(cmd)
  local result = {}
  for _, part in ipairs(cmd) do
    if part == 'serve' then
      break
    end
    table.insert(result, part)
  end
  table.insert(result, '--version')
  return result
end

---@param cmd string[]
---@return boolean success
---@return string output
local function run(cmd)
  if vim.system then
    local done = vim.system(cmd, { text = true }):wait(15000)
    return done.code == 0, vim.trim((done.stdout or '') .. (done.stderr or ''))
  end
  local output = vim.fn.system(cmd)
  return vim.v.shell_error == 0, vim.trim(output)
end

local function check_neovim()
  local version = vim.version()
  local text = string.format('Neovim %d.%d.%d', version.major, version.minor, version.patch)
  if vim.fn.has('nvim-0.11') == 1 then
    report_ok(text .. ": vim.lsp.enable('bytelens') and require('bytelens').setup() both work")
  elseif vim.fn.has('nvim-0.9') == 1 then
    report_ok(text .. ": use require('bytelens').setup() (vim.lsp.enable needs 0.11)")
  else
    report_error(text .. ': bytelens needs Neovim 0.9 or newer')
  end
end

local function check_server()
  local cmd, source = M.server_command()
  if type(cmd) ~= 'table' then
    report_info('the server command (from ' .. source .. ') is a function: not checked')
    return
  end
  local shown = table.concat(cmd, ' ')
  if vim.fn.executable(cmd[1]) == 0 then
    report_error(string.format('server command not found: %s (from %s)', shown, source), {
      'install bytelens in the Python you use: python3 -m pip install bytelens',
      "or point the plugin at it: require('bytelens').setup({ cmd = { '/path/to/python', '-m', 'bytelens', 'serve' } })",
    })
    return
  end
  report_ok(string.format('server command found: %s (from %s; %s)', shown, source, vim.fn.exepath(cmd[1])))
  local version_cmd = M.version_command(cmd)
  local success, output = run(version_cmd)
  if success and output:match('^bytelens ') then
    report_ok(output .. ' (' .. table.concat(version_cmd, ' ') .. ')')
  else
    report_error(
      string.format('`%s` failed: %s', table.concat(version_cmd, ' '), output ~= '' and output or 'no output'),
      { 'is bytelens installed in that interpreter? python3 -m pip install bytelens' }
    )
  end
end

local function check_clients()
  local clients = client.all()
  if #clients == 0 then
    report_warn('no bytelens client is running', {
      "open a Python file; on 0.11+ call vim.lsp.enable('bytelens'), else require('bytelens').setup()",
    })
    return
  end
  for _, lsp_client in ipairs(clients) do
    local buffers = {}
    for bufnr in pairs(lsp_client.attached_buffers or {}) do
      table.insert(buffers, vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':~:.'))
    end
    table.sort(buffers)
    local server = lsp_client.server_info or {}
    local message = string.format(
      'client %d (server %s %s) attached to: %s',
      lsp_client.id,
      server.name or '?',
      server.version or '?',
      #buffers > 0 and table.concat(buffers, ', ') or 'no buffer'
    )
    if #buffers > 0 then
      report_ok(message)
    else
      report_warn(message)
    end
  end
end

--- The `:checkhealth bytelens` entry point.
function M.check()
  report_start('bytelens')
  check_neovim()
  check_server()
  check_clients()
end

return M
