import * as assert from 'assert';
import { CallHistory, argumentSpan, callPrompt, validateCall } from '../../src/trace/callPrompt';
import { lens } from './fixtures';

describe('asking for the call to trace', () => {
    it('prefills the template and selects its arguments', () => {
        const prompt = callPrompt(lens({ function: 'C.area', template: 'C(w, h).area()' }));
        assert.strictEqual(prompt.value, 'C(w, h).area()');
        assert.deepStrictEqual(prompt.valueSelection, [2, 6]);
        assert.strictEqual(prompt.title, 'Trace C.area');
        assert.match(prompt.prompt, /e\.g\. C\(w, h\)\.area\(\)/);
    });

    it('prefills the last call typed for the same function instead', () => {
        const history = new CallHistory();
        const args = lens({ template: 'f(a, b)' });
        history.remember(args, 'f(1, [2, 3])');
        const prompt = callPrompt(args, history.get(args));
        assert.strictEqual(prompt.value, 'f(1, [2, 3])');
        assert.deepStrictEqual(prompt.valueSelection, [2, 11]);
        assert.strictEqual(history.get(lens({ function: 'g' })), undefined);
        assert.strictEqual(history.get(lens({ uri: 'file:///w/b.py' })), undefined);
    });

    it('finds the argument span through nested parentheses', () => {
        assert.deepStrictEqual(argumentSpan('f(g(1), (2, 3))'), [2, 14]);
        assert.deepStrictEqual(argumentSpan('f()'), [2, 2]);
        assert.deepStrictEqual(argumentSpan('x'), [0, 1]);
        assert.deepStrictEqual(argumentSpan('f(1'), [2, 3]);
    });

    it('accepts plausible calls', () => {
        for (const call of ['f(3)', 'f()', "f('(', \")\")", 'f([1, 2], {"a": (3,)})', 'C(2).m(x=1)', "f('it\\'s')"]) {
            assert.strictEqual(validateCall(call), undefined, call);
        }
    });

    it('rejects empty text and unbalanced brackets, saying why', () => {
        assert.strictEqual(validateCall('   '), 'Type the call to trace, e.g. f(3).');
        assert.strictEqual(validateCall('f(1'), "Missing ')'.");
        assert.strictEqual(validateCall('f(1])'), "Unmatched ']'.");
        assert.strictEqual(validateCall('f(1))'), "Unmatched ')'.");
        assert.strictEqual(validateCall("f('x)"), 'Unterminated string.');
    });
});
