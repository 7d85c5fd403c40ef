/**
 * The JSON the server sends for traces (docs/protocol.md, docs/trace-format.md), as types, with
 * guards that check what arrives before the panel trusts it. No `vscode` import.
 */

/** The server's command: runs a call on the VM and returns the trace. */
export const SERVER_TRACE_COMMAND = 'bytelens.trace';
/** The extension's command that the trace lenses run (it then calls the server's). */
export const TRACE_FUNCTION_COMMAND = 'bytelens.traceFunction';

/** The single argument of a trace lens's command. */
export interface TraceLensArguments {
    uri: string;
    /** Qualified name, e.g. `C.m`. */
    function: string;
    /** 0-based line of the `def`. */
    line: number;
    /** The call to trace, or null when the user must be asked for one. */
    call: string | null;
    /** What to prefill the question with, e.g. `f(a, b)`. */
    template: string;
    maxSteps?: number;
}

/** The argument of the "▷ Trace this file" lens: trace the whole file, run as `__main__`. */
export interface ScriptLensArguments {
    uri: string;
    script: true;
    /** 0: the lens is on the file's first line. */
    line: number;
    maxSteps?: number;
}

export interface TraceBlock {
    type: string;
    handler: number;
    level: number;
}

export interface TraceStep {
    depth: number;
    function: string;
    /** 1-based source line, null for instructions without one. */
    line: number | null;
    offset: number;
    opname: string;
    arg: number | null;
    argrepr: string;
    /** Reprs of the evaluation stack after the step, bottom first. */
    stack: string[];
    blocks: TraceBlock[];
    /** The file, only when it is not the traced one. */
    file?: string;
}

export interface TraceException {
    type: string;
    message: string;
    traceback: string[];
}

export interface TraceStats {
    steps: number;
    calls: number;
    max_call_depth: number;
    max_stack_depth: number;
}

/** The `display` version this extension draws (docs/trace-format.md, "Versioning"). */
export const DISPLAY_VERSION = 1;

/**
 * The texts the panel shows, formatted once by the server (the formatter `bytelens trace` prints
 * with): per step the instruction and the frame, and an index into the distinct block stacks.
 */
export interface TraceDisplay {
    version: number;
    /** Per step: the instruction as the listing prints it, e.g. `12 LOAD_FAST  0 (n)`. */
    instructions: string[];
    /** Per step: the frame as a call-stack entry reads, e.g. `fib line 6`. */
    frames: string[];
    /** Per step: an index into `block_stacks`. */
    blocks: number[];
    /** The distinct block stacks, each bottom first, e.g. `['loop -> 24 (level 0)']`. */
    block_stacks: string[][];
    /** How the trace ended, as `bytelens trace` prints it (the budget note, `raised ...`, `result: ...`). */
    outcome: string[];
    exception: string | null;
    stats: string;
    /** Per step: an index into `sentences`, the step's explanation (absent from older servers). */
    explanations?: number[];
    /** The distinct step sentences, e.g. `BINARY_ADD popped 10 and 1 and pushed 11.` */
    sentences?: string[];
}

export interface Trace {
    steps: TraceStep[];
    display: TraceDisplay;
    result: string | null;
    exception: TraceException | null;
    stdout: string;
    truncated: boolean;
    stats: TraceStats;
}

