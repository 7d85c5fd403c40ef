/**
 * "bytelens: Show Bytecode": the whole-file disassembly in a read-only virtual document beside the
 * source, kept up to date as the source changes. Moving the cursor in the source highlights and
 * reveals that line's instructions; moving it in the listing highlights the source line
 * (Compiler Explorer style). The server's `map` says which lines go together. Hovering an
 * instruction in the listing shows what its opcode does, from the server's `explanations`.
 */

import * as path from 'path';
import * as vscode from 'vscode';
import { BytelensServer } from '../common/server';
import {
    DisassemblyIndex,
    LineSpan,
    OpcodeExplanation,
    SERVER_DISASSEMBLE_COMMAND,
    explainLine,
    isDisassembleResult,
} from './disMap';

export const SCHEME = 'bytelens-dis';
export const SHOW_BYTECODE_COMMAND = 'bytelens.showBytecode';
/** Quiet time after an edit before the listing is fetched again. */
const REFRESH_DELAY_MS = 300;

/**
 * The listing's URI for a source file: the tab reads `fib.py (bytecode)`, and the name gives it
 * the language `bytelens-dis` (package.json's `filenamePatterns`) for its colours.
 */
export function listingUri(source: vscode.Uri): vscode.Uri {
    return vscode.Uri.from({ scheme: SCHEME, path: `/${path.posix.basename(source.path)} (bytecode)`, query: source.toString() });
}

function sourceUriOf(listing: vscode.Uri): vscode.Uri {
    return vscode.Uri.parse(listing.query);
}

