/**
 * "bytelens: Explain Cache": the server's page about the current file's `__pycache__` files, in a
 * read-only virtual document beside it. Two lenses on the page's first line offer its actions:
 * write bytelens's `.blc` (the server compiles the file, never runs it) and compare bytelens's
 * disassembly of it with CPython's (two more read-only documents, side by side). The page is
 * fetched again when the server reports a new state for its source (cacheStatus.ts).
 */

import * as path from 'path';
import * as vscode from 'vscode';
import { BytelensServer } from '../common/server';
import {
    CACHE_SCHEME,
    PageKind,
    SERVER_CACHE_COMMAND,
    SERVER_CACHE_COMPARE_COMMAND,
    SERVER_CACHE_WRITE_COMMAND,
    isCacheResult,
    isCompareResult,
    pageKind,
    pagePath,
} from './cacheModel';

export const EXPLAIN_CACHE_COMMAND = 'bytelens.explainCache';
export const WRITE_CACHE_COMMAND = 'bytelens.writeCache';
export const COMPARE_CACHE_COMMAND = 'bytelens.compareCache';

/** A page's URI: `bytelens-cache:/mod.py (cache)?file:///…/mod.py`. */
export function pageUri(source: vscode.Uri, kind: PageKind): vscode.Uri {
    return vscode.Uri.from({ scheme: CACHE_SCHEME, path: pagePath(path.posix.basename(source.path), kind), query: source.toString() });
}

/** The source file a command is about: its argument, the page's source, or the active editor's file. */
function sourceOf(argument: unknown): vscode.Uri | undefined {
    const uri = argument instanceof vscode.Uri ? argument : vscode.window.activeTextEditor?.document.uri;
    if (uri?.scheme === CACHE_SCHEME) {
        return vscode.Uri.parse(uri.query);
    }
    return uri?.scheme === 'file' ? uri : undefined;
}

export class CachePage implements vscode.TextDocumentContentProvider, vscode.CodeLensProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    private readonly disposables: vscode.Disposable[] = [this.changed];

    constructor(private readonly server: BytelensServer) {}

    register(): vscode.Disposable {
        this.disposables.push(
            vscode.workspace.registerTextDocumentContentProvider(CACHE_SCHEME, this),
            vscode.languages.registerCodeLensProvider({ scheme: CACHE_SCHEME }, this),
            vscode.commands.registerCommand(EXPLAIN_CACHE_COMMAND, (uri?: unknown) => this.explain(uri)),
            vscode.commands.registerCommand(WRITE_CACHE_COMMAND, (uri?: unknown) => this.write(uri)),
            vscode.commands.registerCommand(COMPARE_CACHE_COMMAND, (uri?: unknown) => this.compare(uri)),
        );
        return this;
    }

    /** Opens the page of `uri` (default: the active file) beside it. */
    async explain(uri?: unknown): Promise<vscode.TextEditor | undefined> {
        const source = sourceOf(uri);
        if (!source) {
            void vscode.window.showInformationMessage('Open a Python file on disk to see its cache files explained.');
            return undefined;
        }
        return this.open(pageUri(source, 'cache'), vscode.ViewColumn.Beside);
    }

    /** Asks the server to write the `.blc`, then redraws the page (and says what happened). */
    async write(uri?: unknown): Promise<void> {
        const source = sourceOf(uri);
        if (!source) {
            void vscode.window.showInformationMessage('Open a Python file on disk to write its bytelens cache file.');
            return;
        }
        const result = await this.server.executeCommand(SERVER_CACHE_WRITE_COMMAND, [{ uri: source.toString() }]);
        if (!isCacheResult(result)) {
            void vscode.window.showErrorMessage('bytelens: the server did not answer with a cache page.');
            return;
        }
        if (result.error) {
            void vscode.window.showWarningMessage(`bytelens: ${result.error}`);
        } else {
            vscode.window.setStatusBarMessage(`$(check) bytelens wrote ${result.written}`, 10_000);
        }
        this.refresh(source);
    }

    /** Opens bytelens's listing and CPython's side by side: bytelens's where the command ran (over the
     * page, when run from it), CPython's in the next column. */
    async compare(uri?: unknown): Promise<void> {
        const source = sourceOf(uri);
        if (!source) {
            void vscode.window.showInformationMessage('Open a Python file on disk to compare its disassemblies.');
            return;
        }
        // Pages already open are fetched again: the .blc may have been written since.
        this.refresh(source, ['bytelens', 'cpython']);
        const fromPage = vscode.window.activeTextEditor?.document.uri.scheme === CACHE_SCHEME;
        await this.open(pageUri(source, 'bytelens'), fromPage ? vscode.ViewColumn.Active : vscode.ViewColumn.Beside);
        await this.open(pageUri(source, 'cpython'), vscode.ViewColumn.Beside);
    }

    /** Fetch the pages of `source` again (those that are open). */
    refresh(source: vscode.Uri, kinds: PageKind[] = ['cache', 'bytelens', 'cpython']): void {
        kinds.forEach((kind) => this.changed.fire(pageUri(source, kind)));
    }

    async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
        const source = vscode.Uri.parse(uri.query);
        const kind = pageKind(uri.path);
        try {
            if (kind === 'cache') {
                const result = await this.server.executeCommand(SERVER_CACHE_COMMAND, [{ uri: source.toString() }], token);
                return isCacheResult(result) ? result.text : 'bytelens: the server did not answer with a cache page.\n';
            }
            if (kind === 'bytelens' || kind === 'cpython') {
                const result = await this.server.executeCommand(SERVER_CACHE_COMPARE_COMMAND, [{ uri: source.toString() }], token);
                return isCompareResult(result) ? result[kind].text : 'bytelens: the server did not answer with two listings.\n';
            }
        } catch (error) {
            return `bytelens could not explain the cache of ${source.fsPath}:\n${error instanceof Error ? error.message : error}\n`;
        }
        return '';
    }

    provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
        if (pageKind(document.uri.path) !== 'cache') {
            return [];
        }
        const top = new vscode.Range(0, 0, 0, 0);
        return [
            new vscode.CodeLens(top, { title: "Write bytelens's .blc", command: WRITE_CACHE_COMMAND, arguments: [document.uri] }),
            new vscode.CodeLens(top, { title: "Compare bytelens's disassembly with CPython's", command: COMPARE_CACHE_COMMAND, arguments: [document.uri] }),
        ];
    }

    dispose(): void {
        this.disposables.forEach((d) => d.dispose());
    }

    private async open(uri: vscode.Uri, column: vscode.ViewColumn): Promise<vscode.TextEditor> {
        const document = await vscode.workspace.openTextDocument(uri);
        return vscode.window.showTextDocument(document, { viewColumn: column, preserveFocus: false, preview: false });
    }
}
