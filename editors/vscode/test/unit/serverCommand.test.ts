import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
    DEFAULT_PYTHON,
    ProbeResult,
    SERVE_ARGS,
    chooseServerLaunch,
    installCommand,
    judgeProbe,
    runProbe,
    shellQuote,
} from '../../src/common/serverCommand';
import { REPO_ROOT } from './paths';

const none = { interpreter: [], serverCommand: [] };

function probe(python: string): Promise<ProbeResult> {
    return runProbe(python, { cwd: os.tmpdir(), timeoutMs: 30_000 });
}

describe('choosing the server command', () => {
    it('prefers the serverCommand setting, whole', () => {
        const launch = chooseServerLaunch({ interpreter: ['/x/python'], serverCommand: ['bytelens', 'serve'] }, ['/y/python']);
        assert.deepStrictEqual(launch, { command: 'bytelens', args: ['serve'], source: 'bytelens.serverCommand' });
    });

    it('then the interpreter setting, keeping its extra arguments', () => {
        const launch = chooseServerLaunch({ interpreter: ['/x/python', '-X', 'utf8'], serverCommand: [] }, ['/y/python']);
        assert.deepStrictEqual(launch, {
            command: '/x/python',
            args: ['-X', 'utf8', ...SERVE_ARGS],
            source: 'bytelens.interpreter',
            python: '/x/python',
        });
    });

    it("then the Python extension's interpreter", () => {
        const launch = chooseServerLaunch(none, ['/venv/bin/python']);
        assert.deepStrictEqual(launch, { command: '/venv/bin/python', args: SERVE_ARGS, source: 'Python extension', python: '/venv/bin/python' });
    });

    it('then python3 on PATH', () => {
        assert.deepStrictEqual(chooseServerLaunch(none, undefined), {
            command: DEFAULT_PYTHON,
            args: SERVE_ARGS,
            source: 'PATH',
            python: DEFAULT_PYTHON,
        });
        assert.strictEqual(chooseServerLaunch(none, []).source, 'PATH');
    });
});

describe('judging the interpreter', () => {
    it('accepts an interpreter where bytelens imports', () => {
        assert.deepStrictEqual(judgeProbe('/p', { exitCode: 0, stdout: '0.1.0\n', stderr: '' }), { ok: true, version: '0.1.0' });
    });

    it('says bytelens is missing and how to install it', () => {
        const verdict = judgeProbe('/opt/my env/bin/python', { exitCode: 3, stdout: '', stderr: 'bytelens\n' });
        assert.strictEqual(verdict.ok, false);
        assert.strictEqual(verdict.fix, '"/opt/my env/bin/python" -m pip install bytelens');
        assert.match(verdict.message!, /^bytelens is not installed in the Python interpreter \/opt\/my env\/bin\/python\. Install it with: "/);
        assert.match(verdict.message!, /clone of the bytelens repository/);
    });

    it('names a missing dependency', () => {
        const verdict = judgeProbe('/p', { exitCode: 3, stdout: '', stderr: 'pygls\n' });
        assert.match(verdict.message!, /its dependency pygls is missing in the Python interpreter \/p/);
    });

    it('says when the interpreter does not exist', () => {
        const verdict = judgeProbe('/no/python', { spawnError: 'ENOENT', exitCode: null, stdout: '', stderr: '' });
        assert.strictEqual(verdict.ok, false);
        assert.match(verdict.message!, /^The Python interpreter \/no\/python was not found\./);
        assert.strictEqual(verdict.fix, undefined);
    });

    it('passes on the last line of another failure', () => {
        const verdict = judgeProbe('/p', { exitCode: 1, stdout: '', stderr: 'Traceback ...\nSyntaxError: invalid syntax\n' });
        assert.match(verdict.message!, /could not load bytelens \(SyntaxError: invalid syntax\)/);
    });

    it('quotes only what needs quoting', () => {
        assert.strictEqual(shellQuote('/usr/bin/python3'), '/usr/bin/python3');
        assert.strictEqual(shellQuote('C:\\Python311\\python.exe'), 'C:\\Python311\\python.exe');
        assert.strictEqual(shellQuote('/a b/$x'), '"/a b/\\$x"');
        assert.strictEqual(installCommand('python3'), 'python3 -m pip install bytelens');
    });
});

describe('the probe script in real interpreters', function () {
    this.timeout(60_000);

    it('reports a missing bytelens from an interpreter without it', async () => {
        const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bytelens-probe-'));
        try {
            // -S: no site-packages, so bytelens cannot be importable whatever is installed.
            const script = path.join(scratch, 'python');
            fs.writeFileSync(script, `#!/bin/sh\nexec python3 -S "$@"\n`, { mode: 0o755 });
            const result = await probe(script);
            const verdict = judgeProbe(script, result);
            assert.strictEqual(result.exitCode, 3, result.stderr);
            assert.match(verdict.message!, /^bytelens is not installed/);
        } finally {
            fs.rmSync(scratch, { recursive: true, force: true });
        }
    });

    it('reports a missing interpreter', async () => {
        const verdict = judgeProbe('/nonexistent/python', await probe('/nonexistent/python'));
        assert.match(verdict.message!, /was not found/);
    });

    it("finds bytelens in the repository's virtualenv", async function () {
        const python = path.join(REPO_ROOT, '.venv', 'bin', 'python');
        if (!fs.existsSync(python)) {
            this.skip();
        }
        const verdict = judgeProbe(python, await probe(python));
        assert.strictEqual(verdict.ok, true, verdict.message);
        assert.match(verdict.version!, /^\d+\.\d+/);
    });
});
