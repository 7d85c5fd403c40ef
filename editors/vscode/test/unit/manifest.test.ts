import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { EXTENSION_ROOT } from './paths';

const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8'));

function sources(folder: string): string {
    return fs
        .readdirSync(folder, { withFileTypes: true })
        .map((entry) => {
            const full = path.join(folder, entry.name);
            return entry.isDirectory() ? sources(full) : entry.name.endsWith('.ts') ? fs.readFileSync(full, 'utf8') : '';
        })
        .join('\n');
}

describe('package.json', () => {
    const code = sources(path.join(EXTENSION_ROOT, 'src'));
    const declared: string[] = manifest.contributes.commands.map((command: { command: string }) => command.command);

    it('declares every command the code registers, and registers every command it declares', () => {
        const registered = new Set<string>();
        for (const match of code.matchAll(/'(bytelens\.[A-Za-z]+)'/g)) {
            registered.add(match[1]);
        }
        for (const command of declared) {
            assert.ok(registered.has(command), `${command} is declared but never named in src/`);
        }
        for (const match of code.matchAll(/registerCommand\('([^']+)'/g)) {
            assert.ok(declared.includes(match[1]), `${match[1]} is registered but not declared`);
        }
    });

    it('does not depend on the Python extension (code-server has no marketplace)', () => {
        assert.strictEqual(manifest.extensionDependencies, undefined);
    });

    it('limits untrusted workspaces and ignores their interpreter settings', () => {
        const trust = manifest.capabilities.untrustedWorkspaces;
        assert.strictEqual(trust.supported, 'limited');
        assert.deepStrictEqual(trust.restrictedConfigurations.sort(), ['bytelens.interpreter', 'bytelens.serverCommand']);
    });

    it('points at files that exist', () => {
        assert.ok(fs.existsSync(path.join(EXTENSION_ROOT, 'src', 'extension.ts')));
        assert.strictEqual(manifest.main, './out/src/extension.js');
        for (const grammar of manifest.contributes.grammars) {
            assert.ok(fs.existsSync(path.join(EXTENSION_ROOT, grammar.path)), grammar.path);
        }
        for (const file of ['trace.js', 'trace.css']) {
            assert.ok(fs.existsSync(path.join(EXTENSION_ROOT, 'media', file)), file);
        }
    });
});
