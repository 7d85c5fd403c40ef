/**
 * The interpreter selected in the Python extension (ms-python.python), when that extension is there.
 *
 * The dependency is optional at run time: no `extensionDependencies`, because editors without a
 * marketplace (code-server offline, VSCodium) could not install the extension at all otherwise.
 */

import * as vscode from 'vscode';
import { PVSC_EXTENSION_ID, PythonExtension } from '@vscode/python-extension';

async function pythonApi(log: vscode.LogOutputChannel): Promise<PythonExtension | undefined> {
    if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) {
        return undefined;
    }
    try {
        return await PythonExtension.api();
    } catch (error) {
        log.warn(`The Python extension is installed but its API is not available: ${error}`);
        return undefined;
    }
}

/** `[python, ...args]` of the active environment for `resource`, or undefined. */
export async function selectedInterpreter(log: vscode.LogOutputChannel, resource?: vscode.Uri): Promise<string[] | undefined> {
    const api = await pythonApi(log);
    if (!api) {
        return undefined;
    }
    const active = api.environments.getActiveEnvironmentPath(resource);
    const environment = await api.environments.resolveEnvironment(active);
    const executable = environment?.executable.uri?.fsPath;
    if (!executable) {
        log.warn(`The Python extension's environment ${active.path} has no interpreter; falling back.`);
        return undefined;
    }
    return [executable];
}

/** Calls `listener` whenever the user picks another interpreter in the Python extension. */
export async function onInterpreterChanged(log: vscode.LogOutputChannel, listener: () => void): Promise<vscode.Disposable> {
    const api = await pythonApi(log);
    return api ? api.environments.onDidChangeActiveEnvironmentPath(() => listener()) : new vscode.Disposable(() => undefined);
}
