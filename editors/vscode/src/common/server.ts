/**
 * Starts, restarts and stops the bytelens language server, and sends it commands.
 *
 * Before starting `<python> -m bytelens serve` it checks that bytelens imports in that interpreter,
 * so a missing install gives one clear message with the fix instead of a client that dies on start.
 * Both ways a command reaches the server, the client's own commands (its middleware) and
 * `executeCommand` here, pass the same trust gate (trustGate.ts).
 */

import * as vscode from 'vscode';
import {
    ExecuteCommandRequest,
    LanguageClient,
    LanguageClientOptions,
    RevealOutputChannelOn,
    ServerOptions,
    State,
} from 'vscode-languageclient/node';
import { createMiddleware } from './middleware';
import { onInterpreterChanged, selectedInterpreter } from './python';
import { ServerLaunch, chooseServerLaunch, judgeProbe, runProbe } from './serverCommand';
import { readLaunchSettings, readServerSettings, readServerSettingsForScope } from './settings';
import { LAUNCH_SETTING_KEYS, SECTION, SERVER_SETTING_KEYS, affectsAny } from './settingsModel';
import { StatusItem } from './status';
import { TrustGate, refusalMessage } from './trustGate';

const PROBE_TIMEOUT_MS = 30_000;

/** Thrown by `executeCommand` when no server is running; its message is for the user. */
export class ServerUnavailableError extends Error {}

/** Thrown by `executeCommand` when the trust gate refused the command (the user has been told). */
export class CommandRefusedError extends Error {}

export class BytelensServer implements vscode.Disposable {
    private client: LanguageClient | undefined;
    private pending: Promise<void> = Promise.resolve();
    private unavailableReason = 'The bytelens language server has not started yet.';
    private readonly disposables: vscode.Disposable[] = [];
    /** Server-to-client notifications the extension handles, registered on every client started. */
    private readonly notificationHandlers = new Map<string, (params: unknown) => void>();

    constructor(
        private readonly log: vscode.LogOutputChannel,
        private readonly status: StatusItem,
        private readonly gate: TrustGate,
        /** A folder with no Python package in it: the server's working directory (see `spawnOptions`). */
        private readonly neutralCwd: string,
    ) {}

