/** bytelens for VS Code: wires the language server, the trace panel and the bytecode view together. */

import * as vscode from 'vscode';
import { BytecodeView } from './bytecode/bytecodeView';
import { CacheFileEditor } from './cache/cacheFileEditor';
import { CachePage } from './cache/cachePage';
import { CacheStatus } from './cache/cacheStatus';
import { BytelensServer } from './common/server';
import { StatusItem } from './common/status';
import { workspaceTrustGate } from './common/trust';
import { Move } from './trace/traceModel';
import { TraceCommand } from './trace/traceCommand';
import { TracePanel } from './trace/tracePanel';

let server: BytelensServer | undefined;

/** What `activate` returns: the end-to-end test drives the extension through it. */
export interface BytelensApi {
    server: BytelensServer;
    tracePanel: TracePanel;
}

export async function activate(context: vscode.ExtensionContext): Promise<BytelensApi> {
    const log = vscode.window.createOutputChannel('bytelens', { log: true });
    const status = new StatusItem();
    // One gate for every way into a trace: the server's requests, the client's commands, the lenses.
    const trustGate = workspaceTrustGate();
    server = new BytelensServer(log, status, trustGate, context.extensionPath);
    const tracePanel = new TracePanel(context.extensionUri);
    const cachePage = new CachePage(server);
    const stepCommands: [string, Move][] = [
        ['bytelens.traceFirst', 'first'],
        ['bytelens.tracePrevious', 'previous'],
        ['bytelens.traceNext', 'next'],
        ['bytelens.traceLast', 'last'],
    ];
    context.subscriptions.push(
        log,
        status,
        tracePanel,
        new TraceCommand(server, trustGate, tracePanel, log).register(),
        new BytecodeView(server).register(),
        cachePage.register(),
        new CacheStatus(server, (source) => cachePage.refresh(source)),
        new CacheFileEditor(server).register(),
        vscode.commands.registerCommand('bytelens.restartServer', () => server?.restart()),
        vscode.commands.registerCommand('bytelens.showOutput', () => log.show()),
        ...stepCommands.map(([command, move]) => vscode.commands.registerCommand(command, () => tracePanel.move(move))),
    );
    await server.activate();
    return { server, tracePanel };
}

export async function deactivate(): Promise<void> {
    await server?.dispose();
}
