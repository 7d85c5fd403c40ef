/**
 * `bytelens.traceFunction`: what a trace lens (or the palette) runs. It checks workspace trust
 * (before asking anything; the server request checks it again), asks for the call when the lens
 * has none, has the server trace it, and shows the trace panel. The "▷ Trace this file" lens runs
 * it too, with `script: true`: the server traces the whole file, run as `__main__`, and nothing is
 * asked.
 */

import * as vscode from 'vscode';
import { BytelensServer, CommandRefusedError, ServerUnavailableError } from '../common/server';
import { TrustGate } from '../common/trustGate';
import { CallHistory, callPrompt, validateCall } from './callPrompt';
import { TracePanel } from './tracePanel';
import {
    SERVER_TRACE_COMMAND,
    TRACE_FUNCTION_COMMAND,
    ScriptLensArguments,
    TraceCommandResult,
    TraceLensArguments,
    checkTraceCommandResult,
    functionAt,
    isScriptLensArguments,
    isTraceLensArguments,
    scriptName,
} from './traceTypes';

export class TraceCommand {
    private readonly history = new CallHistory();

    constructor(
        private readonly server: BytelensServer,
        private readonly trustGate: TrustGate,
        private readonly panel: TracePanel,
        private readonly log: vscode.LogOutputChannel,
    ) {}

    register(): vscode.Disposable {
        return vscode.commands.registerCommand(TRACE_FUNCTION_COMMAND, (args?: unknown) => this.run(args));
    }

    /** Returns the trace result shown (undefined when nothing ran), which the end-to-end test reads. */
    async run(lensArguments?: unknown): Promise<TraceCommandResult | undefined> {
        if (!this.trustGate.admits(SERVER_TRACE_COMMAND)) {
            return undefined;
        }
        if (isScriptLensArguments(lensArguments)) {
            return this.traceAndShow(lensArguments, scriptName(lensArguments.uri));
        }
        const args = isTraceLensArguments(lensArguments) ? lensArguments : await this.functionAtCursor();
        if (!args) {
            return undefined;
        }
        const call = args.call ?? (await this.askForCall(args));
        if (call === undefined) {
            return undefined;
        }
        return this.traceAndShow({ ...args, call }, call);
    }

    /** Has the server trace `args` (a call, or the whole file) and shows the result in the panel. */
    private async traceAndShow(
        args: (TraceLensArguments & { call: string }) | ScriptLensArguments,
        what: string,
    ): Promise<TraceCommandResult | undefined> {
        const result = await this.trace(args, what);
        if (!result) {
            return undefined;
        }
        if (result.trace === null) {
            void vscode.window.showErrorMessage(`bytelens could not trace ${what}: ${result.error}`);
        }
        const editor = await this.sourceEditor(args.uri);
        this.panel.show(result, editor);
        return result;
    }

    private async askForCall(args: TraceLensArguments): Promise<string | undefined> {
        const prompt = callPrompt(args, this.history.get(args));
        const call = await vscode.window.showInputBox({ ...prompt, ignoreFocusOut: true, validateInput: validateCall });
        if (call !== undefined) {
            this.history.remember(args, call.trim());
            return call.trim();
        }
        return undefined;
    }

    private async trace(
        args: (TraceLensArguments & { call: string }) | ScriptLensArguments,
        what: string,
    ): Promise<TraceCommandResult | undefined> {
        const raw = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `bytelens: tracing ${what}`, cancellable: true },
            async (_progress, token) => {
                try {
                    return await this.server.executeCommand<unknown>(SERVER_TRACE_COMMAND, [args], token);
                } catch (error) {
                    // A refusal has told the user already.
                    if (!token.isCancellationRequested && !(error instanceof CommandRefusedError)) {
                        const message = error instanceof ServerUnavailableError ? error.message : `${error}`;
                        void vscode.window.showErrorMessage(`bytelens could not trace ${what}: ${message}`);
                    }
                    return undefined;
                }
            },
        );
        if (raw === undefined) {
            return undefined;
        }
        const { result, problem } = checkTraceCommandResult(raw);
        if (!result) {
            this.log.error(`Unexpected trace result (${problem}): ${JSON.stringify(raw).slice(0, 2000)}`);
            void vscode.window.showErrorMessage(`bytelens: the server's trace result was not understood (${problem}).`);
        }
        return result;
    }

    /** The lens arguments of the function around the cursor, from the server's own lenses. */
    private async functionAtCursor(): Promise<TraceLensArguments | undefined> {
        const editor = vscode.window.activeTextEditor;
        if (!editor || editor.document.languageId !== 'python') {
            void vscode.window.showInformationMessage('Open a Python file and put the cursor in a function to trace it.');
            return undefined;
        }
        const lenses =
            (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', editor.document.uri)) ?? [];
        const candidates = lenses
            .map((lens) => lens.command?.arguments?.[0])
            .filter(isTraceLensArguments);
        const lines = editor.document.getText().split(/\r?\n/);
        const found = functionAt(candidates, lines, editor.selection.active.line);
        if (!found) {
            void vscode.window.showInformationMessage(
                candidates.length === 0
                    ? 'bytelens found no function to trace in this file (are code lenses on? setting bytelens.codeLens).'
                    : 'Put the cursor inside a function to trace it.',
            );
        }
        return found;
    }

    private async sourceEditor(uri: string): Promise<vscode.TextEditor> {
        const visible = vscode.window.visibleTextEditors.find((editor) => editor.document.uri.toString() === uri);
        if (visible) {
            return visible;
        }
        return vscode.window.showTextDocument(vscode.Uri.parse(uri), { preserveFocus: true });
    }
}
