// Drives a real VS Code (code-server) in headless Chromium through what a bytelens user does, and
// checks what they would see: the restricted-mode refusal, diagnostics (squiggle and Problems),
// a hover with bytelens's bytecode, the trace lens and its panel, a call prompt, and the
// Show Bytecode view following the cursor. Run by ../scripts/e2e.sh, which sets the environment.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';

const URL = required('E2E_URL');
const SCREENSHOTS = required('E2E_SCREENSHOTS');
const LOGS = required('E2E_LOGS');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Long enough for a cold language server start on a busy 2-core machine. */
const SERVER_TIMEOUT = 90_000;
const UI_TIMEOUT = 30_000;

function required(name) {
    const value = process.env[name];
    if (!value) {
        throw new Error(`${name} is not set: run this through scripts/e2e.sh`);
    }
    return value;
}

let stepStarted = Date.now();
function log(message) {
    const now = Date.now();
    console.log(`  drive [+${((now - stepStarted) / 1000).toFixed(1)}s] ${message}`);
    stepStarted = now;
}

const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
});
const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
page.setDefaultTimeout(UI_TIMEOUT);
const consoleErrors = [];
page.on('console', (message) => {
    if (message.type() === 'error') {
        consoleErrors.push(message.text());
    }
});

try {
    await run();
    console.log('  drive: all checks passed');
} catch (error) {
    const shot = path.join(LOGS, 'failure.png');
    await page.screenshot({ path: shot }).catch(() => undefined);
    console.error(`  drive: FAILED: ${error.stack || error}`);
    console.error(`  drive: screenshot of the failure: ${shot}`);
    if (consoleErrors.length > 0) {
        console.error(`  drive: browser console errors:\n    ${consoleErrors.slice(-10).join('\n    ')}`);
    }
    process.exitCode = 1;
} finally {
    await browser.close();
}

async function run() {
    await openWorkbench();
    if (process.env.E2E_ONLY === 'broken-buffers') {
        await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Yes, I trust the authors' }).click();
        await checkBrokenBuffers();
        return;
    }
    if (process.env.E2E_ONLY === 'cache') {
        await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Yes, I trust the authors' }).click();
        await checkCache();
        return;
    }
    if (process.env.E2E_ONLY === 'script') {
        await page.locator('.monaco-dialog-box').getByRole('button', { name: 'Yes, I trust the authors' }).click();
        await checkScriptTrace();
        return;
    }

    // Restricted Mode: the workspace's interpreter setting is ignored and tracing is refused.
    await page.locator('.monaco-dialog-box').getByRole('button', { name: "No, I don't trust the authors" }).click();
    log('declined to trust the workspace');
    await openFile('demo.py');
    if (process.env.E2E_PATH_PYTHON_LACKS_BYTELENS === '1') {
        // The workspace's interpreter setting does not count yet, so the server would start with
        // python3 from PATH, which has no bytelens: the user is told how to fix that.
        await expectNotification(/^bytelens is not installed in the Python interpreter python3\. Install it with: python3 -m pip install bytelens/);
        log('without bytelens in python3 the user is told how to install it');
    }
    await runCommand('bytelens: Trace Function at Cursor');
    await expectNotification(/tracing is off in Restricted Mode/);
    log('tracing refused in Restricted Mode');
    await dismissNotifications();

    // Trusting the workspace restarts the server with the workspace's interpreter.
    await runCommand('Workspaces: Manage Workspace Trust');
    await page.locator('.workspace-trust-editor').getByRole('button', { name: 'Trust', exact: true }).click();
    await page.keyboard.press('Control+W');
    log('trusted the workspace');
    await activateEditor('demo.py');
    const fibLens = page.locator('.codelens-decoration a', { hasText: 'Trace fib(5)' });
    await fibLens.waitFor({ timeout: SERVER_TIMEOUT });
    log('the server runs: lenses are shown');
    await dismissNotifications();

    await checkDiagnostics();
    await checkHover();
    await checkTrace(fibLens);
    await checkCallPrompt();
    await checkBytecodeView();
    await checkSettings();
}

