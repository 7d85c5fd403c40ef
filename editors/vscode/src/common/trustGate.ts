/**
 * The one check between an untrusted workspace and the server's commands that run its code.
 *
 * Every route to the server's `workspace/executeCommand` asks `TrustGate.admits`: the language
 * client's middleware (the VS Code commands the client registers for the server's commands, such
 * as `bytelens.trace`, whoever runs them: a keybinding, a command link, another extension),
 * `BytelensServer.executeCommand` (the extension's own requests), and the trace command before it
 * asks for a call. No `vscode` import.
 */

import { SERVER_DISASSEMBLE_COMMAND } from '../bytecode/disMap';
import { SERVER_CACHE_COMMAND, SERVER_CACHE_COMPARE_COMMAND, SERVER_CACHE_WRITE_COMMAND } from '../cache/cacheModel';
import { SERVER_TRACE_COMMAND } from '../trace/traceTypes';

export const UNTRUSTED_MESSAGE =
    'bytelens runs the file to trace it, so tracing is off in Restricted Mode. Trust this workspace to trace functions.';

/**
 * The server's commands that never run the workspace's code (they compile it, nothing more), so
 * they work in Restricted Mode. An allow-list: a command the server gains later waits for trust
 * until someone checks it and adds it here.
 */
const SAFE_WITHOUT_TRUST: ReadonlySet<string> = new Set([
    SERVER_DISASSEMBLE_COMMAND,
    SERVER_CACHE_COMMAND,
    SERVER_CACHE_WRITE_COMMAND,
    SERVER_CACHE_COMPARE_COMMAND,
]);

export function needsTrust(command: string): boolean {
    return !SAFE_WITHOUT_TRUST.has(command);
}

/** What the user is told when `command` is refused. */
export function refusalMessage(command: string): string {
    return command === SERVER_TRACE_COMMAND
        ? UNTRUSTED_MESSAGE
        : `bytelens: ${command} is off in Restricted Mode. Trust this workspace to use it.`;
}

/** The workspace's trust as the gate sees it: VS Code's in the extension (trust.ts), a fake in tests. */
export interface WorkspaceTrust {
    isTrusted(): boolean;
    /** Tells the user that `command` did not run, and why. */
    refuse(command: string): void;
}

export class TrustGate {
    constructor(private readonly trust: WorkspaceTrust) {}

    /** Whether `command` may go to the server now; when it may not, the user has been told. */
    admits(command: string): boolean {
        // Asked on every call: trust can be granted while the extension runs.
        if (!needsTrust(command) || this.trust.isTrusted()) {
            return true;
        }
        this.trust.refuse(command);
        return false;
    }
}
