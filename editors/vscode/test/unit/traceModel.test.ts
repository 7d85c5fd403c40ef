import * as assert from 'assert';
import { TraceStepper, isMove } from '../../src/trace/traceModel';
import { FIB2, step } from './fixtures';

describe('stepping through a trace', () => {
    it('starts at the first step and moves one step at a time', () => {
        const stepper = new TraceStepper(FIB2);
        assert.strictEqual(stepper.index, 0);
        assert.strictEqual(stepper.move('next'), true);
        assert.strictEqual(stepper.view()!.step.opname, 'LOAD_CONST');
        assert.strictEqual(stepper.move('previous'), true);
        assert.strictEqual(stepper.index, 0);
    });

    it('stops at both ends and says nothing moved', () => {
        const stepper = new TraceStepper(FIB2);
        assert.strictEqual(stepper.move('previous'), false);
        assert.strictEqual(stepper.move('first'), false);
        assert.strictEqual(stepper.move('last'), true);
        assert.strictEqual(stepper.index, FIB2.length - 1);
        assert.strictEqual(stepper.move('next'), false);
        assert.strictEqual(stepper.view()!.isLast, true);
    });

    it('goes to a step by number, clamped to the trace (the slider)', () => {
        const stepper = new TraceStepper(FIB2);
        stepper.move(5);
        assert.strictEqual(stepper.index, 5);
        stepper.move(1000);
        assert.strictEqual(stepper.index, FIB2.length - 1);
        stepper.move(-3);
        assert.strictEqual(stepper.index, 0);
    });

    it('highlights the step line as a 0-based editor line, only in the traced file', () => {
        const stepper = new TraceStepper([
            step({ line: 7 }),
            step({ line: 3, file: '/lib/helper.py' }),
            step({ line: null }),
        ]);
        assert.strictEqual(stepper.view()!.editorLine, 6);
        stepper.move('next');
        assert.strictEqual(stepper.view()!.editorLine, undefined);
        stepper.move('next');
        assert.strictEqual(stepper.view()!.editorLine, undefined);
    });

    it('rebuilds the call stack from the depths of earlier steps', () => {
        const stepper = new TraceStepper(FIB2);
        stepper.move(6);
        assert.deepStrictEqual(
            stepper.view()!.callStack.map((frame) => `${frame.function}:${frame.line}`),
            ['<trace>:1', 'fib:6', 'fib:5'],
        );
        stepper.move('last');
        assert.deepStrictEqual(stepper.view()!.callStack.map((frame) => frame.depth), [0]);
    });

    it('steps over calls line by line', () => {
        const stepper = new TraceStepper(FIB2);
        stepper.move(3); // fib, line 5
        stepper.move('nextLine');
        assert.strictEqual(stepper.index, 4); // fib, line 6
        stepper.move('nextLine');
        assert.strictEqual(stepper.index, 13); // back in the caller: both recursive calls stepped over
        stepper.move('previousLine');
        assert.strictEqual(stepper.index, 0); // every earlier step of the caller is on its line 1
        stepper.move(12); // fib, line 6, after both calls
        stepper.move('previousLine');
        assert.strictEqual(stepper.index, 3); // over the calls back to line 5
    });

    it('handles an empty trace', () => {
        const stepper = new TraceStepper([]);
        assert.strictEqual(stepper.view(), undefined);
        assert.strictEqual(stepper.move('next'), false);
        assert.strictEqual(stepper.count, 0);
    });

    it('accepts only known moves from the webview', () => {
        assert.ok(isMove('next'));
        assert.ok(isMove(3));
        assert.ok(!isMove('sideways'));
        assert.ok(!isMove(1.5));
        assert.ok(!isMove(undefined));
    });
});
