import * as fs from 'fs';
import * as path from 'path';
import { Trace, TraceLensArguments, TraceStep } from '../../src/trace/traceTypes';
import { EXTENSION_ROOT } from './paths';

/** A real trace: `bytelens trace --format json` and the text of the same trace (addresses blanked). */
export interface TraceFixture {
    call: string;
    file: string;
    trace: Trace;
    text: string;
}

/**
 * test/unit/traces/NAME.json, made by the current code (tests/test_trace_cli.py checks that it is
 * current, and regenerates it when run as a script): `fib2`, `safe_ratio` (a handler body stepped
 * through), `cut` (a loop stopped by the step budget).
 */
export function traceFixture(name: string): TraceFixture {
    return JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'test', 'unit', 'traces', `${name}.json`), 'utf8'));
}

/** The step lines of a trace's text, one per step, in order. */
export function textStepLines(text: string): string[] {
    return text.split('\n').filter((line) => /^\s*\d+\s{2}/.test(line));
}

/** A step with the fields a test does not care about filled in. */
export function step(fields: Partial<TraceStep>): TraceStep {
    return {
        depth: 0,
        function: '<module>',
        line: 1,
        offset: 0,
        opname: 'NOP',
        arg: null,
        argrepr: '',
        stack: [],
        blocks: [],
        ...fields,
    };
}

export function lens(fields: Partial<TraceLensArguments>): TraceLensArguments {
    return { uri: 'file:///w/a.py', function: 'f', line: 0, call: null, template: 'f(n)', ...fields };
}

/**
 * The steps of `fib(2)` traced from the expression (depth 0) into fib (depth 1) and its two
 * recursive calls (depth 2), as bytelens's VM records them: lines are the file's (def on line 4).
 */
export const FIB2: TraceStep[] = [
    step({ depth: 0, function: '<trace>', line: 1, offset: 0, opname: 'LOAD_NAME', arg: 0, argrepr: 'fib', stack: ['<function fib>'] }),
    step({ depth: 0, function: '<trace>', line: 1, offset: 2, opname: 'LOAD_CONST', arg: 0, argrepr: '2', stack: ['<function fib>', '2'] }),
    step({ depth: 0, function: '<trace>', line: 1, offset: 4, opname: 'CALL_FUNCTION', arg: 1, argrepr: '', stack: ['<function fib>', '2'] }),
    step({ depth: 1, function: 'fib', line: 5, offset: 0, opname: 'LOAD_FAST', arg: 0, argrepr: 'n', stack: ['2'] }),
    step({ depth: 1, function: 'fib', line: 6, offset: 8, opname: 'LOAD_GLOBAL', arg: 0, argrepr: 'fib', stack: ['<function fib>'] }),
    step({ depth: 1, function: 'fib', line: 6, offset: 14, opname: 'CALL_FUNCTION', arg: 1, argrepr: '', stack: ['<function fib>', '1'] }),
    step({ depth: 2, function: 'fib', line: 5, offset: 0, opname: 'LOAD_FAST', arg: 0, argrepr: 'n', stack: ['1'] }),
    step({ depth: 2, function: 'fib', line: 5, offset: 6, opname: 'RETURN_VALUE', arg: null, argrepr: '', stack: [] }),
    step({ depth: 1, function: 'fib', line: 6, offset: 16, opname: 'CALL_FUNCTION', arg: 1, argrepr: '', stack: ['1', '<function fib>', '0'] }),
    step({ depth: 2, function: 'fib', line: 5, offset: 0, opname: 'LOAD_FAST', arg: 0, argrepr: 'n', stack: ['0'] }),
    step({ depth: 2, function: 'fib', line: 5, offset: 6, opname: 'RETURN_VALUE', arg: null, argrepr: '', stack: [] }),
    step({ depth: 1, function: 'fib', line: 6, offset: 18, opname: 'BINARY_ADD', arg: null, argrepr: '', stack: ['1'] }),
    step({ depth: 1, function: 'fib', line: 6, offset: 20, opname: 'RETURN_VALUE', arg: null, argrepr: '', stack: [] }),
    step({ depth: 0, function: '<trace>', line: 1, offset: 6, opname: 'RETURN_VALUE', arg: null, argrepr: '', stack: [] }),
];
