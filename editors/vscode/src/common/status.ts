/** A status bar item that says whether the bytelens server runs, with which interpreter. */

import * as vscode from 'vscode';
import { ServerLaunch } from './serverCommand';

export class StatusItem implements vscode.Disposable {
    private readonly item = vscode.languages.createLanguageStatusItem('bytelens.server', { language: 'python' });

    constructor() {
        this.item.name = 'bytelens';
        this.item.command = { title: 'Show Output', command: 'bytelens.showOutput' };
    }

    starting(launch: ServerLaunch): void {
        this.item.busy = true;
        this.item.severity = vscode.LanguageStatusSeverity.Information;
        this.item.text = 'bytelens: starting';
        this.item.detail = describe(launch);
    }

    running(launch: ServerLaunch): void {
        this.item.busy = false;
        this.item.severity = vscode.LanguageStatusSeverity.Information;
        this.item.text = 'bytelens';
        this.item.detail = describe(launch);
    }

    stopped(): void {
        this.item.busy = false;
        this.item.severity = vscode.LanguageStatusSeverity.Warning;
        this.item.text = 'bytelens: stopped';
        this.item.detail = 'The language server stopped; see the output.';
    }

    failed(message: string): void {
        this.item.busy = false;
        this.item.severity = vscode.LanguageStatusSeverity.Error;
        this.item.text = 'bytelens: not running';
        this.item.detail = message;
    }

    dispose(): void {
        this.item.dispose();
    }
}

function describe(launch: ServerLaunch): string {
    return `${[launch.command, ...launch.args].join(' ')} (from ${launch.source})`;
}
