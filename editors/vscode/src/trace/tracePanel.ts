/**
 * The trace panel: a webview beside the source that shows one step at a time, and the highlight
 * of that step's line in the source editor. One panel, reused for each new trace.
 */

import { randomBytes } from 'crypto';
import * as vscode from 'vscode';
import { Move, StepView, TraceStepper, isMove } from './traceModel';
import { DISPLAY_VERSION, TraceCommandResult, TraceDisplay } from './traceTypes';
import { renderPage, renderStep, stepTexts } from './traceView';

/** Context key that enables the step commands and their key bindings. */
const ACTIVE_CONTEXT = 'bytelens.traceActive';
/** The display of a result without a trace (an error): no steps, nothing to draw. */
const EMPTY_DISPLAY: TraceDisplay = {
    version: DISPLAY_VERSION,
    instructions: [],
    frames: [],
    blocks: [],
    block_stacks: [],
    outcome: [],
    exception: null,
    stats: '',
};

export class TracePanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    private stepper = new TraceStepper([]);
    private display: TraceDisplay = EMPTY_DISPLAY;
    private sourceUri: vscode.Uri | undefined;
    private readonly lineHighlight = vscode.window.createTextEditorDecorationType({
        isWholeLine: true,
        backgroundColor: new vscode.ThemeColor('editor.stackFrameHighlightBackground'),
        overviewRulerColor: new vscode.ThemeColor('editorOverviewRuler.rangeHighlightForeground'),
        overviewRulerLane: vscode.OverviewRulerLane.Full,
        after: { color: new vscode.ThemeColor('editorCodeLens.foreground'), margin: '0 0 0 2em' },
    });
    private readonly disposables: vscode.Disposable[] = [this.lineHighlight];

    constructor(private readonly extensionUri: vscode.Uri) {
        this.disposables.push(
            vscode.window.onDidChangeVisibleTextEditors(() => this.highlight(false)),
        );
    }

    /** Opens (or reuses) the panel beside `source` for a new trace result. */
    show(result: TraceCommandResult, source: vscode.TextEditor): void {
        this.sourceUri = source.document.uri;
        this.stepper = new TraceStepper(result.trace?.steps ?? []);
        this.display = result.trace?.display ?? EMPTY_DISPLAY;
        const column = source.viewColumn === undefined ? vscode.ViewColumn.Beside : source.viewColumn + 1;
        const panel = this.panel ?? this.createPanel(column);
        panel.title = `Trace: ${result.call || 'bytelens'}`;
        panel.webview.html = renderPage(result, {
            cspSource: panel.webview.cspSource,
            nonce: randomBytes(16).toString('base64'),
            scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'trace.js')).toString(),
            styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'trace.css')).toString(),
        });
        panel.reveal(column, true);
        void vscode.commands.executeCommand('setContext', ACTIVE_CONTEXT, this.stepper.count > 0);
        this.highlight();
    }

    /** A step command (key bindings, palette): move and show. */
    move(to: Move): void {
        if (this.panel) {
            this.stepper.move(to);
            this.update();
        }
    }

    /** The step on show, for tests and the status of the panel. */
    current(): StepView | undefined {
        return this.stepper.view();
    }

    dispose(): void {
        this.panel?.dispose();
        this.disposables.forEach((d) => d.dispose());
    }

    private createPanel(column: vscode.ViewColumn): vscode.WebviewPanel {
        const panel = vscode.window.createWebviewPanel(
            'bytelens.trace',
            'Trace',
            { viewColumn: column, preserveFocus: true },
            { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')] },
        );
        panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message), undefined, this.disposables);
        panel.onDidDispose(() => {
            this.panel = undefined;
            this.sourceUri = undefined;
            this.clearHighlight();
            void vscode.commands.executeCommand('setContext', ACTIVE_CONTEXT, false);
        });
        this.panel = panel;
        return panel;
    }

    private receive(message: unknown): void {
        if (typeof message !== 'object' || message === null) {
            return;
        }
        const { type, to } = message as { type?: unknown; to?: unknown };
        if (type === 'move' && isMove(to)) {
            this.stepper.move(to);
        } else if (type !== 'ready') {
            return;
        }
        this.update();
    }

    private update(): void {
        const view = this.stepper.view();
        if (this.panel && view) {
            const html = renderStep(view, this.display);
            void this.panel.webview.postMessage({ type: 'step', html, index: view.index, total: view.total });
        }
        this.highlight();
    }

    /** Highlights the current step's line in every editor showing the traced file, scrolled to it when `reveal`. */
    private highlight(reveal = true): void {
        const view = this.stepper.view();
        const uri = this.sourceUri?.toString();
        for (const editor of vscode.window.visibleTextEditors) {
            if (editor.document.uri.toString() !== uri) {
                continue;
            }
            if (!view || view.editorLine === undefined || view.editorLine >= editor.document.lineCount) {
                editor.setDecorations(this.lineHighlight, []);
                continue;
            }
            const range = editor.document.lineAt(view.editorLine).range;
            const { instruction } = stepTexts(this.display, view.index);
            editor.setDecorations(this.lineHighlight, [
                {
                    range,
                    renderOptions: {
                        after: { contentText: `step ${view.index + 1}/${view.total}: ${instruction}` },
                    },
                },
            ]);
            if (reveal) {
                editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
            }
        }
    }

    private clearHighlight(): void {
        vscode.window.visibleTextEditors.forEach((editor) => editor.setDecorations(this.lineHighlight, []));
    }
}
