"""bytelens.server: the language server (pygls 2.x) behind the VS Code and Neovim integrations."""
