import * as assert from 'assert';
import { TraceStepper } from '../../src/trace/traceModel';
import { TraceDisplay } from '../../src/trace/traceTypes';
import { escapeHtml, renderOutcome, renderPage, renderStep, stepTexts } from '../../src/trace/traceView';
import { step, textStepLines, traceFixture } from './fixtures';

const resources = { cspSource: 'vscode-webview:', nonce: 'n0nce', scriptUri: 'x:/trace.js', styleUri: 'x:/trace.css' };

/** The panel's step HTML with its markup gone: the texts a reader sees, one per element. */
function shownTexts(html: string): string[] {
    return html
        .split(/<[^>]+>/)
        .map((text) => text.trim())
        .filter((text) => text !== '')
        .map((text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&'));
}

describe('the trace panel HTML', () => {
    it('escapes everything that could be markup', () => {
        assert.strictEqual(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
        const display: TraceDisplay = {
            version: 1,
            instructions: ['0 <b>'],
            frames: ['<i> line 1'],
            blocks: [0],
            block_stacks: [['<u>']],
            outcome: ['result: <s>'],
            exception: null,
            stats: '<q>',
        };
        const html = renderStep(new TraceStepper([step({ stack: ['<script>alert(1)</script>'] })]).view()!, display);
        for (const markup of ['<script>', '<b>', '<i>', '<u>']) {
            assert.ok(!html.includes(markup), `${markup} was not escaped`);
        }
    });

    it('shows the instruction, both stacks and the call stack as bytelens trace prints them, top first', () => {
        const { trace, text } = traceFixture('fib2');
        const printed = textStepLines(text);
        const stepper = new TraceStepper(trace.steps);
        for (let index = 0; index < trace.steps.length; index++) {
            stepper.move(index);
            const view = stepper.view()!;
            const html = renderStep(view, trace.display);
            const { instruction, frame } = stepTexts(trace.display, index);
            assert.ok(printed[index].includes(` ${instruction} `) || printed[index].includes(` ${instruction}`), printed[index]);
            assert.match(html, new RegExp(`<div class="op" id="instruction"><code>${escapeRegExp(escapeHtml(instruction))}</code></div>`));
            assert.match(html, new RegExp(`<div class="where" id="where">${escapeRegExp(escapeHtml(frame))}</div>`));
            const stack = trace.steps[index].stack;
            if (stack.length > 1 && stack[0] !== stack[stack.length - 1]) {
                assert.ok(html.indexOf(escapeHtml(stack[stack.length - 1])) < html.indexOf(escapeHtml(stack[0])), 'top of the stack is not listed first');
            }
        }
        // Each step's sentence, as the server wrote it, under its instruction.
        stepper.move(3);
        const sentence = trace.display.sentences![trace.display.explanations![3]];
        assert.ok(sentence.startsWith(trace.steps[3].opname + ' '), sentence);
        assert.match(renderStep(stepper.view()!, trace.display),
            new RegExp(`<div class="explanation" id="explanation">${escapeRegExp(escapeHtml(sentence))}</div>`));
        // In the second recursive call: three frames, innermost first, each its last step's frame text.
        const deepest = trace.steps.findIndex((s) => s.depth === 2);
        stepper.move(deepest);
        const frames = /<ol class="frames" id="frames">(.*?)<\/ol>/.exec(renderStep(stepper.view()!, trace.display))![1];
        assert.deepStrictEqual(shownTexts(frames), [trace.display.frames[deepest], 'fib line 7', '<call> line 1']);
        assert.match(frames, /^<li class="current">/);
    });

    it('shows an except-handler block without a target, as bytelens trace prints it', () => {
        const { trace, text } = traceFixture('safe_ratio');
        const printed = textStepLines(text);
        const stepper = new TraceStepper(trace.steps);
        let handlerSteps = 0;
        for (let index = 0; index < trace.steps.length; index++) {
            stepper.move(index);
            const html = renderStep(stepper.view()!, trace.display);
            const { blocks } = stepTexts(trace.display, index);
            const braces = /  \{(.*)\}$/.exec(printed[index]);
            assert.deepStrictEqual(blocks, braces ? braces[1].split(', ') : [], printed[index]);
            const shown = /id="blocks"[^>]*>(.*?)<\/(ol|p)>/.exec(html)![1];
            assert.deepStrictEqual(shownTexts(shown), blocks.length ? [...blocks].reverse() : ['empty']);
            if (trace.steps[index].blocks.some((block) => block.type === 'except-handler')) {
                handlerSteps += 1;
                assert.deepStrictEqual(shownTexts(shown), ['except-handler (level 0)']);
                assert.ok(!shown.includes('-1'), shown);
            }
        }
        assert.ok(handlerSteps >= 3, 'the handler body was not stepped through');
    });

    it('names the file of a step in another file, but not the pseudo-file of the traced expression', () => {
        const { trace } = traceFixture('fib2');
        assert.strictEqual(trace.steps[0].file, '<call>');
        assert.strictEqual(stepTexts(trace.display, 0).frame, '<call> line 1');
    });

    it('says when the stacks are empty', () => {
        const { trace } = traceFixture('fib2');
        const last = new TraceStepper(trace.steps);
        last.move('last');
        const html = renderStep(last.view()!, trace.display);
        assert.match(html, /<p class="empty" id="stack">empty<\/p>/);
        assert.match(html, /<p class="empty" id="blocks">empty<\/p>/);
    });

    it('shows how the call ended as bytelens trace prints it', () => {
        for (const name of ['fib2', 'safe_ratio', 'cut']) {
            const { trace, text } = traceFixture(name);
            const footer = renderOutcome(trace);
            const outcome = /<pre class="outcome (\w+)" id="outcome">(.*?)<\/pre>/s.exec(footer)!;
            assert.strictEqual(outcome[2], escapeHtml(trace.display.outcome.join('\n')));
            for (const line of trace.display.outcome) {
                const cliLine = line.replace(/^stopped after (\d+) steps: the step budget \((\d+)\)/, 'stopped after $1 steps: the step budget ($2, --max-steps)');
                assert.ok(text.split('\n').includes(cliLine), `${line} is not in the text`);
            }
            assert.ok(text.split('\n').includes(`stats: ${trace.display.stats}`));
            assert.match(footer, new RegExp(`<p class="stats" id="stats">${escapeRegExp(escapeHtml(trace.display.stats))}</p>`));
            assert.strictEqual(outcome[1], trace.truncated ? 'warning' : 'result');
        }
        const cut = traceFixture('cut').trace;
        assert.match(renderOutcome(cut), /bytelens\.maxSteps/);
        const printed = renderOutcome({ ...cut, stdout: 'hi <b>\n' });
        assert.match(printed, /<pre class="stdout" id="stdout">hi &lt;b&gt;\n<\/pre>/);
    });

    it('builds a page whose only script carries the nonce, with a strict CSP', () => {
        const { trace } = traceFixture('fib2');
        const html = renderPage({ call: 'fib(2)', summary: 'fib(2) -> 1 · 14 steps', trace, text: '', error: null }, resources);
        assert.match(html, /script-src 'nonce-n0nce';/);
        assert.match(html, /default-src 'none'/);
        assert.strictEqual(html.match(/<script/g)!.length, 1);
        assert.match(html, /<script nonce="n0nce" src="x:\/trace.js">/);
        assert.match(html, new RegExp(`<input id="slider" type="range" min="0" max="${trace.steps.length - 1}"`));
        assert.match(html, /<h1 id="summary">fib\(2\) -&gt; 1 · 14 steps<\/h1>/);
    });

    it('shows an error result without controls', () => {
        const html = renderPage({ call: 'f(', summary: '', trace: null, text: '', error: 'stopped after 5.0 s (time limit)' }, resources);
        assert.match(html, /<p class="error" id="error">stopped after 5.0 s \(time limit\)<\/p>/);
        assert.ok(!html.includes('id="slider"'));
    });
});

function escapeRegExp(text: string): string {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
