/** VS Code's workspace trust behind the TrustGate: its state, and a refusal that offers to change it. */

import * as vscode from 'vscode';
import { TrustGate, refusalMessage } from './trustGate';

const MANAGE_TRUST = 'Manage Workspace Trust';

export function workspaceTrustGate(): TrustGate {
    return new TrustGate({
        isTrusted: () => vscode.workspace.isTrusted,
        refuse: (command) => {
            void vscode.window.showWarningMessage(refusalMessage(command), MANAGE_TRUST).then((choice) => {
                if (choice === MANAGE_TRUST) {
                    void vscode.commands.executeCommand('workbench.trust.manage');
                }
            });
        },
    });
}
