import * as path from 'path';

/** editors/vscode (the compiled tests run from out/test/unit). */
export const EXTENSION_ROOT = path.resolve(__dirname, '..', '..', '..');
/** The bytelens repository. */
export const REPO_ROOT = path.resolve(EXTENSION_ROOT, '..', '..');
