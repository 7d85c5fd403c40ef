import * as assert from 'assert';
import { TraceStepper } from '../../src/trace/traceModel';
import { Trace } from '../../src/trace/traceTypes';
import { escapeHtml, renderOutcome, renderPage, renderStep } from '../../src/trace/traceView';
import { FIB2, step } from './fixtures';

const resources = { cspSource: 'vscode-webview:', nonce: 'n0nce', scriptUri: 'x:/trace.js', styleUri: 'x:/trace.css' };

function trace(fields: Partial<Trace>): Trace {
    return {
        steps: FIB2,
        result: '1',
        exception: null,
        stdout: '',
        truncated: false,
        stats: { steps: 14, calls: 3, max_call_depth: 2, max_stack_depth: 3 },
        ...fields,
    };
}

describe('the trace panel HTML', () => {
    it('escapes everything that could be markup', () => {
        assert.strictEqual(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    });

    it('shows the instruction, both stacks and the call stack of a step, top of stack first', () => {
        const stepper = new TraceStepper([
            step({ depth: 0, function: '<trace>' }),
            step({
                depth: 1,
                function: 'f',
                line: 4,
                offset: 12,
                opname: 'LOAD_FAST',
                arg: 0,
                argrepr: 'n',
                stack: ['<script>alert(1)</script>', "'top'"],
                blocks: [{ type: 'loop', handler: 30, level: 0 }],
            }),
        ]);
        stepper.move('next');
        const html = renderStep(stepper.view()!);
        assert.ok(!html.includes('<script>'), 'a repr was not escaped');
        assert.match(html, /<span class="offset">12<\/span> <span class="opname">LOAD_FAST<\/span> <span class="arg">0<\/span> <span class="argrepr">\(n\)<\/span>/);
        assert.match(html, /line 4 &middot; call depth 1/);
        assert.ok(html.indexOf('&#39;top&#39;') < html.indexOf('&lt;script&gt;'), 'top of the stack is not listed first');
        assert.match(html, /<tr><td>loop<\/td><td>30<\/td><td>0<\/td><\/tr>/);
        assert.match(html, /<li class="current"><code>f<\/code> line 4<\/li><li><code>&lt;trace&gt;<\/code> line 1<\/li>/);
    });

    it('names the file of a step in another file, but not the pseudo-file of the traced expression', () => {
        const stepper = new TraceStepper([step({ function: '<call>', file: '<call>' }), step({ depth: 1, function: 'g', file: '/lib/m.py' })]);
        assert.ok(!renderStep(stepper.view()!).includes('&lt;call&gt;)'));
        assert.ok(!renderStep(stepper.view()!).includes('in &lt;call&gt;'));
        stepper.move('next');
        const html = renderStep(stepper.view()!);
        assert.match(html, /call depth 1 &middot; in \/lib\/m\.py/);
        assert.match(html, /<li class="current"><code>g<\/code> line 1 \(\/lib\/m\.py\)<\/li>/);
    });

    it('says when the stacks are empty', () => {
        const html = renderStep(new TraceStepper([step({})]).view()!);
        assert.match(html, /<p class="empty" id="stack">empty<\/p>/);
        assert.match(html, /<p class="empty" id="blocks">empty<\/p>/);
    });

    it('shows how the call ended', () => {
        assert.match(renderOutcome(trace({})), /returned <code>1<\/code>/);
        const raised = renderOutcome(trace({
            result: null,
            exception: { type: 'ZeroDivisionError', message: 'division by zero', traceback: ['  File "a.py", line 2, in f'] },
        }));
        assert.match(raised, /raised <code>ZeroDivisionError: division by zero<\/code>/);
        assert.match(raised, /<pre class="traceback">  File &quot;a.py&quot;, line 2, in f<\/pre>/);
        const cut = renderOutcome(trace({ result: null, truncated: true, stdout: 'hi <b>\n' }));
        assert.match(cut, /Stopped after 14 steps/);
        assert.ok(!cut.includes('returned'));
        assert.match(cut, /<pre class="stdout" id="stdout">hi &lt;b&gt;\n<\/pre>/);
    });

    it('builds a page whose only script carries the nonce, with a strict CSP', () => {
        const html = renderPage({ call: 'fib(2)', summary: 'fib(2) -> 1 · 14 steps', trace: trace({}), text: '', error: null }, resources);
        assert.match(html, /script-src 'nonce-n0nce';/);
        assert.match(html, /default-src 'none'/);
        assert.strictEqual(html.match(/<script/g)!.length, 1);
        assert.match(html, /<script nonce="n0nce" src="x:\/trace.js">/);
        assert.match(html, /<input id="slider" type="range" min="0" max="13"/);
        assert.match(html, /<h1 id="summary">fib\(2\) -&gt; 1 · 14 steps<\/h1>/);
    });

    it('shows an error result without controls', () => {
        const html = renderPage({ call: 'f(', summary: '', trace: null, text: '', error: 'stopped after 5.0 s (time limit)' }, resources);
        assert.match(html, /<p class="error" id="error">stopped after 5.0 s \(time limit\)<\/p>/);
        assert.ok(!html.includes('id="slider"'));
    });
});