async function openWorkbench() {
    const deadline = Date.now() + 60_000;
    for (;;) {
        try {
            await page.goto(URL, { waitUntil: 'domcontentloaded' });
            break;
        } catch (error) {
            if (Date.now() > deadline) {
                throw error;
            }
            await page.waitForTimeout(500);
        }
    }
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    log('VS Code is up');
}

async function runCommand(title) {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
    await input.press('Enter');
}

async function openFile(name) {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
    await input.press('Enter');
    await activateEditor(name);
}

/** Tabs titled `title` (with several groups, VS Code appends ", Editor Group N" to the label). */
function tab(title, state = '') {
    return page.locator(`.tab${state}[aria-label="${title}"], .tab${state}[aria-label^="${title}, Editor Group"]`);
}

/** The editor group whose active tab is `title`. */
function group(title) {
    return page.locator('.editor-group-container', { has: tab(title, '.active') });
}

async function activateEditor(title) {
    await tab(title).first().click();
    await group(title).locator('.monaco-editor .view-lines').waitFor();
}

/** The rendered line of `editor` (a locator) whose text is `text`, ignoring indentation; waits for it. */
async function line(editor, text) {
    const lines = editor.locator('.view-lines .view-line');
    const deadline = Date.now() + UI_TIMEOUT;
    for (;;) {
        const texts = await lines.evaluateAll((elements) =>
            elements.map((element) => element.textContent.replace(/\u00a0/g, ' ').trim()));
        const index = texts.indexOf(text);
        if (index >= 0) {
            return lines.nth(index);
        }
        if (Date.now() > deadline) {
            throw new Error(`no line "${text}" on screen; the lines are:\n${texts.join('\n')}`);
        }
        await page.waitForTimeout(200);
    }
}

async function expectNotification(pattern) {
    await page.locator('.notification-toast .notification-list-item-message', { hasText: pattern }).first().waitFor();
}

async function dismissNotifications() {
    await runCommand('Notifications: Clear All Notifications');
}

async function shot(name) {
    const file = path.join(SCREENSHOTS, `vscode-${name}.png`);
    await page.screenshot({ path: file });
    log(`screenshot ${file}`);
}

async function checkDiagnostics() {
    const editor = group('demo.py').locator('.monaco-editor');
    await editor.locator('.view-lines').click();
    // The file ends with a newline: Ctrl+End is the empty last line.
    await page.keyboard.press('Control+End');
    await page.keyboard.type('def broken(:');
    await line(editor, 'def broken(:)'); // the editor closed the parenthesis
    await editor.locator('.squiggly-error').first().waitFor({ timeout: SERVER_TIMEOUT });
    await page.keyboard.press('Control+Shift+M');
    const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'invalid syntax' });
    await problem.first().waitFor();
    const text = await page.locator('.markers-panel').innerText();
    assert.match(text, /invalid syntax\s+bytelens\s+SyntaxError\s+\[Ln 26, Col \d+\]/, `the problem does not name its source and code: ${text}`);
    // Clicking the problem goes to the error: the squiggle and the problem in one picture.
    await problem.first().click();
    await editor.locator('.squiggly-error').first().waitFor();
    await page.waitForTimeout(300);
    log('typing a syntax error shows a squiggle and a problem');
    await shot('diagnostics');
    // Remove it again: the problem goes away as soon as the text compiles again.
    await editor.locator('.view-lines').click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Backspace');
    await editor.locator('.squiggly-error').first().waitFor({ state: 'detached', timeout: SERVER_TIMEOUT });
    await problem.first().waitFor({ state: 'detached' });
    log('fixing it clears the squiggle and the problem');
    await runCommand('View: Toggle Panel Visibility');
    await page.keyboard.press('Control+S');
}

