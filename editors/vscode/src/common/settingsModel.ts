/**
 * Which of the extension's settings go to the server, and which decide how the server starts.
 *
 * The defaults live in package.json (VS Code returns them for unset keys); this module only
 * names the keys and builds the object the server receives, so the server is told its settings
 * the same way at start-up (initializationOptions) and when it asks (workspace/configuration).
 * It does not import `vscode`, so the unit tests run it under plain Node.
 */

/** The configuration section, both in VS Code and in the server's workspace/configuration. */
export const SECTION = 'bytelens';

/** The server's settings (docs/protocol.md, "Settings"), with the same names as in package.json. */
export const SERVER_SETTING_KEYS = [
    'maxSteps',
    'timeLimit',
    'memoryLimit',
    'compareWithCPython',
    'codeLens',
] as const;

export type ServerSettingKey = (typeof SERVER_SETTING_KEYS)[number];

export interface ServerSettings {
    maxSteps: number;
    timeLimit: number;
    memoryLimit: number;
    compareWithCPython: boolean;
    codeLens: boolean;
}

/** Settings that change the command that starts the server: changing one restarts it. */
export const LAUNCH_SETTING_KEYS = ['interpreter', 'serverCommand'] as const;

export interface LaunchSettings {
    /** `[python, ...extra args]`, empty when unset. */
    interpreter: string[];
    /** The whole server command, empty when unset. */
    serverCommand: string[];
}

/** Reads one key of the `bytelens` section (VS Code's `WorkspaceConfiguration.get`). */
export type SettingReader = (key: string) => unknown;

/**
 * The server's settings as the server receives them. A key whose value has the wrong JSON type
 * (a hand-edited settings.json) is left out, so the server falls back to its own default.
 */
export function serverSettingsFrom(read: SettingReader): Partial<ServerSettings> {
    const settings: Record<string, unknown> = {};
    for (const key of SERVER_SETTING_KEYS) {
        const value = read(key);
        const expected = key === 'compareWithCPython' || key === 'codeLens' ? 'boolean' : 'number';
        if (typeof value === expected && !(typeof value === 'number' && !Number.isFinite(value))) {
            settings[key] = value;
        }
    }
    return settings as Partial<ServerSettings>;
}

/** The interpreter and server command settings; anything but a list of non-empty strings counts as unset. */
export function launchSettingsFrom(read: SettingReader): LaunchSettings {
    return {
        interpreter: stringList(read('interpreter')),
        serverCommand: stringList(read('serverCommand')),
    };
}

function stringList(value: unknown): string[] {
    if (typeof value === 'string') {
        return value.trim() ? [value.trim()] : [];
    }
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
        return [];
    }
    const items = value as string[];
    return items.length > 0 && items[0].trim() ? items : [];
}

/** True when a configuration change touches one of `keys` (given VS Code's `affectsConfiguration`). */
export function affectsAny(affects: (section: string) => boolean, keys: readonly string[]): boolean {
    return keys.some((key) => affects(`${SECTION}.${key}`));
}
