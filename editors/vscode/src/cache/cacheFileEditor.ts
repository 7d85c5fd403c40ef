/**
 * Opening a `.pyc` or `.blc` file shows what is in it instead of binary garbage: a read-only custom
 * editor (package.json `customEditors`) whose page is the server's `bytelens.cache` text for that
 * file: the header, the Python or bytelens it belongs to, then the code disassembled (CPython's
 * `dis` for this Python's `.pyc`, bytelens's disassembler for a `.blc`; another Python's `.pyc` only
 * by its header). Reading a cache file never runs it.
 */

import * as vscode from 'vscode';
import { BytelensServer } from '../common/server';
import { SERVER_CACHE_COMMAND, isCacheResult } from './cacheModel';

export const CACHE_FILE_VIEW_TYPE = 'bytelens.cacheFile';

export class CacheFileEditor implements vscode.CustomReadonlyEditorProvider {
    constructor(private readonly server: BytelensServer) {}

    register(): vscode.Disposable {
        return vscode.window.registerCustomEditorProvider(CACHE_FILE_VIEW_TYPE, this, {
            supportsMultipleEditorsPerDocument: true,
        });
    }

    openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
        return { uri, dispose: () => undefined };
    }

    async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
        panel.webview.options = { enableScripts: false };
        panel.webview.html = page('Reading the cache file…');
        const draw = async () => {
            let text: string;
            try {
                const result = await this.server.executeCommand(SERVER_CACHE_COMMAND, [{ uri: document.uri.toString() }]);
                text = isCacheResult(result) ? result.text : 'bytelens: the server did not answer with a cache page.';
            } catch (error) {
                text = `bytelens could not read ${document.uri.fsPath}: ${error instanceof Error ? error.message : error}`;
            }
            panel.webview.html = page(text);
        };
        // The file may be rewritten while it is shown (python imports the module again).
        const watcher = vscode.workspace.createFileSystemWatcher(
            new vscode.RelativePattern(vscode.Uri.joinPath(document.uri, '..'), document.uri.path.split('/').pop() ?? ''));
        watcher.onDidChange(draw);
        watcher.onDidCreate(draw);
        panel.onDidDispose(() => watcher.dispose());
        await draw();
    }
}

function escapeHtml(text: string): string {
    return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** The page: the server's text, as it is, in a <pre> (no scripts; styles from the theme). */
function page(text: string): string {
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline';">
<style>
pre { font-family: var(--vscode-editor-font-family); font-size: var(--vscode-editor-font-size);
      color: var(--vscode-editor-foreground); white-space: pre; overflow-x: auto; }
</style>
</head>
<body><pre id="cache-file">${escapeHtml(text)}</pre></body>
</html>`;
}
