/**
 * The trace panel's HTML: the page (controls, outcome, output) and the part that changes with each
 * step (instruction, evaluation stack, block stack, call stack). Every text comes from the server,
 * formatted once by the formatter `bytelens trace` prints with (the trace's `display`,
 * docs/trace-format.md); this file lays the texts out and escapes them, and never formats a step.
 * The webview's script only swaps fragments in. No `vscode` import.
 */

import { StepView } from './traceModel';
import { Trace, TraceCommandResult, TraceDisplay } from './traceTypes';

export function escapeHtml(text: string): string {
    return text
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/>/g, '&gt;')
        .replace(/"/g, '&quot;')
        .replace(/'/g, '&#39;');
}

export interface PageResources {
    /** The webview's `cspSource`. */
    cspSource: string;
    nonce: string;
    scriptUri: string;
    styleUri: string;
}

/** The whole page for one trace result; the step part is filled in by the first `step` message. */
export function renderPage(result: TraceCommandResult, resources: PageResources): string {
    const { cspSource, nonce, scriptUri, styleUri } = resources;
    const csp = `default-src 'none'; style-src ${cspSource}; script-src 'nonce-${nonce}';`;
    const total = result.trace?.steps.length ?? 0;
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link href="${escapeHtml(styleUri)}" rel="stylesheet">
<title>${escapeHtml(result.call || 'trace')}</title>
</head>
<body>
<header>
<h1 id="summary">${escapeHtml(result.summary || result.call)}</h1>
${result.error !== null ? `<p class="error" id="error">${escapeHtml(result.error)}</p>` : ''}
</header>
${result.trace && total > 0 ? renderControls(total) : ''}
<main id="step" aria-live="polite"></main>
${result.trace ? renderOutcome(result.trace) : ''}
<script nonce="${nonce}" src="${escapeHtml(scriptUri)}"></script>
</body>
</html>`;
}

function renderControls(total: number): string {
    const button = (move: string, label: string, title: string): string =>
        `<button type="button" data-move="${move}" title="${title}" aria-label="${title}">${label}</button>`;
    return `<nav class="controls">
${button('first', '&#x21E4;', 'First step (Home)')}
${button('previousLine', '&#x25C0;&#x25C0;', 'Previous line, over calls (Shift+Left)')}
${button('previous', '&#x25C0;', 'Previous step (Left)')}
${button('next', '&#x25B6;', 'Next step (Right)')}
${button('nextLine', '&#x25B6;&#x25B6;', 'Next line, over calls (Shift+Right)')}
${button('last', '&#x21E5;', 'Last step (End)')}
<input id="slider" type="range" min="0" max="${total - 1}" value="0" aria-label="Step">
<span id="position">1 / ${total}</span>
</nav>`;
}

/** The server's texts of step `index`: its instruction, its frame, its block entries (bottom first). */
export function stepTexts(display: TraceDisplay, index: number): { instruction: string; frame: string; blocks: string[] } {
    return {
        instruction: display.instructions[index] ?? '',
        frame: display.frames[index] ?? '',
        blocks: display.block_stacks[display.blocks[index]] ?? [],
    };
}

/** The part of the page that changes with each step. */
export function renderStep(view: StepView, display: TraceDisplay): string {
    const { step } = view;
    const texts = stepTexts(display, view.index);
    return `<section class="instruction">
<div class="where" id="where">${escapeHtml(texts.frame)}</div>
<div class="op" id="instruction"><code>${escapeHtml(texts.instruction)}</code></div>
<div class="explanation" id="explanation">${escapeHtml(display.sentences?.[display.explanations?.[view.index] ?? -1] ?? '')}</div>
</section>
<section class="columns">
<div class="column">
<h2>Evaluation stack <span class="count">${step.stack.length}</span></h2>
${renderStack(step.stack)}
</div>
<div class="column">
<h2>Block stack <span class="count">${texts.blocks.length}</span></h2>
${renderBlocks(texts.blocks)}
</div>
<div class="column">
<h2>Call stack <span class="count">${view.callStack.length}</span></h2>
${renderCallStack(view, display)}
</div>
</section>`;
}

function renderStack(stack: readonly string[]): string {
    if (stack.length === 0) {
        return '<p class="empty" id="stack">empty</p>';
    }
    const items = stack
        .map((value, index) => `<li${index === stack.length - 1 ? ' class="top"' : ''}><code>${escapeHtml(value)}</code></li>`)
        .reverse()
        .join('');
    return `<ol class="stack" id="stack" reversed>${items}</ol>`;
}

/** The block entries, top first, as the server wrote them (`except-handler (level 0)` has no target). */
function renderBlocks(blocks: readonly string[]): string {
    if (blocks.length === 0) {
        return '<p class="empty" id="blocks">empty</p>';
    }
    const items = blocks
        .map((text, index) => `<li${index === blocks.length - 1 ? ' class="top"' : ''}><code>${escapeHtml(text)}</code></li>`)
        .reverse()
        .join('');
    return `<ol class="blocks" id="blocks" reversed>${items}</ol>`;
}

/** Innermost first; each frame reads as the server wrote its most recent step's frame. */
function renderCallStack(view: StepView, display: TraceDisplay): string {
    const rows = view.callStack
        .map((frame, index) => {
            const current = index === view.callStack.length - 1 ? ' class="current"' : '';
            return `<li${current}><code>${escapeHtml(display.frames[frame.step] ?? '')}</code></li>`;
        })
        .reverse()
        .join('');
    return `<ol class="frames" id="frames">${rows}</ol>`;
}

/** How the call ended, what it printed, and the counters; the same for every step. */
export function renderOutcome(trace: Trace): string {
    const { display } = trace;
    const kind = trace.exception ? 'error' : trace.truncated ? 'warning' : 'result';
    const parts = [`<pre class="outcome ${kind}" id="outcome">${escapeHtml(display.outcome.join('\n'))}</pre>`];
    if (trace.truncated) {
        parts.push('<p class="hint">The setting bytelens.maxSteps sets the step budget.</p>');
    }
    if (trace.stdout) {
        parts.push(`<h2>Output</h2><pre class="stdout" id="stdout">${escapeHtml(trace.stdout)}</pre>`);
    }
    parts.push(`<p class="stats" id="stats">${escapeHtml(display.stats)}</p>`);
    return `<footer>${parts.join('\n')}</footer>`;
}
