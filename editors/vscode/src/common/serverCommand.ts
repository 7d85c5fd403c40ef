/**
 * Which command starts the language server, and what to tell the user when it cannot start.
 *
 * Order: the `bytelens.serverCommand` setting (the whole command), the `bytelens.interpreter`
 * setting, the interpreter selected in the Python extension, then `python3` on PATH. Explicit
 * settings come first because a user who set one means it; both are empty by default, so out of
 * the box the Python extension's choice is used, as Microsoft's Python tool extensions do.
 * No `vscode` import: the unit tests run this under plain Node.
 */

import { execFile } from 'child_process';
import { LaunchSettings } from './settingsModel';

export type LaunchSource = 'bytelens.serverCommand' | 'bytelens.interpreter' | 'Python extension' | 'PATH';

export interface ServerLaunch {
    command: string;
    args: string[];
    source: LaunchSource;
    /** The interpreter that will import bytelens; undefined for a custom server command. */
    python?: string;
}

/**
 * The arguments after the interpreter that start the server on stdio. `-P` (Python 3.11+, which
 * bytelens requires) keeps the working folder off `sys.path`, so a user's own `bytelens.py` or
 * `server.py` there cannot shadow the package.
 */
export const SERVE_ARGS = ['-P', '-m', 'bytelens', 'serve'];

/** Used when nothing else names an interpreter. */
export const DEFAULT_PYTHON = process.platform === 'win32' ? 'python' : 'python3';

export function chooseServerLaunch(settings: LaunchSettings, pythonExtensionInterpreter?: string[]): ServerLaunch {
    if (settings.serverCommand.length > 0) {
        const [command, ...args] = settings.serverCommand;
        return { command, args, source: 'bytelens.serverCommand' };
    }
    const fromPython = (interpreter: string[], source: LaunchSource): ServerLaunch => {
        const [python, ...extra] = interpreter;
        return { command: python, args: [...extra, ...SERVE_ARGS], source, python };
    };
    if (settings.interpreter.length > 0) {
        return fromPython(settings.interpreter, 'bytelens.interpreter');
    }
    if (pythonExtensionInterpreter && pythonExtensionInterpreter.length > 0 && pythonExtensionInterpreter[0]) {
        return fromPython(pythonExtensionInterpreter, 'Python extension');
    }
    return fromPython([DEFAULT_PYTHON], 'PATH');
}

/**
 * A script for `python -c` that prints bytelens's version, or exits 3 naming the module that is
 * missing (bytelens itself, or one of its dependencies such as pygls).
 */
export const PROBE_SCRIPT = [
    'import sys',
    'try:',
    '    import bytelens, bytelens.server',
    'except ModuleNotFoundError as error:',
    '    print(error.name, file=sys.stderr)',
    '    sys.exit(3)',
    'print(bytelens.__version__)',
].join('\n');

/** Exit status of PROBE_SCRIPT for a missing module. */
export const PROBE_MISSING_MODULE = 3;

/** What running the probe with `python -c PROBE_SCRIPT` gave. */
export interface ProbeResult {
    /** Set when the process could not be started at all (e.g. `ENOENT`). */
    spawnError?: string;
    exitCode: number | null;
    stdout: string;
    stderr: string;
}

/** Runs PROBE_SCRIPT in `python`; never rejects. */
export function runProbe(python: string, options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ProbeResult> {
    return new Promise((resolve) => {
        execFile(python, ['-P', '-c', PROBE_SCRIPT], { cwd: options.cwd, env: options.env, timeout: options.timeoutMs }, (error, stdout, stderr) => {
            const failure = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
            const code: unknown = failure?.code;
            if (failure?.killed) {
                resolve({ spawnError: `no answer within ${options.timeoutMs / 1000} s`, exitCode: null, stdout, stderr });
            } else if (typeof code === 'string') {
                resolve({ spawnError: code, exitCode: null, stdout, stderr });
            } else {
                resolve({ exitCode: failure ? (typeof code === 'number' ? code : 1) : 0, stdout, stderr });
            }
        });
    });
}

export interface ProbeVerdict {
    ok: boolean;
    /** bytelens's version when ok. */
    version?: string;
    /** One or two sentences for the user when not ok. */
    message?: string;
    /** A command that fixes it, offered to copy. */
    fix?: string;
}

/** Quote a path for a POSIX shell or cmd.exe only when it needs it. */
export function shellQuote(word: string): string {
    return /^[\w@%+=:,./\\-]+$/.test(word) ? word : `"${word.replace(/(["\\$`])/g, '\\$1')}"`;
}

export function installCommand(python: string): string {
    return `${shellQuote(python)} -m pip install bytelens`;
}

/** Turns a probe's outcome into a verdict with a message that says what to do. */
export function judgeProbe(python: string, result: ProbeResult): ProbeVerdict {
    if (result.spawnError !== undefined) {
        const reason = result.spawnError === 'ENOENT' ? 'was not found' : `could not be started (${result.spawnError})`;
        return {
            ok: false,
            message:
                `The Python interpreter ${python} ${reason}. Select an interpreter in the Python extension, ` +
                'or set "bytelens.interpreter" to the path of a Python 3.11+ that has bytelens installed.',
        };
    }
    if (result.exitCode === 0) {
        return { ok: true, version: result.stdout.trim() };
    }
    const fix = installCommand(python);
    if (result.exitCode === PROBE_MISSING_MODULE) {
        const missing = result.stderr.trim().split(/\r?\n/).pop() || 'bytelens';
        const what =
            missing === 'bytelens' || missing.startsWith('bytelens.')
                ? 'bytelens is not installed'
                : `bytelens cannot start: its dependency ${missing} is missing`;
        return {
            ok: false,
            fix,
            message:
                `${what} in the Python interpreter ${python}. Install it with: ${fix} ` +
                '(or, from a clone of the bytelens repository: pip install . in that folder).',
        };
    }
    const detail = lastLine(result.stderr) || `exit status ${result.exitCode}`;
    return {
        ok: false,
        fix,
        message: `The Python interpreter ${python} could not load bytelens (${detail}). Reinstall it with: ${fix}`,
    };
}

function lastLine(text: string): string {
    const lines = text.trim().split(/\r?\n/);
    return lines[lines.length - 1].trim();
}