/** A file with two errors in different functions and a warning between them (workspace/broken.py):
 * every diagnostic in Problems, and a hover in its correct function. The test compares the
 * Problems text printed here with CPython (tests/test_vscode_broken_buffers.py). */
/** "▷ Trace this file" on script.py's first line opens the panel with the module body's steps. */
async function checkScriptTrace() {
    await openFile('script.py');
    const lens = group('script.py').locator('.codelens-decoration a', { hasText: 'Trace this file' });
    await lens.waitFor({ timeout: SERVER_TIMEOUT });
    log('a script shows the "Trace this file" lens');
    await lens.click();
    const frame = await traceFrame();
    const summary = await frame.locator('#summary').innerText();
    assert.match(summary, /^script\.py exited with status 0 · \d+ steps$/, `unexpected summary: ${summary}`);
    const total = Number(summary.match(/(\d+) steps/)[1]);
    assert.equal(await frame.locator('#position').innerText(), `1 / ${total}`);
    const first = { where: await frame.locator('#where').innerText(), instruction: await frame.locator('#instruction').innerText() };
    const frames = await frame.locator('#frames li code').allInnerTexts();
    assert.deepEqual(frames, [first.where], `the call stack at step 1 is the module alone: ${frames}`);
    assert.match(await frame.locator('#stdout').innerText(), /added 3 total 6\s+done: 6/);
    assert.match(await frame.locator('#outcome').innerText(), /exit status 0/);
    await frame.locator('button[data-move="last"]').click();
    await frame.locator('#position', { hasText: `${total} / ${total}` }).waitFor();
    const last = await frame.locator('#instruction').innerText();
    console.log(`  drive: script trace ${JSON.stringify({ summary, first, last })}`);
    log(`the script's trace opened at step 1 (${first.where}: ${first.instruction}) and ends at ${last}`);
    await shot('trace-script');
}

async function checkBrokenBuffers() {
    await openFile('broken.py');
    const editor = group('broken.py').locator('.monaco-editor');
    await editor.locator('.squiggly-error').nth(1).waitFor({ timeout: SERVER_TIMEOUT });
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row', { hasText: 'bytelens' });
    const deadline = Date.now() + UI_TIMEOUT;
    while ((await rows.count()) < 3 && Date.now() < deadline) {
        await page.waitForTimeout(200);
    }
    const problems = await rows.evaluateAll((elements) => elements.map((element) => element.innerText.replace(/\s+/g, ' ').trim()));
    console.log(`  drive: problems ${JSON.stringify(problems)}`);
    log('a broken file shows every diagnostic');
    await runCommand('View: Toggle Panel Visibility');
    await editor.locator('.view-lines').click();
    await goToLine(1);
    await (await line(editor, 'result *= i')).locator('span span', { hasText: 'result' }).first().hover();
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-resizable-hover .monaco-hover-content').first();
    await hover.waitFor({ timeout: SERVER_TIMEOUT });
    const text = await hover.innerText();
    assert.match(text, /^Partial/, `the hover does not say it is partial:\n${text}`);
    assert.match(text, /INPLACE_MULTIPLY/, `the hover shows no bytecode of the line:\n${text}`);
    log('a hover in a correct function of a broken file shows its bytecode');
    await shot('broken-buffers');
}

/** Puts the cursor on `lineNumber` (1-based) of the active editor and scrolls it into view. */
async function goToLine(lineNumber) {
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill(`:${lineNumber}`);
    await input.press('Enter');
    await input.waitFor({ state: 'hidden' });
}