/** The result of the server's `bytelens.trace` command. */
export interface TraceCommandResult {
    call: string;
    summary: string;
    trace: Trace | null;
    text: string;
    error: string | null;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isInt(value: unknown): value is number {
    return typeof value === 'number' && Number.isInteger(value);
}

function isStringOrNull(value: unknown): value is string | null {
    return value === null || typeof value === 'string';
}

export function isTraceLensArguments(value: unknown): value is TraceLensArguments {
    return (
        isObject(value) &&
        typeof value.uri === 'string' &&
        typeof value.function === 'string' &&
        isInt(value.line) &&
        isStringOrNull(value.call) &&
        typeof value.template === 'string'
    );
}

export function isScriptLensArguments(value: unknown): value is ScriptLensArguments {
    return isObject(value) && typeof value.uri === 'string' && value.script === true && isInt(value.line);
}

/** What a whole-file trace of `uri` is called: the last part of its path, `hello.py` (as the server's `call`). */
export function scriptName(uri: string): string {
    const path = uri.split(/[?#]/)[0];
    return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1)) || uri;
}

function isBlock(value: unknown): value is TraceBlock {
    return isObject(value) && typeof value.type === 'string' && isInt(value.handler) && isInt(value.level);
}

function isStep(value: unknown): value is TraceStep {
    return (
        isObject(value) &&
        isInt(value.depth) &&
        typeof value.function === 'string' &&
        (value.line === null || isInt(value.line)) &&
        isInt(value.offset) &&
        typeof value.opname === 'string' &&
        (value.arg === null || isInt(value.arg)) &&
        typeof value.argrepr === 'string' &&
        Array.isArray(value.stack) &&
        value.stack.every((item) => typeof item === 'string') &&
        Array.isArray(value.blocks) &&
        value.blocks.every(isBlock) &&
        (value.file === undefined || value.file === null || typeof value.file === 'string')
    );
}

function isStrings(value: unknown): value is string[] {
    return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/** A display of this version with one entry per step, every block index in range. */
function isDisplay(value: unknown, steps: number): value is TraceDisplay {
    if (!isObject(value) || value.version !== DISPLAY_VERSION) {
        return false;
    }
    const stacks = value.block_stacks;
    return (
        isStrings(value.instructions) &&
        value.instructions.length === steps &&
        isStrings(value.frames) &&
        value.frames.length === steps &&
        Array.isArray(stacks) &&
        stacks.every(isStrings) &&
        Array.isArray(value.blocks) &&
        value.blocks.length === steps &&
        value.blocks.every((index) => isInt(index) && index >= 0 && index < stacks.length) &&
        isStrings(value.outcome) &&
        isStringOrNull(value.exception) &&
        typeof value.stats === 'string'
    );
}

function isTrace(value: unknown): value is Trace {
    if (!isObject(value) || !Array.isArray(value.steps) || !value.steps.every(isStep)) {
        return false;
    }
    if (!isDisplay(value.display, value.steps.length)) {
        return false;
    }
    const exception = value.exception;
    const stats = value.stats;
    return (
        isStringOrNull(value.result) &&
        (exception === null ||
            (isObject(exception) &&
                typeof exception.type === 'string' &&
                typeof exception.message === 'string' &&
                Array.isArray(exception.traceback))) &&
        typeof value.stdout === 'string' &&
        typeof value.truncated === 'boolean' &&
        isObject(stats) &&
        isInt(stats.steps)
    );
}

/** Checks a `bytelens.trace` result; the error names what was wrong, for the log. */
export function checkTraceCommandResult(value: unknown): { result?: TraceCommandResult; problem?: string } {
    if (!isObject(value)) {
        return { problem: 'the result is not an object' };
    }
    if (!isStringOrNull(value.error)) {
        return { problem: '"error" is neither a string nor null' };
    }
    if (value.trace !== null && !isTrace(value.trace)) {
        return { problem: '"trace" does not have the shape of a bytelens trace' };
    }
    if (value.trace === null && value.error === null) {
        return { problem: 'neither "trace" nor "error" is set' };
    }
    const result: TraceCommandResult = {
        call: typeof value.call === 'string' ? value.call : '',
        summary: typeof value.summary === 'string' ? value.summary : '',
        trace: value.trace as Trace | null,
        text: typeof value.text === 'string' ? value.text : '',
        error: value.error,
    };
    return { result };
}

/**
 * The innermost function whose body holds `line` (0-based) of `lines`, the document's text: a body
 * runs from its `def` to the last line indented deeper than the `def` before a line that is not.
 * What "trace the function at the cursor" means.
 */
export function functionAt(
    candidates: readonly TraceLensArguments[],
    lines: readonly string[],
    line: number,
): TraceLensArguments | undefined {
    let best: TraceLensArguments | undefined;
    for (const candidate of candidates) {
        if (candidate.line <= line && (!best || candidate.line > best.line) && bodyHolds(lines, candidate.line, line)) {
            best = candidate;
        }
    }
    return best;
}

function indentOf(text: string): number {
    return text.length - text.trimStart().length;
}

function bodyHolds(lines: readonly string[], defLine: number, line: number): boolean {
    if (defLine >= lines.length) {
        return false;
    }
    const defIndent = indentOf(lines[defLine]);
    for (let i = defLine + 1; i <= line && i < lines.length; i++) {
        const text = lines[i];
        const blank = text.trim() === '' || text.trimStart().startsWith('#');
        if (!blank && indentOf(text) <= defIndent && !isContinuation(lines, defLine, i)) {
            return false;
        }
    }
    return true;
}

/** Lines of a `def` header split over several lines (`def f(a,\n b):`) before the body starts. */
function isContinuation(lines: readonly string[], defLine: number, index: number): boolean {
    let depth = 0;
    for (let i = defLine; i < index; i++) {
        for (const c of lines[i]) {
            if (c === '(' || c === '[' || c === '{') {
                depth++;
            } else if (c === ')' || c === ']' || c === '}') {
                depth--;
            }
        }
        if (depth <= 0) {
            return false;
        }
    }
    return depth > 0;
}
