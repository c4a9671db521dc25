// The transport seam, run the same on real libp2p sockets (127.0.0.1, TCP and QUIC) and on the
// in-memory network: authenticated device keys, framed messages both ways, and bad frames
// that close the stream without hurting the process.
import { afterAll, describe, expect, test } from '@jest/globals';
import { encode as cborEncode } from 'cborg';
import * as lp from 'it-length-prefixed';
import { SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { libp2pTransport, MemoryNetwork, MessageChannel, type Connection, type Transport } from '@discret/sync';

const seedA = new Uint8Array(32).fill(11);
const seedB = new Uint8Array(32).fill(12);
const logger = silentLogger;
const started: Transport[] = [];
afterAll(async () => {
  for (const t of started) await t.stop();
});

type Make = () => [Transport, Transport];
const network = new MemoryNetwork({ latencyMs: 1 });
let names = 0;
const kinds: [string, Make][] = [
  ['memory', () => [network.transport(`a${names}`), network.transport(`b${names++}`)]],
  ['libp2p TCP', () => [libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] })]],
  ['libp2p QUIC', () => [libp2pTransport({ listen: ['/ip4/127.0.0.1/udp/0/quic-v1'] }), libp2pTransport({ listen: ['/ip4/127.0.0.1/udp/0/quic-v1'] })]],
];

async function connectPair(make: Make): Promise<{ a: Transport; b: Transport; out: Connection; incoming: Connection }> {
  const [a, b] = make();
  await a.start({ deviceSeed: seedA, logger });
  await b.start({ deviceSeed: seedB, logger });
  started.push(a, b);
  const incoming = new Promise<Connection>((resolve) => b.onConnection(resolve));
  const out = await a.dial(b.addresses()[0]!, { signal: AbortSignal.timeout(10_000) });
  return { a, b, out, incoming: await incoming };
}