async function checkHover() {
    const editor = group('demo.py').locator('.monaco-editor');
    await goToLine(1);
    const target = (await line(editor, 'return fib(n - 1) + fib(n - 2)')).locator('span span', { hasText: '+' }).first();
    await target.hover();
    const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content, .monaco-resizable-hover .monaco-hover-content').first();
    await hover.waitFor({ timeout: SERVER_TIMEOUT });
    const text = await hover.innerText();
    // 3.7-style instructions: CPython 3.11's own compiler would show CALL and BINARY_OP here.
    assert.match(text, /CALL_FUNCTION/, `the hover shows no bytelens bytecode:\n${text}`);
    assert.match(text, /BINARY_ADD/, `the hover lacks the line's addition:\n${text}`);
    log('the hover shows the line\'s bytecode');
    await shot('hover');
    await page.keyboard.press('Escape');
    await page.mouse.move(5, 450);
}

/** The frame of the trace webview (VS Code nests it in two iframes). */
async function traceFrame() {
    const deadline = Date.now() + SERVER_TIMEOUT;
    while (Date.now() < deadline) {
        for (const frame of page.frames()) {
            if (await frame.locator('#step #instruction').count().catch(() => 0)) {
                return frame;
            }
        }
        await page.waitForTimeout(250);
    }
    throw new Error('no trace panel with a step appeared');
}

async function checkTrace(fibLens) {
    await goToLine(1);
    await fibLens.click();
    const frame = await traceFrame();
    const summary = await frame.locator('#summary').innerText();
    assert.match(summary, /^fib\(5\) -> 5 · \d+ steps$/, `unexpected summary: ${summary}`);
    const total = Number(summary.match(/(\d+) steps/)[1]);
    assert.equal(await frame.locator('#position').innerText(), `1 / ${total}`);
    const first = await frame.locator('#instruction').innerText();
    log(`the trace panel opened at step 1: ${first}`);
    // Under the instruction, the server's sentence of what the step did.
    const explained = await frame.locator('#explanation').innerText();
    assert.ok(explained.startsWith(`${first.trim().split(/\s+/)[1]} `) && /pushed|popped/.test(explained),
        `unexpected explanation: ${explained}`);
    log(`with its explanation: ${explained}`);

    await frame.locator('button[data-move="next"]').click();
    await frame.locator('#position', { hasText: `2 / ${total}` }).waitFor();
    await frame.locator('button[data-move="last"]').click();
    await frame.locator('#position', { hasText: `${total} / ${total}` }).waitFor();
    assert.match(await frame.locator('#instruction').innerText(), /RETURN_VALUE/);
    await frame.locator('body').press('Home');
    await frame.locator('#position', { hasText: `1 / ${total}` }).waitFor();
    await frame.locator('#slider').fill(String(Math.floor(total / 2)));
    await frame.locator('#position', { hasText: `${Math.floor(total / 2) + 1} / ${total}` }).waitFor();
    // The step commands' key bindings work from the source editor too.
    await group('demo.py').locator('.monaco-editor .view-lines').click();
    await page.keyboard.press('Alt+BracketRight');
    await frame.locator('#position', { hasText: `${Math.floor(total / 2) + 2} / ${total}` }).waitFor();
    await frame.locator('button[data-move="first"]').click();
    await frame.locator('#position', { hasText: `1 / ${total}` }).waitFor();
    log('buttons, keys, the slider and Alt+] in the editor move through the steps');

    // Into the recursion: the first step of a call to fib at depth 2.
    let index = 1;
    for (; index < total; index++) {
        await frame.locator('button[data-move="next"]').click();
        await frame.locator('#position', { hasText: `${index + 1} / ${total}` }).waitFor();
        // Two calls deep: the call stack holds the traced expression and two frames of fib.
        if ((await frame.locator('#frames li').count()) === 3) {
            break;
        }
    }
    assert.ok(index < total, 'the trace never went two calls deep');
    const stack = await frame.locator('#stack').innerText();
    const frames = await frame.locator('#frames li code').allInnerTexts();
    assert.deepEqual(frames.slice(0, 2).map((text) => text.split(' ')[0]), ['fib', 'fib'], `call stack, innermost first: ${frames}`);
    assert.equal(frames.length, 3, `call stack, innermost first: ${frames}`);
    const where = await frame.locator('#where').innerText();
    const lineNumber = Number(where.match(/line (\d+)/)[1]);
    log(`step ${index + 1} is in a recursive call, line ${lineNumber}; stack: ${stack.replace(/\n/g, ' ')}`);

    // The step's source line is highlighted in the editor, with the instruction after it.
    const editor = group('demo.py').locator('.monaco-editor');
    const highlighted = await highlightedLineText(editor);
    const source = fs.readFileSync(path.join(required('E2E_WORKSPACE'), 'demo.py'), 'utf8').split('\n');
    assert.equal(highlighted.trim(), source[lineNumber - 1].trim(), 'the highlighted source line is not the step\'s');
    log(`the editor highlights line ${lineNumber}: ${highlighted.trim()}`);
    await shot('trace');
}

