/**
 * The two places where the extension steps between VS Code and the server.
 *
 * - workspace/configuration: the server asks for section `bytelens`; it gets the same object as
 *   its initializationOptions, from `readServerSettings`, not the raw section (which also holds
 *   the interpreter and server command, none of the server's business).
 * - code lenses: the server's lenses run its `bytelens.trace` command; they are pointed at the
 *   extension's `bytelens.traceFunction` instead, which asks for a call when needed, checks
 *   workspace trust, and opens the trace panel with the result.
 */

import * as vscode from 'vscode';
import { Middleware } from 'vscode-languageclient/node';
import { readServerSettings } from './settings';
import { SECTION } from './settingsModel';
import { SERVER_TRACE_COMMAND, TRACE_FUNCTION_COMMAND } from '../trace/traceTypes';

export function createMiddleware(): Middleware {
    return {
        workspace: {
            configuration: async (params, token, next) => {
                const answers = await next(params, token);
                if (!Array.isArray(answers)) {
                    return answers;
                }
                return params.items.map((item, index) => {
                    if (item.section !== SECTION) {
                        return answers[index];
                    }
                    const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
                    return readServerSettings(scope);
                });
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
    };
}