    /** Starts the server and restarts it whenever the interpreter or the server command changes. */
    async activate(): Promise<void> {
        this.disposables.push(
            vscode.workspace.onDidChangeConfiguration((event) => {
                if (affectsAny((s) => event.affectsConfiguration(s), LAUNCH_SETTING_KEYS)) {
                    void this.restart();
                } else if (affectsAny((s) => event.affectsConfiguration(s), SERVER_SETTING_KEYS)) {
                    void this.runningClient?.sendNotification('workspace/didChangeConfiguration', {
                        settings: { [SECTION]: readServerSettings() },
                    });
                }
            }),
            vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()),
            await onInterpreterChanged(this.log, () => void this.restart()),
        );
        await this.restart();
    }

    /** Stops the running server (if any) and starts it again with the current settings. */
    restart(): Promise<void> {
        this.pending = this.pending.then(async () => {
            try {
                await this.stopClient();
                await this.startClient();
            } catch (error) {
                this.fail(`The bytelens language server could not be restarted: ${error}`);
            }
        });
        return this.pending;
    }

    /** Private: a request sent on the client directly would skip the trust gate of `executeCommand`. */
    private get runningClient(): LanguageClient | undefined {
        return this.client?.state === State.Running ? this.client : undefined;
    }

    /**
     * Sends `workspace/executeCommand`; throws CommandRefusedError when the trust gate refuses it
     * and ServerUnavailableError when no server runs.
     */
    async executeCommand<T>(command: string, args: unknown[], token?: vscode.CancellationToken): Promise<T> {
        if (!this.gate.admits(command)) {
            throw new CommandRefusedError(refusalMessage(command));
        }
        await this.pending;
        const client = this.runningClient;
        if (!client) {
            throw new ServerUnavailableError(this.unavailableReason);
        }
        return (await client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args }, token)) as T;
    }

    /** Handle the server's notification `method` (on this client and on every restarted one). */
    onNotification(method: string, handler: (params: unknown) => void): void {
        this.notificationHandlers.set(method, handler);
        this.client?.onNotification(method, handler);
    }

    async dispose(): Promise<void> {
        this.disposables.forEach((d) => d.dispose());
        await this.pending;
        await this.stopClient();
    }

    private async startClient(): Promise<void> {
        const launch = await this.chooseLaunch();
        this.log.info(`Starting the server: ${[launch.command, ...launch.args].join(' ')} (from ${launch.source})`);
        this.status.starting(launch);
        if (launch.python) {
            const verdict = judgeProbe(
                launch.python,
                await runProbe(launch.python, { ...this.spawnOptions(), timeoutMs: PROBE_TIMEOUT_MS }),
            );
            if (!verdict.ok) {
                this.fail(verdict.message ?? 'bytelens cannot start.', verdict.fix);
                return;
            }
            this.log.info(`bytelens ${verdict.version} found in ${launch.python}`);
        }
        const client = new LanguageClient('bytelens', 'bytelens', this.serverOptions(launch), this.clientOptions());
        client.onDidChangeState((event) => {
            if (event.newState === State.Stopped && this.client === client) {
                this.unavailableReason = 'The bytelens language server stopped (see bytelens: Show Output).';
                this.status.stopped();
            }
        });
        this.notificationHandlers.forEach((handler, method) => client.onNotification(method, handler));
        this.client = client;
        try {
            await client.start();
            this.status.running(launch);
        } catch (error) {
            this.client = undefined;
            this.fail(
                `The bytelens language server did not start (${launch.command}): ${error instanceof Error ? error.message : error}`,
            );
        }
    }

    private async stopClient(): Promise<void> {
        const client = this.client;
        this.client = undefined;
        if (client) {
            try {
                await client.stop(5_000);
            } catch (error) {
                this.log.warn(`Stopping the server: ${error}`);
            }
        }
    }

    private async chooseLaunch(): Promise<ServerLaunch> {
        const settings = readLaunchSettings();
        // In an untrusted workspace the Python extension may have picked an interpreter inside the
        // workspace (a checked-in virtualenv): running it would run the workspace's code.
        const fromPythonExtension =
            settings.serverCommand.length === 0 && settings.interpreter.length === 0 && vscode.workspace.isTrusted
                ? await selectedInterpreter(this.log, vscode.workspace.workspaceFolders?.[0]?.uri)
                : undefined;
        return chooseServerLaunch(settings, fromPythonExtension);
    }

    /**
     * The server runs in the extension's own folder: `python -m` puts the working directory first
     * on sys.path, and a workspace folder may hold a `bytelens` package of its own (a clone of the
     * bytelens repository does) that would shadow the installed one.
     */
    private spawnOptions(): { cwd: string; env: NodeJS.ProcessEnv } {
        return { cwd: this.neutralCwd, env: { ...process.env, PYTHONUNBUFFERED: '1' } };
    }

    private serverOptions(launch: ServerLaunch): ServerOptions {
        // No `transport`: with TransportKind.stdio the client would append `--stdio` to the command.
        return { command: launch.command, args: launch.args, options: this.spawnOptions() };
    }

    private clientOptions(): LanguageClientOptions {
        return {
            documentSelector: [
                { scheme: 'file', language: 'python' },
                { scheme: 'untitled', language: 'python' },
            ],
            outputChannel: this.log,
            revealOutputChannelOn: RevealOutputChannelOn.Never,
            initializationOptions: readServerSettings(),
            middleware: createMiddleware(this.gate, readServerSettingsForScope),
        };
    }

    private fail(message: string, fix?: string): void {
        this.unavailableReason = message;
        this.log.error(message);
        this.status.failed(message);
        const actions = [...(fix ? ['Copy Install Command'] : []), 'Select Interpreter', 'Show Output'];
        void vscode.window.showErrorMessage(message, ...actions).then(async (choice) => {
            if (choice === 'Copy Install Command' && fix) {
                await vscode.env.clipboard.writeText(fix);
            } else if (choice === 'Select Interpreter') {
                const hasPython = vscode.extensions.getExtension('ms-python.python') !== undefined;
                await (hasPython
                    ? vscode.commands.executeCommand('python.setInterpreter')
                    : vscode.commands.executeCommand('workbench.action.openSettings', `${SECTION}.interpreter`));
            } else if (choice === 'Show Output') {
                this.log.show();
            }
        });
    }
}
