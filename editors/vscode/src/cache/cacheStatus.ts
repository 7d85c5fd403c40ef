/**
 * The cache state of the active Python file in a few words, in the status bar: the server's
 * `bytelens/cacheState` summary (".pyc stale, source changed since · .blc fresh"), sent when the
 * file is opened or saved and when one of its cache files changes on disk (the server asks VS Code
 * to watch `__pycache__` folders; nothing polls). A click opens the explanation page.
 */

import * as vscode from 'vscode';
import { BytelensServer } from '../common/server';
import { CACHE_SCHEME, CACHE_STATE_NOTIFICATION, CacheState, isCacheState, needsAttention, statusText } from './cacheModel';
import { EXPLAIN_CACHE_COMMAND } from './cachePage';

export class CacheStatus implements vscode.Disposable {
    private readonly item = vscode.window.createStatusBarItem('bytelens.cache', vscode.StatusBarAlignment.Right, 100);
    /** Source URI -> its last state from the server. */
    private readonly states = new Map<string, CacheState>();
    private readonly disposables: vscode.Disposable[] = [this.item];

    constructor(
        server: BytelensServer,
        /** Called with the source of every new state (to redraw an open cache page). */
        private readonly onState: (source: vscode.Uri) => void,
    ) {
        this.item.name = 'bytelens cache';
        this.item.command = { title: 'Explain Cache', command: EXPLAIN_CACHE_COMMAND };
        server.onNotification(CACHE_STATE_NOTIFICATION, (params) => this.received(params));
        this.disposables.push(
            vscode.window.onDidChangeActiveTextEditor(() => this.show()),
            vscode.workspace.onDidCloseTextDocument((document) => this.states.delete(document.uri.toString())),
        );
    }

    dispose(): void {
        this.disposables.forEach((d) => d.dispose());
    }

    private received(params: unknown): void {
        if (!isCacheState(params)) {
            return;
        }
        // The server's URIs and VS Code's may differ in escaping: compare them parsed.
        const source = vscode.Uri.parse(params.uri);
        this.states.set(source.toString(), params);
        this.show();
        this.onState(source);
    }

    private show(): void {
        const uri = vscode.window.activeTextEditor?.document.uri;
        // On a cache page, the state of the page's source.
        const source = uri?.scheme === CACHE_SCHEME ? vscode.Uri.parse(uri.query) : uri;
        const state = source && this.states.get(source.toString());
        if (!state) {
            this.item.hide();
            return;
        }
        this.item.text = statusText(state);
        this.item.tooltip = `bytelens: ${source.fsPath}'s cache files (click for why)`;
        this.item.backgroundColor = needsAttention(state) ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
        this.item.show();
    }
}
