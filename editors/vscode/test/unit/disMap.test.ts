import * as assert from 'assert';
import { DisassemblyIndex, explainLine, isDisassembleResult, spans } from '../../src/bytecode/disMap';

const map = [
    { sourceLine: 3, disLines: [1, 2, 3] },
    { sourceLine: 4, disLines: [4, 5] },
    // Line 3 again in a nested code object's listing further down.
    { sourceLine: 3, disLines: [12, 10, 11] },
];

describe('the disassembly map', () => {
    it("gives a source line's listing lines in order, merged across code objects", () => {
        const index = new DisassemblyIndex(map);
        assert.deepStrictEqual(index.listingLines(3), [1, 2, 3, 10, 11, 12]);
        assert.deepStrictEqual(index.listingLines(4), [4, 5]);
        assert.deepStrictEqual(index.listingLines(0), []);
    });

    it('gives the source line of a listing line', () => {
        const index = new DisassemblyIndex(map);
        assert.strictEqual(index.sourceLine(11), 3);
        assert.strictEqual(index.sourceLine(5), 4);
        assert.strictEqual(index.sourceLine(0), undefined);
    });

    it('groups listing lines into runs for highlighting', () => {
        assert.deepStrictEqual(new DisassemblyIndex(map).listingSpans(3), [
            { start: 1, end: 3 },
            { start: 10, end: 12 },
        ]);
        assert.deepStrictEqual(spans([]), []);
        assert.deepStrictEqual(spans([7]), [{ start: 7, end: 7 }]);
    });

    it('checks the shape of the server result', () => {
        assert.ok(isDisassembleResult({ text: 'x', map, error: null }));
        assert.ok(isDisassembleResult({ text: '', map: [], error: 'invalid syntax' }));
        assert.ok(!isDisassembleResult({ text: 'x', map: [{ sourceLine: 1, disLines: ['2'] }], error: null }));
        assert.ok(!isDisassembleResult({ text: 'x', error: null }));
        assert.ok(!isDisassembleResult(null));
    });

    it("explains a listing line's instruction from the server's explanations only", () => {
        const explanations = {
            LOAD_FAST: { picture: '… → … value', explanation: 'Pushes the value of a local variable.' },
        };
        assert.deepStrictEqual(explainLine('   2 >>   12 LOAD_FAST                2 (item)   2:4-8', explanations), {
            opname: 'LOAD_FAST',
            picture: '… → … value',
            explanation: 'Pushes the value of a local variable.',
        });
        assert.strictEqual(explainLine('   |      14 STORE_FAST               2 (item)', explanations), undefined);
        assert.strictEqual(explainLine('Disassembly of <code object f at line 1>:', explanations), undefined);
        assert.strictEqual(explainLine('   2      12 LOAD_FAST  0 (n)', undefined), undefined);
        assert.ok(isDisassembleResult({ text: 'x', map, error: null, explanations }));
        assert.ok(!isDisassembleResult({ text: 'x', map, error: null, explanations: { LOAD_FAST: { picture: 1 } } }));
    });
});