/** The text of the editor line carrying the trace decoration's `after` text ("step N/M: ..."). */
async function highlightedLineText(editor) {
    return editor.evaluate((element) => {
        for (const span of element.querySelectorAll('.view-line span')) {
            const after = getComputedStyle(span, '::after').content;
            if (after && after.includes('step ')) {
                return span.closest('.view-line').textContent.replace(/\u00a0/g, ' ');
            }
        }
        return '';
    });
}

async function checkCallPrompt() {
    await activateEditor('demo.py');
    await goToLine(15);
    const lens = page.locator('.codelens-decoration a', { hasText: 'Trace total(' });
    await lens.click();
    const input = page.locator('.quick-input-widget input.input');
    await input.waitFor();
    assert.equal(await input.inputValue(), 'total(items)'); // the server's template: required parameters
    await input.fill('total([1, 2, 3], start=10)');
    await input.press('Enter');
    const deadline = Date.now() + SERVER_TIMEOUT;
    let summary = '';
    while (Date.now() < deadline && !summary.startsWith('total(')) {
        const frame = await traceFrame();
        summary = await frame.locator('#summary').innerText().catch(() => '');
        await page.waitForTimeout(200);
    }
    assert.match(summary, /^total\(\[1, 2, 3\], start=10\) -> 16 · \d+ steps$/);
    log(`a lens without a call asks for one: ${summary}`);

    // Inside the loop the block stack holds the loop block, and the iterator sits on the stack.
    const frame = await traceFrame();
    for (let i = 0; i < 40 && !/start \+= item/.test(await highlightedLineText(group('demo.py').locator('.monaco-editor'))); i++) {
        await frame.locator('button[data-move="next"]').click();
        await page.waitForTimeout(50);
    }
    await frame.locator('button[data-move="next"]').click();
    const blocks = await frame.locator('#blocks').innerText();
    assert.match(blocks, /loop -> \d+ \(level \d+\)/, `block stack inside the loop: ${blocks}`);
    const stack = await frame.locator('#stack').innerText();
    assert.match(stack, /iterator/, `evaluation stack inside the loop: ${stack}`);
    log(`inside the loop the block stack shows ${blocks.split('\n').pop()}`);
    await shot('trace-loop');
}

