// The beacon server fed random input through real streams (the in-memory network: the same
// framing and streams as libp2p, without a socket per input). Each input is a new client: raw
// bytes, or a well-framed message of any type with any body. Whatever comes in, the beacon
// answers (`registered` or `refused`) or closes that connection, within a time bound, and
// holds nothing for it afterwards; a real client still registers at the end. (Found this way:
// a register with a malformed body left its connection open, and a client that never
// finished a frame held one forever.)
import { afterEach, describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { BeaconClient, BeaconServer } from '@discret/beacon';
import { SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { encodeFrame, MemoryNetwork, MessageChannel, type Transport } from '@discret/sync';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

const leaf = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }));
const value = fc.letrec((tie) => ({
  any: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('any'), { maxLength: 10 }), fc.dictionary(fc.string({ maxLength: 10 }), tie('any'), { maxKeys: 6 })),
})).any;
const registerBody = fc.record({
  tokens: fc.oneof(fc.array(fc.uint8Array({ maxLength: 16 }), { maxLength: 40 }), value),
  ports: fc.oneof(fc.array(fc.oneof(fc.integer({ min: -5, max: 70_000 }), value), { maxLength: 12 }), value),
  relayed: fc.oneof(fc.array(fc.string({ maxLength: 60 }).map((s) => `/p2p-circuit${s}`), { maxLength: 12 }), value),
}, { requiredKeys: [] });
const input = fc.oneof(
  fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }) }),
  fc.record({ kind: fc.constant('message' as const), type: fc.oneof(fc.constant('register'), fc.string({ maxLength: 12 })), body: fc.oneof(registerBody, value) }),
);

/** Resolves with what happened to one hostile client within `ms`: an answer, or the connection closed. */
function outcome(channel: MessageChannel, closed: Promise<void>, ms: number): Promise<string> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('nothing'), ms);
    const done = (what: string) => {
      clearTimeout(timer);
      resolve(what);
    };
    void closed.then(() => done('closed'));
    channel.receive().then((m) => done(m ? `answer ${m.type}` : 'closed'), () => done('closed'));
  });
}

describe('the beacon server under random input', () => {
  test('every input is answered or closed in time, and leaves nothing behind', async () => {
    const net = new MemoryNetwork({ latencyMs: 0 });
    const beacon = net.transport('beacon');
    await beacon.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
    stops.push(() => beacon.stop());
    // Short, so that an unfinished frame (raw bytes) is let go quickly too.
    const server = new BeaconServer({ transport: beacon, logger: silentLogger, registerWithinMs: 200 });
    server.start();
    stops.push(() => server.stop());
    const seen = new Map<string, number>();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(input, async (one) => {
        const transport: Transport = net.transport(`fuzz${n++}`);
        await transport.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
        try {
          const connection = await transport.dial('memory:beacon');
          const closed = new Promise<void>((resolve) => connection.onClose(resolve));
          const stream = await connection.openStream();
          const channel = new MessageChannel(stream, { logger: silentLogger });
          if (one.kind === 'bytes') await stream.write(one.bytes);
          else await stream.write(encodeFrame({ type: one.type, body: one.body }));
          const what = await outcome(channel, closed, 2000);
          seen.set(what, (seen.get(what) ?? 0) + 1);
          expect(['answer registered', 'answer refused', 'closed']).toContain(what);
          await connection.close();
        } finally {
          await transport.stop();
        }
      }),
      { numRuns: 150 },
    );
    // Every hostile client left: the beacon holds none of them, in its clients or its registry.
    expect(server.clientCount).toBe(0);
    expect(server.registry.size.peers).toBe(0);
    expect((seen.get('answer registered') ?? 0) + (seen.get('closed') ?? 0)).toBeGreaterThan(0);

    const honest = net.transport('honest');
    await honest.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
    stops.push(() => honest.stop());
    const client = new BeaconClient({ transport: honest, address: 'memory:beacon', logger: silentLogger }, { tokens: async () => [new Uint8Array(8).fill(1)], found: () => {} });
    client.start();
    stops.push(() => client.stop());
    await client.registered;
    expect(server.clientCount).toBe(1);
  });
});
