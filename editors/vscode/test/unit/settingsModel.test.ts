import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
    LAUNCH_SETTING_KEYS,
    SECTION,
    SERVER_SETTING_KEYS,
    affectsAny,
    launchSettingsFrom,
    serverSettingsFrom,
} from '../../src/common/settingsModel';
import { EXTENSION_ROOT, REPO_ROOT } from './paths';

const manifest = JSON.parse(fs.readFileSync(path.join(EXTENSION_ROOT, 'package.json'), 'utf8'));
const properties: Record<string, { default: unknown; type: string }> = manifest.contributes.configuration.properties;

/** The settings table of docs/protocol.md: key -> default, parsed from its markdown rows. */
function protocolDefaults(): Map<string, unknown> {
    const text = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'protocol.md'), 'utf8');
    const section = text.slice(text.indexOf('## Settings'));
    const defaults = new Map<string, unknown>();
    for (const match of section.matchAll(/^\| `(\w+)` \| ([^|]+) \|/gm)) {
        defaults.set(match[1], JSON.parse(match[2].trim()));
    }
    return defaults;
}

describe('settings', () => {
    it('declares every server setting in package.json with the default docs/protocol.md gives', () => {
        const documented = protocolDefaults();
        assert.deepStrictEqual([...documented.keys()].sort(), [...SERVER_SETTING_KEYS].sort());
        for (const key of SERVER_SETTING_KEYS) {
            const property = properties[`${SECTION}.${key}`];
            assert.ok(property, `package.json lacks ${SECTION}.${key}`);
            assert.strictEqual(property.default, documented.get(key), `default of ${key}`);
        }
    });

    it('declares the launch settings as lists of strings', () => {
        for (const key of LAUNCH_SETTING_KEYS) {
            assert.strictEqual(properties[`${SECTION}.${key}`].type, 'array');
        }
    });

    it('sends exactly the server settings, with their values', () => {
        const values: Record<string, unknown> = {
            maxSteps: 500,
            timeLimit: 2.5,
            memoryLimit: 256,
            compareWithCPython: true,
            codeLens: false,
            interpreter: ['/usr/bin/python3'],
        };
        assert.deepStrictEqual(serverSettingsFrom((key) => values[key]), {
            maxSteps: 500,
            timeLimit: 2.5,
            memoryLimit: 256,
            compareWithCPython: true,
            codeLens: false,
        });
    });

    it('leaves out values of the wrong type so the server uses its default', () => {
        const values: Record<string, unknown> = { maxSteps: '100', timeLimit: Number.NaN, codeLens: 'yes', memoryLimit: 128 };
        assert.deepStrictEqual(serverSettingsFrom((key) => values[key]), { memoryLimit: 128 });
    });

    it('reads the interpreter and server command as lists, ignoring junk', () => {
        const read = (values: Record<string, unknown>) => launchSettingsFrom((key) => values[key]);
        assert.deepStrictEqual(read({ interpreter: ['/opt/py/bin/python', '-X', 'utf8'] }), {
            interpreter: ['/opt/py/bin/python', '-X', 'utf8'],
            serverCommand: [],
        });
        assert.deepStrictEqual(read({ interpreter: ' /opt/py/bin/python ', serverCommand: [1, 2] }), {
            interpreter: ['/opt/py/bin/python'],
            serverCommand: [],
        });
        assert.deepStrictEqual(read({ interpreter: [''], serverCommand: ['bytelens', 'serve'] }), {
            interpreter: [],
            serverCommand: ['bytelens', 'serve'],
        });
    });

    it('tells which configuration changes concern a group of keys', () => {
        const changed = (section: string) => section === 'bytelens.interpreter';
        assert.strictEqual(affectsAny(changed, LAUNCH_SETTING_KEYS), true);
        assert.strictEqual(affectsAny(changed, SERVER_SETTING_KEYS), false);
    });
});
