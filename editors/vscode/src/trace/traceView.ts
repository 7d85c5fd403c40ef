/**
 * The trace panel's HTML: the page (controls, outcome, output) and the part that changes with each
 * step (instruction, evaluation stack, block stack, call stack). Every string from the trace is
 * escaped here; the webview's script only swaps fragments in. No `vscode` import.
 */

import { StepView } from './traceModel';
import { Trace, TraceCommandResult } from './traceTypes';

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

/** A file worth naming: not absent, and not a pseudo-file such as `<call>` (the traced expression). */
function realFile(file: string | undefined): boolean {
    return !!file && !(file.startsWith('<') && file.endsWith('>'));
}

/** The part of the page that changes with each step. */
export function renderStep(view: StepView): string {
    const { step } = view;
    const arg = step.arg === null ? '' : ` <span class="arg">${step.arg}</span>`;
    const argrepr = step.argrepr ? ` <span class="argrepr">(${escapeHtml(step.argrepr)})</span>` : '';
    const where = [
        `<span class="function">${escapeHtml(step.function)}</span>`,
        step.line === null ? 'no line' : `line ${step.line}`,
        `call depth ${step.depth}`,
        ...(realFile(step.file) ? [`in ${escapeHtml(step.file!)}`] : []),
    ].join(' &middot; ');
    return `<section class="instruction">
<div class="where" id="where">${where}</div>
<div class="op" id="instruction"><span class="offset">${step.offset}</span> <span class="opname">${escapeHtml(step.opname)}</span>${arg}${argrepr}</div>
</section>
<section class="columns">
<div class="column">
<h2>Evaluation stack <span class="count">${step.stack.length}</span></h2>
${renderStack(step.stack)}
</div>
<div class="column">
<h2>Block stack <span class="count">${step.blocks.length}</span></h2>
${renderBlocks(view)}
</div>
<div class="column">
<h2>Call stack <span class="count">${view.callStack.length}</span></h2>
${renderCallStack(view)}
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

function renderBlocks(view: StepView): string {
    const blocks = view.step.blocks;
    if (blocks.length === 0) {
        return '<p class="empty" id="blocks">empty</p>';
    }
    const rows = blocks
        .map((block) => `<tr><td>${escapeHtml(block.type)}</td><td>${block.handler}</td><td>${block.level}</td></tr>`)
        .reverse()
        .join('');
    return `<table class="blocks" id="blocks"><thead><tr><th>type</th><th>handler</th><th>level</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function renderCallStack(view: StepView): string {
    const rows = view.callStack
        .map((frame, index) => {
            const line = frame.line === null ? '' : ` line ${frame.line}`;
            const file = realFile(frame.file) ? ` (${escapeHtml(frame.file!)})` : '';
            const current = index === view.callStack.length - 1 ? ' class="current"' : '';
            return `<li${current}><code>${escapeHtml(frame.function)}</code>${line}${file}</li>`;
        })
        .reverse()
        .join('');
    return `<ol class="frames" id="frames">${rows}</ol>`;
}

/** How the call ended, what it printed, and the counters; the same for every step. */
export function renderOutcome(trace: Trace): string {
    const parts: string[] = [];
    if (trace.truncated) {
        parts.push(
            `<p class="warning">Stopped after ${trace.stats.steps} steps: the step budget ran out (setting bytelens.maxSteps). The trace shows the first part.</p>`,
        );
    }
    if (trace.exception) {
        const { type, message, traceback } = trace.exception;
        const headline = message ? `${type}: ${message}` : type;
        const lines = traceback.length > 0 ? `<pre class="traceback">${escapeHtml(traceback.join('\n'))}</pre>` : '';
        parts.push(`<p class="error" id="outcome">raised <code>${escapeHtml(headline)}</code></p>${lines}`);
    } else if (!trace.truncated) {
        parts.push(`<p id="outcome">returned <code>${escapeHtml(trace.result ?? 'None')}</code></p>`);
    }
    if (trace.stdout) {
        parts.push(`<h2>Output</h2><pre class="stdout" id="stdout">${escapeHtml(trace.stdout)}</pre>`);
    }
    const { stats } = trace;
    parts.push(
        `<p class="stats" id="stats">${stats.steps} steps &middot; ${stats.calls} calls &middot; max call depth ${stats.max_call_depth} &middot; max stack depth ${stats.max_stack_depth}</p>`,
    );
    return `<footer>${parts.join('\n')}</footer>`;
}