export class BytecodeView implements vscode.TextDocumentContentProvider, vscode.HoverProvider, vscode.Disposable {
    private readonly changed = new vscode.EventEmitter<vscode.Uri>();
    readonly onDidChange = this.changed.event;
    /** Listing URI -> its index, for every listing fetched and not yet closed. */
    private readonly indexes = new Map<string, DisassemblyIndex>();
    /** Listing URI -> the server's explanations of its opcodes. */
    private readonly explanations = new Map<string, Record<string, OpcodeExplanation>>();
    private readonly refreshTimers = new Map<string, NodeJS.Timeout>();
    private readonly instructionHighlight = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor('editor.rangeHighlightBackground'),
        overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
        overviewRulerLane: vscode.OverviewRulerLane.Full,
    });
    private readonly disposables: vscode.Disposable[] = [this.changed, this.instructionHighlight];

    constructor(private readonly server: BytelensServer) {}

    register(): vscode.Disposable {
        this.disposables.push(
            vscode.workspace.registerTextDocumentContentProvider(SCHEME, this),
            vscode.languages.registerHoverProvider({ scheme: SCHEME }, this),
            vscode.commands.registerCommand(SHOW_BYTECODE_COMMAND, (uri?: unknown) => this.show(uri)),
            vscode.window.onDidChangeTextEditorSelection((event) => this.followSelection(event.textEditor)),
            vscode.window.onDidChangeVisibleTextEditors(() => this.highlightAll(false)),
            vscode.workspace.onDidChangeTextDocument((event) => this.sourceChanged(event.document)),
            vscode.workspace.onDidCloseTextDocument((document) => {
                if (document.uri.scheme === SCHEME) {
                    this.indexes.delete(document.uri.toString());
                    this.explanations.delete(document.uri.toString());
                }
            }),
        );
        return this;
    }

    /** Opens the listing of `uri` (default: the active editor's file) beside it. */
    async show(uri?: unknown): Promise<vscode.TextEditor | undefined> {
        const source =
            uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
        if (!source || source.scheme === SCHEME) {
            void vscode.window.showInformationMessage('Open a Python file to see its bytecode.');
            return undefined;
        }
        const document = await vscode.workspace.openTextDocument(listingUri(source));
        const editor = await vscode.window.showTextDocument(document, {
            viewColumn: vscode.ViewColumn.Beside,
            preserveFocus: true,
            preview: false,
        });
        this.highlightAll(true);
        return editor;
    }

    async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
        const source = sourceUriOf(uri);
        let result: unknown;
        try {
            result = await this.server.executeCommand(SERVER_DISASSEMBLE_COMMAND, [{ uri: source.toString() }], token);
        } catch (error) {
            return `# bytelens could not disassemble ${source.fsPath}:\n# ${error instanceof Error ? error.message : error}\n`;
        }
        if (!isDisassembleResult(result)) {
            return `# bytelens: the server's answer was not a disassembly.\n`;
        }
        this.indexes.set(uri.toString(), new DisassemblyIndex(result.map));
        this.explanations.set(uri.toString(), result.explanations ?? {});
        if (result.error !== null) {
            if (!result.text) {
                return `# ${result.error.split('\n').join('\n# ')}\n`;
            }
            const shown = result.partial ? 'the listing is of the statements that compile, each on its own' : 'the listing is from the last good compile';
            vscode.window.setStatusBarMessage(`$(warning) bytelens: ${result.error} (${shown})`, 10_000);
        }
        setTimeout(() => this.highlightAll(false), 0);
        return result.text;
    }

    /** The instruction under the mouse, explained by the server's `explanations`. */
    provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
        const found = explainLine(document.lineAt(position.line).text, this.explanations.get(document.uri.toString()));
        if (!found) {
            return undefined;
        }
        const text = new vscode.MarkdownString();
        text.appendMarkdown(`**${found.opname}** `);
        text.appendCodeblock(found.picture, 'text');
        text.appendMarkdown(found.explanation);
        return new vscode.Hover(text, document.lineAt(position.line).range);
    }

    dispose(): void {
        this.refreshTimers.forEach((timer) => clearTimeout(timer));
        this.disposables.forEach((d) => d.dispose());
    }

    private sourceChanged(document: vscode.TextDocument): void {
        const listing = listingUri(document.uri).toString();
        if (document.uri.scheme === SCHEME || !this.indexes.has(listing)) {
            return;
        }
        clearTimeout(this.refreshTimers.get(listing));
        this.refreshTimers.set(
            listing,
            setTimeout(() => {
                this.refreshTimers.delete(listing);
                this.changed.fire(vscode.Uri.parse(listing));
            }, REFRESH_DELAY_MS),
        );
    }

    private followSelection(editor: vscode.TextEditor): void {
        if (editor.document.uri.scheme === SCHEME) {
            this.followListing(editor);
        } else {
            editor.setDecorations(this.instructionHighlight, []);
            this.highlightAll(true, editor);
        }
    }

    /** For each source editor with an open listing: highlight its cursor line's instructions. */
    private highlightAll(reveal: boolean, only?: vscode.TextEditor): void {
        const sources = only ? [only] : vscode.window.visibleTextEditors.filter((e) => e.document.uri.scheme !== SCHEME);
        for (const source of sources) {
            const listing = listingUri(source.document.uri).toString();
            const index = this.indexes.get(listing);
            if (index) {
                this.highlightListing(listing, index.listingSpans(source.selection.active.line), reveal);
            }
        }
    }

    /** A cursor in the listing: highlight that instruction's group and its source line. */
    private followListing(listingEditor: vscode.TextEditor): void {
        const listing = listingEditor.document.uri.toString();
        const index = this.indexes.get(listing);
        const sourceLine = index?.sourceLine(listingEditor.selection.active.line);
        if (!index || sourceLine === undefined) {
            return;
        }
        this.highlightListing(listing, index.listingSpans(sourceLine), false);
        const source = sourceUriOf(listingEditor.document.uri).toString();
        for (const editor of vscode.window.visibleTextEditors) {
            if (editor.document.uri.toString() === source && sourceLine < editor.document.lineCount) {
                const range = editor.document.lineAt(sourceLine).range;
                editor.setDecorations(this.instructionHighlight, [range]);
                editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
            }
        }
    }

    private highlightListing(listing: string, spans: LineSpan[], reveal: boolean): void {
        for (const editor of vscode.window.visibleTextEditors) {
            if (editor.document.uri.toString() !== listing) {
                continue;
            }
            const last = editor.document.lineCount - 1;
            const ranges = spans
                .filter((span) => span.start <= last)
                .map((span) => new vscode.Range(span.start, 0, Math.min(span.end, last), 0));
            editor.setDecorations(this.instructionHighlight, ranges);
            if (reveal && ranges.length > 0) {
                editor.revealRange(ranges[0], vscode.TextEditorRevealType.InCenterIfOutsideViewport);
            }
        }
    }
}