async function checkBytecodeView() {
    // Closing the trace panel removes its highlight from the source.
    await tab('Trace: total([1, 2, 3], start=10)').first().click();
    await page.keyboard.press('Control+W');
    const source = group('demo.py').locator('.monaco-editor');
    await page.waitForTimeout(300);
    assert.deepEqual(await decoratedLines(source), [], 'the trace highlight outlived its panel');
    await activateEditor('demo.py');
    await runCommand('bytelens: Show Bytecode');
    const listing = group('demo.py (bytecode)').locator('.monaco-editor');
    await listing.locator('.view-line', { hasText: 'Disassembly of <code object' }).first().waitFor({ timeout: SERVER_TIMEOUT });
    log('Show Bytecode opened the listing beside the source');

    const editor = group('demo.py').locator('.monaco-editor');
    await goToLine(17);
    await page.waitForTimeout(500);
    const highlighted = await decoratedLines(listing);
    assert.ok(highlighted.length > 0, 'no listing line is highlighted');
    const joined = highlighted.join('\n');
    assert.match(joined, /INPLACE_ADD/, `the highlighted instructions are not line 17's:\n${joined}`);
    log(`the cursor on "start += item" highlights ${highlighted.length} listing lines`);
    await shot('bytecode');

    // And the other way round: a click on an instruction highlights its source line.
    await (await lineContaining(listing, 'BINARY_ADD')).click();
    await page.waitForTimeout(500);
    const sourceLines = (await decoratedLines(editor)).map((text) => text.trim());
    assert.deepEqual(sourceLines, ['return fib(n - 1) + fib(n - 2)'], `highlighted source: ${sourceLines}`);
    log('a click on BINARY_ADD in the listing highlights its source line');

    // Hovering an instruction of the listing says what its opcode does (the server's explanations).
    await listing.locator('.view-line', { hasText: 'BINARY_ADD' }).first().locator('span > span')
        .filter({ hasText: 'BINARY_ADD' }).first().hover();
    const hover = page.locator('.monaco-hover-content:visible', { hasText: 'Pops two values' }).first();
    await hover.waitFor({ timeout: 10_000 });
    assert.match(await hover.innerText(), /BINARY_ADD[\s\S]*… a b → … a\+b/);
    log('hovering BINARY_ADD in the listing shows its stack picture and explanation');
}

/** The first rendered line of `editor` that contains `text`; waits for it. */
async function lineContaining(editor, text) {
    const candidate = editor.locator('.view-lines .view-line', { hasText: text }).first();
    await candidate.waitFor();
    return candidate;
}

/** The text of the lines of `editor` that carry an extension's decoration (class `ced-...`). */
async function decoratedLines(editor) {
    return editor.evaluate((element) => {
        const tops = new Set();
        for (const overlay of element.querySelectorAll('.view-overlays > div')) {
            if ([...overlay.children].some((child) => /\bced-/.test(child.className))) {
                tops.add(overlay.style.top);
            }
        }
        return [...element.querySelectorAll('.view-lines .view-line')]
            .filter((viewLine) => tops.has(viewLine.style.top))
            .map((viewLine) => viewLine.textContent.replace(/\u00a0/g, ' '));
    });
}

/** Settings reach the server: edited in the workspace's settings.json, as a user would. */
async function checkSettings() {
    const file = path.join(required('E2E_WORKSPACE'), '.vscode', 'settings.json');
    const original = fs.readFileSync(file, 'utf8');
    const settings = JSON.parse(original);
    fs.writeFileSync(file, JSON.stringify({ ...settings, 'bytelens.codeLens': false, 'bytelens.compareWithCPython': true }, null, 4));
    await activateEditor('demo.py');
    await goToLine(1);
    const lenses = group('demo.py').locator('.codelens-decoration');
    await lenses.first().waitFor({ state: 'detached', timeout: SERVER_TIMEOUT });
    log('"bytelens.codeLens": false removes the lenses');

    const editor = group('demo.py').locator('.monaco-editor');
    await (await line(editor, 'return a / b')).locator('span span', { hasText: 'return' }).first().hover();
    const hover = page.locator('.monaco-hover-content', { hasText: /CPython \d+\.\d+/ }).first();
    await hover.waitFor({ timeout: SERVER_TIMEOUT });
    const text = await hover.innerText();
    assert.match(text, /BINARY_TRUE_DIVIDE/, `no bytelens listing in the hover:\n${text}`);
    assert.match(text, /BINARY_OP/, `no CPython listing in the hover:\n${text}`);
    log('"bytelens.compareWithCPython": true adds CPython\'s dis to the hover');
    await page.keyboard.press('Escape');

    fs.writeFileSync(file, original);
    await lenses.first().waitFor({ timeout: SERVER_TIMEOUT });
    log('the lenses come back with the setting removed');
}

