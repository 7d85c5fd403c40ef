import * as assert from 'node:assert/strict';
import { isScriptLensArguments, isTraceLensArguments, scriptName } from '../../src/trace/traceTypes';

describe('the "Trace this file" lens', () => {
    it('recognises its arguments, which are not a function lens', () => {
        const args = { uri: 'file:///w/hello.py', script: true, line: 0 };
        assert.ok(isScriptLensArguments(args));
        assert.ok(isScriptLensArguments({ ...args, maxSteps: 50 }));
        assert.ok(!isTraceLensArguments(args));
        assert.ok(!isScriptLensArguments({ ...args, script: 'yes' }));
        assert.ok(!isScriptLensArguments({ uri: 'file:///w/hello.py', line: 0 }));
        assert.ok(!isScriptLensArguments({ uri: 'file:///a.py', function: 'f', line: 3, call: null, template: 'f(x)' }));
        assert.ok(!isScriptLensArguments(undefined));
    });

    it('names the trace after the file', () => {
        assert.equal(scriptName('file:///w/hello.py'), 'hello.py');
        assert.equal(scriptName('file:///w/my%20script.py'), 'my script.py');
        assert.equal(scriptName('untitled:Untitled-1'), 'untitled:Untitled-1');
    });
});