describe.each(kinds)('%s transport', (_kind, make) => {
  test('a device met once is dialled again by its key alone; an unknown key fails with DIAL_FAILED', async () => {
    const { a, b, out } = await connectPair(make);
    await out.close();
    const again = await a.dialPeer(new SigningKey(seedB).publicKey, { signal: AbortSignal.timeout(10_000) });
    expect(Buffer.from(again.remoteDeviceKey)).toEqual(Buffer.from(new SigningKey(seedB).publicKey));
    await again.close();
    await expect(a.dialPeer(SigningKey.generate().publicKey, { signal: AbortSignal.timeout(3000) })).rejects.toMatchObject({ code: 'DIAL_FAILED' });
    void b;
  });

  test('each side sees the other device key; messages flow both ways, binary intact', async () => {
    const { out, incoming } = await connectPair(make);
    expect(Buffer.from(out.remoteDeviceKey)).toEqual(Buffer.from(new SigningKey(seedB).publicKey));
    expect(Buffer.from(incoming.remoteDeviceKey)).toEqual(Buffer.from(new SigningKey(seedA).publicKey));
    const accepted = new Promise<MessageChannel>((resolve) => incoming.onStream((s) => resolve(new MessageChannel(s, { logger }))));
    const client = new MessageChannel(await out.openStream(), { logger });
    const blob = Uint8Array.from({ length: 70_000 }, (_, i) => i % 251);
    await client.send({ type: 'hello', body: { n: 1, blob } });
    const server = await accepted;
    const got = await server.receive({ timeoutMs: 5000 });
    expect(got?.type).toBe('hello');
    expect(Buffer.from((got!.body as { blob: Uint8Array }).blob)).toEqual(Buffer.from(blob));
    await server.send({ type: 'welcome', body: null });
    expect(await client.receive({ timeoutMs: 5000 })).toEqual({ type: 'welcome', body: null });
    await client.close();
    expect(await server.receive({ timeoutMs: 5000 })).toBeNull();
    await out.close();
  });

  test('an oversized frame, garbage, or another wire version closes that stream with PROTOCOL', async () => {
    const { out, incoming } = await connectPair(make);
    const streams: MessageChannel[] = [];
    let arrived: (() => void) | null = null;
    incoming.onStream((s) => {
      streams.push(new MessageChannel(s, { logger, maxFrameBytes: 1024 }));
      arrived?.();
    });
    const next = async () => {
      while (!streams.length) await new Promise<void>((r) => (arrived = r));
      return streams.shift()!;
    };
    const bad = [
      lp.encode.single(new Uint8Array(5000)).subarray(), // over the 1 KiB limit
      lp.encode.single(Uint8Array.of(0xff, 0xfe, 0x00)).subarray(), // not CBOR
      lp.encode.single(cborEncode([99, 'hello', null])).subarray(), // unknown version
      lp.encode.single(cborEncode({ not: 'a frame' })).subarray(),
    ];
    for (const frame of bad) {
      const raw = await out.openStream();
      await raw.write(frame);
      const channel = await next();
      await expect(channel.receive({ timeoutMs: 5000 })).rejects.toMatchObject({ code: 'PROTOCOL' });
      await expect(channel.receive()).rejects.toMatchObject({ code: 'PROTOCOL' });
    }
    // The connection still works for well-formed streams.
    const good = new MessageChannel(await out.openStream(), { logger });
    await good.send({ type: 'ping', body: 1 });
    expect(await (await next()).receive({ timeoutMs: 5000 })).toEqual({ type: 'ping', body: 1 });
    await out.close();
  });

  test('a peer that never answers times out; a timed-out read loses no message', async () => {
    const { out, incoming } = await connectPair(make);
    const accepted = new Promise<MessageChannel>((resolve) => incoming.onStream((s) => resolve(new MessageChannel(s, { logger }))));
    const client = new MessageChannel(await out.openStream(), { logger });
    await client.send({ type: 'open', body: null });
    const server = await accepted;
    expect(await server.receive({ timeoutMs: 5000 })).toEqual({ type: 'open', body: null });
    await expect(client.receive({ timeoutMs: 50 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await server.send({ type: 'late', body: 2 });
    expect(await client.receive({ timeoutMs: 5000 })).toEqual({ type: 'late', body: 2 });
    // A read on an aborted signal fails at once and leaves no timer to reject later, unhandled.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      await expect(client.receive({ timeoutMs: 30, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
      await new Promise((r) => setTimeout(r, 80));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    await out.close();
  });
});

describe('memory network', () => {
  test('a partition closes open connections and refuses dials until healed', async () => {
    const net = new MemoryNetwork();
    const a = net.transport('pa');
    const b = net.transport('pb');
    await a.start({ deviceSeed: seedA, logger });
    await b.start({ deviceSeed: seedB, logger });
    const connection = await a.dial('memory:pb');
    const closed = new Promise<void>((resolve) => connection.onClose(resolve));
    net.partition(['pa'], ['pb']);
    await closed;
    await expect(a.dial('memory:pb')).rejects.toMatchObject({ code: 'DIAL_FAILED' });
    net.heal();
    await (await a.dial('memory:pb')).close();
    await a.stop();
    await b.stop();
  });

  test('injected loss resets connections, the same way for the same seed', async () => {
    const outcome = async (seed: number) => {
      const net = new MemoryNetwork({ lossRate: 0.2, seed });
      const a = net.transport('la');
      const b = net.transport('lb');
      await a.start({ deviceSeed: seedA, logger });
      await b.start({ deviceSeed: seedB, logger });
      b.onConnection((c) => c.onStream(() => {}));
      const results: string[] = [];
      for (let attempt = 0; attempt < 10; attempt++) {
        const connection = await a.dial('memory:lb');
        const stream = await connection.openStream();
        let sent = 0;
        try {
          for (; sent < 20; sent++) await stream.write(Uint8Array.of(sent));
          results.push('ok');
          await connection.close();
        } catch (error) {
          expect(error).toMatchObject({ code: 'CLOSED' });
          results.push(`reset after ${sent}`);
        }
      }
      await a.stop();
      await b.stop();
      return results;
    };
    const first = await outcome(7);
    expect(first.some((r) => r.startsWith('reset'))).toBe(true);
    expect(await outcome(7)).toEqual(first);
  });
});

describe('libp2p transport lifecycle', () => {
  test('a stopped transport leaves nothing that keeps its process alive', async () => {
    // A child process starts and stops a transport, then arms an unref'd timer: that timer can
    // only fire if something else still holds the process. libp2p's address manager used to
    // hold it for a second after stop (a debounced update armed by the stop itself).
    const { execFileSync } = await import('node:child_process');
    const { resolve } = await import('node:path');
    const dist = (name: string) => resolve(import.meta.dirname, `../../${name}/dist/index.js`);
    const script = `
      const sync = await import(${JSON.stringify(dist('sync'))});
      const crypto = await import(${JSON.stringify(dist('crypto'))});
      const log = await import(${JSON.stringify(dist('log'))});
      const t = sync.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
      await t.start({ deviceSeed: crypto.SigningKey.generate().exportSeed(), logger: log.silentLogger });
      await t.stop();
      console.log('stopped');
      setTimeout(() => console.log('still alive'), 500).unref();
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(out.trim().split('\n')).toEqual(['stopped']);
  });
});
