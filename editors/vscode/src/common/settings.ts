/** The one place that reads the extension's settings from VS Code. */

import * as vscode from 'vscode';
import {
    LaunchSettings,
    SECTION,
    ServerSettings,
    launchSettingsFrom,
    serverSettingsFrom,
} from './settingsModel';

function section(scope?: vscode.Uri): vscode.WorkspaceConfiguration {
    return vscode.workspace.getConfiguration(SECTION, scope);
}

/** What the server gets as initializationOptions and as the answer to workspace/configuration. */
export function readServerSettings(scope?: vscode.Uri): Partial<ServerSettings> {
    const config = section(scope);
    return serverSettingsFrom((key) => config.get(key));
}

/** `readServerSettings` for the `scopeUri` of a workspace/configuration item (the middleware's reader). */
export function readServerSettingsForScope(scopeUri: string | undefined): Partial<ServerSettings> {
    return readServerSettings(scopeUri ? vscode.Uri.parse(scopeUri) : undefined);
}

/** How to start the server. In an untrusted workspace VS Code returns only user-level values. */
export function readLaunchSettings(scope?: vscode.Uri): LaunchSettings {
    const config = section(scope);
    return launchSettingsFrom((key) => config.get(key));
}
