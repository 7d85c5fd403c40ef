import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
    SERVER_CACHE_COMMAND,
    SERVER_CACHE_COMPARE_COMMAND,
    SERVER_CACHE_WRITE_COMMAND,
    isCacheResult,
    isCacheState,
    isCompareResult,
    needsAttention,
    pageKind,
    pagePath,
    statusText,
} from '../../src/cache/cacheModel';
import { needsTrust } from '../../src/common/trustGate';
import { EXTENSION_ROOT } from './paths';

const state = { uri: 'file:///w/mod.py', summary: '.pyc fresh · .blc not written yet', cpython: 'fresh', bytelens: 'missing' };

describe('the cache pages', () => {
    it('name each page after its source and tell them apart again', () => {
        for (const kind of ['cache', 'bytelens', 'cpython'] as const) {
            assert.strictEqual(pageKind(pagePath('mod.py', kind)), kind);
        }
        assert.strictEqual(pagePath('mod.py', 'cache'), '/mod.py (cache)');
        assert.strictEqual(pageKind('/mod.py'), undefined);
    });

    it("accept the server's answers and nothing else", () => {
        assert.ok(isCacheResult({ kind: 'source', summary: state.summary, text: 'source: /w/mod.py\n' }));
        assert.ok(isCacheResult({ kind: 'cache-file', summary: 'cache file', text: '', readable: true }));
        assert.ok(!isCacheResult({ kind: 'source', summary: state.summary }));
        assert.ok(isCompareResult({ bytelens: { title: 'bytelens', text: 'a' }, cpython: { title: 'CPython 3.11', text: 'b' } }));
        assert.ok(!isCompareResult({ bytelens: { title: 'bytelens', text: 'a' } }));
        assert.ok(isCacheState(state));
        assert.ok(!isCacheState({ ...state, summary: undefined }));
    });

    it("show the server's summary as it is, and warn when a cache file will not be used", () => {
        assert.strictEqual(statusText(state), `$(archive) ${state.summary}`);
        assert.strictEqual(needsAttention(state), false);
        assert.strictEqual(needsAttention({ ...state, cpython: 'stale' }), true);
        assert.strictEqual(needsAttention({ ...state, bytelens: 'corrupt' }), true);
    });

    it('work in Restricted Mode: the cache commands compile, they never run the code', () => {
        for (const command of [SERVER_CACHE_COMMAND, SERVER_CACHE_WRITE_COMMAND, SERVER_CACHE_COMPARE_COMMAND]) {
            assert.strictEqual(needsTrust(command), false, command);
        }
    });

    it('open .pyc and .blc files in the cache file editor', () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8'));
        const [editor] = manifest.contributes.customEditors;
        assert.strictEqual(editor.viewType, 'bytelens.cacheFile');
        assert.deepStrictEqual(editor.selector.map((s: { filenamePattern: string }) => s.filenamePattern), ['*.pyc', '*.blc']);
        assert.ok(manifest.activationEvents.includes('onCustomEditor:bytelens.cacheFile'));
    });
});
