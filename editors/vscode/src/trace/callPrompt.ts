/**
 * Asking the user which call to trace when a lens has `call: null`: what the input box shows,
 * what it accepts, and the last call typed for each function. No `vscode` import.
 */

import { TraceLensArguments } from './traceTypes';

export interface CallPrompt {
    title: string;
    prompt: string;
    value: string;
    /** The part of `value` selected at first: the arguments inside the parentheses. */
    valueSelection: [number, number];
}

/** The input box for `args`, prefilled with the last call typed for that function or the template. */
export function callPrompt(args: TraceLensArguments, previous?: string): CallPrompt {
    const value = previous ?? args.template;
    return {
        title: `Trace ${args.function}`,
        prompt: `The call to trace, e.g. ${args.template}: it runs on the bytelens VM after the module body.`,
        value,
        valueSelection: argumentSpan(value),
    };
}

/** The span between the first `(` and its matching `)`, or the whole text when there is none. */
export function argumentSpan(call: string): [number, number] {
    const open = call.indexOf('(');
    if (open < 0) {
        return [0, call.length];
    }
    let depth = 0;
    for (let i = open; i < call.length; i++) {
        if (call[i] === '(') {
            depth++;
        } else if (call[i] === ')') {
            depth--;
            if (depth === 0) {
                return [open + 1, i];
            }
        }
    }
    return [open + 1, call.length];
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * An error message for text that cannot be a call expression, or undefined when it may be one.
 * Only the cheap checks: the server parses the expression and says what is wrong with it.
 */
export function validateCall(text: string): string | undefined {
    if (!text.trim()) {
        return 'Type the call to trace, e.g. f(3).';
    }
    const open: string[] = [];
    let quote: string | undefined;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (quote) {
            if (c === '\\') {
                i++;
            } else if (c === quote) {
                quote = undefined;
            }
        } else if (c === '"' || c === "'") {
            quote = c;
        } else if (c in CLOSER) {
            open.push(CLOSER[c]);
        } else if (c === ')' || c === ']' || c === '}') {
            if (open.pop() !== c) {
                return `Unmatched '${c}'.`;
            }
        }
    }
    if (quote) {
        return 'Unterminated string.';
    }
    if (open.length > 0) {
        return `Missing '${open[open.length - 1]}'.`;
    }
    return undefined;
}

/** The last call traced for each function of each file, to prefill the next question. */
export class CallHistory {
    private readonly calls = new Map<string, string>();

    private static key(args: Pick<TraceLensArguments, 'uri' | 'function'>): string {
        return `${args.uri}#${args.function}`;
    }

    get(args: Pick<TraceLensArguments, 'uri' | 'function'>): string | undefined {
        return this.calls.get(CallHistory.key(args));
    }

    remember(args: Pick<TraceLensArguments, 'uri' | 'function'>, call: string): void {
        this.calls.set(CallHistory.key(args), call);
    }
}
