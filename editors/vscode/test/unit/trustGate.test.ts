import * as assert from 'assert';
import { createMiddleware } from '../../src/common/middleware';
import { TrustGate, UNTRUSTED_MESSAGE, needsTrust, refusalMessage } from '../../src/common/trustGate';
import { SERVER_DISASSEMBLE_COMMAND } from '../../src/bytecode/disMap';
import { SERVER_TRACE_COMMAND } from '../../src/trace/traceTypes';

/** A workspace whose trust the test sets, recording what the user was told. */
class FakeTrust {
    trusted = false;
    refused: string[] = [];
    isTrusted(): boolean {
        return this.trusted;
    }
    refuse(command: string): void {
        this.refused.push(command);
    }
}

type Next = (command: string, args: unknown[]) => Promise<unknown>;

/** The middleware's executeCommand with a `next` that records what reached the server. */
function middlewareRoute(gate: TrustGate) {
    const reached: [string, unknown[]][] = [];
    const next: Next = async (command, args) => {
        reached.push([command, args]);
        return 'ran';
    };
    const executeCommand = createMiddleware(gate, () => ({})).executeCommand as unknown as (
        command: string, args: unknown[], next: Next) => Promise<unknown> | undefined;
    return { reached, run: (command: string, args: unknown[]) => executeCommand(command, args, next) };
}

describe('the trust gate', () => {
    it('refuses the trace in an untrusted workspace, and says why', () => {
        const trust = new FakeTrust();
        const gate = new TrustGate(trust);
        assert.strictEqual(gate.admits(SERVER_TRACE_COMMAND), false);
        assert.deepStrictEqual(trust.refused, [SERVER_TRACE_COMMAND]);
        assert.strictEqual(refusalMessage(SERVER_TRACE_COMMAND), UNTRUSTED_MESSAGE);
    });

    it('admits the trace once the workspace is trusted, asking on every call', () => {
        const trust = new FakeTrust();
        const gate = new TrustGate(trust);
        assert.strictEqual(gate.admits(SERVER_TRACE_COMMAND), false);
        trust.trusted = true;
        assert.strictEqual(gate.admits(SERVER_TRACE_COMMAND), true);
        assert.deepStrictEqual(trust.refused, [SERVER_TRACE_COMMAND]);
    });

    it('lets only commands that compile and never run code through without trust', () => {
        assert.strictEqual(needsTrust(SERVER_DISASSEMBLE_COMMAND), false);
        assert.strictEqual(needsTrust(SERVER_TRACE_COMMAND), true);
        // An allow-list: a command nobody has checked waits for trust.
        assert.strictEqual(needsTrust('bytelens.somethingNew'), true);
        assert.match(refusalMessage('bytelens.somethingNew'), /bytelens\.somethingNew is off in Restricted Mode/);
    });
});

describe("the client's registered commands (middleware executeCommand)", () => {
    it('never send an untrusted trace to the server', async () => {
        const trust = new FakeTrust();
        const route = middlewareRoute(new TrustGate(trust));
        const answer = await route.run(SERVER_TRACE_COMMAND, [{ uri: 'file:///w/a.py', call: "__import__('os')" }]);
        assert.strictEqual(answer, undefined);
        assert.deepStrictEqual(route.reached, []);
        assert.deepStrictEqual(trust.refused, [SERVER_TRACE_COMMAND]);
    });

    it('pass the disassembly through in Restricted Mode, and the trace once trusted', async () => {
        const trust = new FakeTrust();
        const route = middlewareRoute(new TrustGate(trust));
        assert.strictEqual(await route.run(SERVER_DISASSEMBLE_COMMAND, ['file:///w/a.py']), 'ran');
        trust.trusted = true;
        assert.strictEqual(await route.run(SERVER_TRACE_COMMAND, [{ call: 'f()' }]), 'ran');
        assert.deepStrictEqual(route.reached.map(([command]) => command), [SERVER_DISASSEMBLE_COMMAND, SERVER_TRACE_COMMAND]);
        assert.deepStrictEqual(trust.refused, []);
    });
});
