/**
 * The places where the extension steps between VS Code and the server.
 *
 * - workspace/configuration: the server asks for section `bytelens`; it gets the same object as
 *   its initializationOptions, from `readServerSettings`, not the raw section (which also holds
 *   the interpreter and server command, none of the server's business).
 * - code lenses: the server's lenses run its `bytelens.trace` command; they are pointed at the
 *   extension's `bytelens.traceFunction` instead, which asks for a call when needed, checks
 *   workspace trust, and opens the trace panel with the result.
 * - executeCommand: the client registers a VS Code command for each of the server's commands,
 *   which anything that runs commands can run; each call passes the trust gate first, and a
 *   refused one never reaches the server.
 *
 * No `vscode` import (the settings come in as a function), so mocha tests it under plain Node.
 */

import type { Middleware } from 'vscode-languageclient/node';
import { SECTION } from './settingsModel';
import { TrustGate } from './trustGate';
import { SERVER_TRACE_COMMAND, TRACE_FUNCTION_COMMAND } from '../trace/traceTypes';

/** The server's settings for the `scopeUri` of a workspace/configuration item (settings.ts). */
export type ServerSettingsReader = (scopeUri: string | undefined) => unknown;

export function createMiddleware(gate: TrustGate, serverSettings: ServerSettingsReader): Middleware {
    return {
        workspace: {
            configuration: async (params, token, next) => {
                const answers = await next(params, token);
                if (!Array.isArray(answers)) {
                    return answers;
                }
                return params.items.map((item, index) =>
                    item.section === SECTION ? serverSettings(item.scopeUri) : answers[index],
                );
            },
        },
        provideCodeLenses: async (document, token, next) => {
            const lenses = await next(document, token);
            for (const lens of lenses ?? []) {
                if (lens.command && lens.command.command === SERVER_TRACE_COMMAND) {
                    lens.command = { ...lens.command, command: TRACE_FUNCTION_COMMAND };
                }
            }
            return lenses;
        },
        executeCommand: (command, args, next) => (gate.admits(command) ? next(command, args) : undefined),
    };
}
