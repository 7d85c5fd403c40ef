import * as assert from 'assert';
import { checkTraceCommandResult, functionAt, isTraceLensArguments } from '../../src/trace/traceTypes';
import { lens, traceFixture } from './fixtures';

const trace = traceFixture('fib2').trace;

describe('trace JSON from the server', () => {
    it('recognises lens arguments', () => {
        assert.ok(isTraceLensArguments({ uri: 'file:///a.py', function: 'f', line: 3, call: null, template: 'f(x)' }));
        assert.ok(isTraceLensArguments({ uri: 'file:///a.py', function: 'f', line: 3, call: 'f(1)', template: 'f(x)', maxSteps: 5 }));
        assert.ok(!isTraceLensArguments({ uri: 'file:///a.py', function: 'f', line: '3', call: null, template: 'f(x)' }));
        assert.ok(!isTraceLensArguments(undefined));
        assert.ok(!isTraceLensArguments([{ uri: 'file:///a.py' }]));
    });

    it('accepts a trace result and an error result', () => {
        const ok = checkTraceCommandResult({ call: 'fib(2)', summary: 'fib(2) -> 1 · 14 steps', trace, text: '...', error: null });
        assert.strictEqual(ok.problem, undefined);
        assert.strictEqual(ok.result!.trace!.steps.length, trace.steps.length);
        const failed = checkTraceCommandResult({ call: 'f(', summary: '', trace: null, text: '', error: 'the call does not parse' });
        assert.strictEqual(failed.result!.error, 'the call does not parse');
    });

    it('names what is wrong with a malformed result', () => {
        assert.strictEqual(checkTraceCommandResult('x').problem, 'the result is not an object');
        assert.strictEqual(checkTraceCommandResult({ trace: null, error: null }).problem, 'neither "trace" nor "error" is set');
        const badStep = { ...trace, steps: trace.steps.map((step, index) => (index === 0 ? { ...step, stack: [1] } : step)) };
        assert.strictEqual(
            checkTraceCommandResult({ trace: badStep, error: null }).problem,
            '"trace" does not have the shape of a bytelens trace',
        );
        const noDisplay = { ...trace, display: undefined };
        const shortDisplay = { ...trace, display: { ...trace.display, frames: trace.display.frames.slice(1) } };
        const badIndex = { ...trace, display: { ...trace.display, blocks: trace.display.blocks.map(() => 99) } };
        const nextVersion = { ...trace, display: { ...trace.display, version: 2 } };
        for (const bad of [noDisplay, shortDisplay, badIndex, nextVersion]) {
            assert.strictEqual(checkTraceCommandResult({ trace: bad, error: null }).problem, '"trace" does not have the shape of a bytelens trace');
        }
    });

    it('finds the innermost function around a line by indentation', () => {
        const lines = [
            'def outer(a,',          // 0
            '          b):',         // 1
            '    x = 1',             // 2
            '    def inner():',      // 3
            '        return x',      // 4
            '',                      // 5
            '    return inner',      // 6
            'y = outer(1, 2)',       // 7
        ];
        const outer = lens({ function: 'outer', line: 0 });
        const inner = lens({ function: 'outer.<locals>.inner', line: 3 });
        const candidates = [outer, inner];
        assert.strictEqual(functionAt(candidates, lines, 0), outer);
        assert.strictEqual(functionAt(candidates, lines, 2), outer);
        assert.strictEqual(functionAt(candidates, lines, 4), inner);
        assert.strictEqual(functionAt(candidates, lines, 5), inner);
        assert.strictEqual(functionAt(candidates, lines, 6), outer);
        assert.strictEqual(functionAt(candidates, lines, 7), undefined);
    });
});
