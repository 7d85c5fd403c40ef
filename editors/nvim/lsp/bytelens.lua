--- The bytelens language server, for Neovim 0.11's `vim.lsp.enable('bytelens')`.
---
--- Override anything with `vim.lsp.config('bytelens', { cmd = ..., settings = { bytelens = ... } })`.
--- The table comes from the plugin's options (`require('bytelens').setup()`, if called, else defaults).
---@type vim.lsp.Config
return require('bytelens.config').lsp_config()
