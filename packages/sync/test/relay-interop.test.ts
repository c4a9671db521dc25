// The beacon speaks standard libp2p: plain js-libp2p nodes with no Discret code make a circuit
// relay v2 reservation on a relay configured as the beacon's is, and reach each other through
// it (ping). Loopback only.
import { afterAll, describe, expect, test } from '@jest/globals';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { libp2pTransport } from '@discret/sync';

const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

async function plainNode(relay: string): Promise<Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>; ping: ReturnType<ReturnType<typeof ping>> }>> {
  const node = await createLibp2p({
    addresses: { listen: [`${relay}/p2p-circuit`] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify(), ping: ping() },
  });
  stops.push(async () => {
    await node.stop();
  });
  return node;
}

describe('relay interop', () => {
  test('two plain libp2p nodes reserve on the relay and reach each other through it', async () => {
    const relay = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'], relayServer: {} });
    await relay.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
    stops.push(() => relay.stop());
    const address = relay.addresses()[0]!;
    const [a, b] = await Promise.all([plainNode(address), plainNode(address)]);
    const circuit = async (node: Libp2p) => {
      const end = Date.now() + 10_000;
      while (Date.now() < end) {
        const found = node.getMultiaddrs().find((m) => m.toString().includes('/p2p-circuit'));
        if (found) return found;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no reservation');
    };
    const target = await circuit(b);
    await circuit(a);
    const rtt = await a.services.ping.ping(multiaddr(target.toString()), { signal: AbortSignal.timeout(10_000) });
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(a.getConnections(b.peerId).some((c) => c.remoteAddr.toString().includes('/p2p-circuit'))).toBe(true);
  }, 60_000);

  test.each([
    ['64 KiB: a relayed connection is cut past it', 64 * 1024, false],
    ['1 MiB: 208 KiB pass, past the relay default of 128 KiB', 1024 * 1024, true],
  ])('the relay data limit is ours: %s', async (_name, limit, passes) => {
    const relay = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'], relayServer: { dataLimitBytes: limit } });
    await relay.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
    stops.push(() => relay.stop());
    const address = relay.addresses()[0]!;
    const [a, b] = await Promise.all([plainNode(address), plainNode(address)]);
    let received = 0;
    await b.handle('/discret-test/bytes/1', async (stream) => {
      try {
        for await (const chunk of stream) received += chunk.byteLength;
      } catch {
        // cut by the relay
      }
    }, { runOnLimitedConnection: true });
    const end = Date.now() + 10_000;
    let target = b.getMultiaddrs().find((m) => m.toString().includes('/p2p-circuit'));
    while (!target && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 50));
      target = b.getMultiaddrs().find((m) => m.toString().includes('/p2p-circuit'));
    }
    const stream = await a.dialProtocol(multiaddr(target!.toString()), '/discret-test/bytes/1', { runOnLimitedConnection: true, signal: AbortSignal.timeout(10_000) });
    const total = 13 * 16 * 1024; // 208 KiB
    try {
      for (let sent = 0; sent < total; sent += 16 * 1024) {
        if (!stream.send(new Uint8Array(16 * 1024))) await stream.onDrain({ signal: AbortSignal.timeout(5000) });
      }
      await stream.close();
    } catch {
      // cut by the relay
    }
    const until = Date.now() + 5000;
    while (received < total && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    if (passes) expect(received).toBe(total);
    else expect(received).toBeLessThanOrEqual(limit);
  }, 60_000);
});