/** The status bar item of the cache state (`bytelens/cacheState`) once it reads `pattern`. */
async function cacheStatus(pattern) {
    const item = page.locator('.statusbar-item', { hasText: pattern }).first();
    await item.waitFor({ timeout: SERVER_TIMEOUT });
    const text = (await item.innerText()).trim();
    console.log(`  drive: cache status ${JSON.stringify(text)}`);
    return text;
}

/** The frame of the cache file editor's webview, once it shows the file's page. */
async function cacheFileFrame() {
    const deadline = Date.now() + SERVER_TIMEOUT;
    while (Date.now() < deadline) {
        for (const frame of page.frames()) {
            const text = await frame.locator('#cache-file').innerText().catch(() => '');
            if (text.includes('magic:')) {
                return text;
            }
        }
        await page.waitForTimeout(250);
    }
    throw new Error('no cache file page appeared');
}

/** Explain Cache (issue 14): the page, its Write and Compare lenses, the status item following a
 * cache file written outside VS Code, and a .pyc opened as its explanation. The test compares the
 * texts printed here with the server's functions (tests/test_vscode_cache.py). */
async function checkCache() {
    const workspace = required('E2E_WORKSPACE');
    const python = JSON.parse(fs.readFileSync(path.join(workspace, '.vscode', 'settings.json'), 'utf8'))['bytelens.interpreter'][0];
    await openFile('cached.py');
    await cacheStatus(/\.pyc not written yet · \.blc not written yet/);
    log('the status item says neither cache file is written');

    await runCommand('bytelens: Explain Cache');
    const cachePage = group('cached.py (cache)').locator('.monaco-editor');
    await line(cachePage, 'verdict:    missing');
    log('Explain Cache opened the page');
    await shot('cache-page');

    // Written by the server: the watcher reports the new .blc, and the status says so.
    await cachePage.locator('.codelens-decoration a', { hasText: "Write bytelens's .blc" }).click();
    await line(cachePage, 'verdict:    fresh');
    await cacheStatus(/\.pyc not written yet · \.blc fresh/);
    log('writing the .blc from the page updates the page and the status');

    // Written outside VS Code (as `import cached` would): only file watching can tell.
    execFileSync(python, ['-c', 'import py_compile, sys; py_compile.compile(sys.argv[1], doraise=True)', path.join(workspace, 'cached.py')]);
    await cacheStatus(/\.pyc fresh · \.blc fresh/);
    log('a .pyc written outside the editor updates the status');

    await cachePage.locator('.codelens-decoration a', { hasText: 'Compare' }).click();
    const ours = group('cached.py (bytelens dis of the .blc)').locator('.monaco-editor');
    const theirs = group('cached.py (CPython dis)').locator('.monaco-editor');
    await lineContaining(ours, 'BINARY_MULTIPLY');
    await lineContaining(theirs, 'BINARY_OP');
    log('Compare shows bytelens\'s listing of the .blc beside CPython\'s dis');
    await shot('cache-compare');

    const pyc = fs.readdirSync(path.join(workspace, '__pycache__')).find((name) => name.endsWith('.pyc'));
    // From the Explorer, as a learner would (Quick Open's file index may not have the new file yet).
    const explorer = page.locator('.explorer-folders-view');
    const pycRow = explorer.locator('.monaco-list-row', { hasText: pyc });
    if (!(await pycRow.count())) {
        await explorer.locator('.monaco-list-row', { hasText: '__pycache__' }).first().click();
    }
    await pycRow.first().click();
    const text = await cacheFileFrame();
    assert.match(text, /RESUME/, `the .pyc page shows no disassembly:\n${text}`);
    console.log(`  drive: pyc page ${JSON.stringify(text)}`);
    log('opening a .pyc shows its header and its code disassembled');
    await shot('cache-pyc');
}
