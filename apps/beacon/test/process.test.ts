// discret-beacon as a real process, on 127.0.0.1: plain js-libp2p nodes with no Discret code use
// its relay (it speaks standard circuit relay v2), and each limit is passed by a test.
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { identify } from '@libp2p/identify';
import { peerIdFromPublicKey } from '@libp2p/peer-id';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import { createLibp2p, type Libp2p } from 'libp2p';
import { BeaconClient } from '@discret/beacon';
import { SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { libp2pTransport, type Transport } from '@discret/sync';
import { startBeacon } from './spawn-beacon.js';

const root = mkdtempSync(join(tmpdir(), 'discret-beacon-app-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => {});
  stops = [];
});
let keys = 0;
const beacon = async (flags: string[] = []) => {
  const b = await startBeacon(join(root, `k${keys++}`), flags);
  stops.push(b.stop);
  return b;
};

type PlainNode = Libp2p<{ identify: ReturnType<ReturnType<typeof identify>>; ping: ReturnType<ReturnType<typeof ping>> }>;

/** A js-libp2p node with no Discret code; with `reserveOn`, it listens through that relay. */
async function plainNode(reserveOn?: string): Promise<PlainNode> {
  const node = await createLibp2p({
    addresses: { listen: reserveOn ? [`${reserveOn}/p2p-circuit`] : [] },
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

/** The node's relayed address once its reservation is made, or null after `ms`. */
async function circuitAddress(node: Libp2p, ms = 10_000): Promise<Multiaddr | null> {
  const end = Date.now() + ms;
  for (;;) {
    const found = node.getMultiaddrs().find((m) => m.toString().includes('/p2p-circuit'));
    if (found || Date.now() > end) return found ?? null;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sleep(ms: number) {
  await new Promise((r) => setTimeout(r, ms));
}

describe('discret-beacon process', () => {
  test('interop: two plain js-libp2p nodes reserve on the beacon and reach each other through it', async () => {
    const b = await beacon();
    const [a, c] = await Promise.all([plainNode(b.address), plainNode(b.address)]);
    const target = await circuitAddress(c);
    expect(target).not.toBeNull();
    expect(await circuitAddress(a)).not.toBeNull();
    const rtt = await a.services.ping.ping(multiaddr(target!.toString()), { signal: AbortSignal.timeout(10_000) });
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(a.getConnections(c.peerId).every((x) => x.remoteAddr.toString().includes('/p2p-circuit'))).toBe(true);
  }, 60_000);

  test('--max-reservations 1: a second node is refused a reservation while the first holds one', async () => {
    const b = await beacon(['--max-reservations', '1']);
    const first = await plainNode(b.address);
    expect(await circuitAddress(first)).not.toBeNull();
    await expect(plainNode(b.address)).rejects.toThrow(/RESERVATION_REFUSED/);
  }, 60_000);

  test('--relay-duration-ms 1500: a relayed connection is closed after it', async () => {
    const b = await beacon(['--relay-duration-ms', '1500']);
    const [a, c] = await Promise.all([plainNode(b.address), plainNode(b.address)]);
    const target = await circuitAddress(c);
    await a.services.ping.ping(multiaddr(target!.toString()), { signal: AbortSignal.timeout(10_000) });
    const relayed = a.getConnections(c.peerId).find((x) => x.remoteAddr.toString().includes('/p2p-circuit'))!;
    expect(relayed.status).toBe('open');
    const end = Date.now() + 10_000;
    while (relayed.status === 'open' && Date.now() < end) await sleep(50);
    expect(relayed.status).not.toBe('open');
  }, 60_000);

  test('--relay-data-bytes 65536: a relayed stream is cut past it', async () => {
    const b = await beacon(['--relay-data-bytes', '65536']);
    const [a, c] = await Promise.all([plainNode(b.address), plainNode(b.address)]);
    let received = 0;
    await c.handle('/discret-test/bytes/1', async (stream) => {
      try {
        for await (const chunk of stream) received += chunk.byteLength;
      } catch {
        // cut by the relay
      }
    }, { runOnLimitedConnection: true });
    const target = await circuitAddress(c);
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
    await sleep(1000);
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThanOrEqual(65536);
  }, 60_000);

  test('--max-connections-per-ip 2: a third connection from 127.0.0.1 is refused', async () => {
    const b = await beacon(['--max-connections-per-ip', '2']);
    const nodes = await Promise.all([plainNode(), plainNode(), plainNode()]);
    await nodes[0]!.dial(multiaddr(b.address), { signal: AbortSignal.timeout(10_000) });
    await nodes[1]!.dial(multiaddr(b.address), { signal: AbortSignal.timeout(10_000) });
    await expect(nodes[2]!.dial(multiaddr(b.address), { signal: AbortSignal.timeout(10_000) })).rejects.toThrow();
    // one leaves: there is room again
    await nodes[0]!.hangUp(multiaddr(b.address));
    await sleep(300);
    await nodes[2]!.dial(multiaddr(b.address), { signal: AbortSignal.timeout(10_000) });
  }, 60_000);

  /** A BeaconClient presenting `tokens`, on its own transport. */
  async function client(address: string, tokens: Uint8Array[]) {
    const transport: Transport = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
    await transport.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
    const found: string[] = [];
    const c = new BeaconClient({ transport, address, logger: silentLogger }, { tokens: async () => tokens, found: (addresses) => found.push(...addresses) });
    stops.push(async () => {
      await c.stop();
      await transport.stop();
    });
    c.start();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const refused = new Promise<string>((settle) => (timer = setTimeout(() => settle('refused'), 2000)));
    const outcome = Promise.race([c.registered.then(() => 'registered'), refused]).finally(() => clearTimeout(timer));
    return { outcome, found };
  }

  test('--max-tokens-per-peer 2: a registration of 3 tokens is refused whole', async () => {
    const b = await beacon(['--max-tokens-per-peer', '2', '--metrics', '127.0.0.1:0']);
    // each token counts twice near midnight (both days are presented), so 1 token always fits
    const one = await client(b.address, [new Uint8Array(8).fill(1)]);
    expect(await one.outcome).toBe('registered');
    const three = await client(b.address, [1, 2, 3].map((i) => new Uint8Array(8).fill(10 + i)));
    expect(await three.outcome).toBe('refused');
    expect(await (await fetch(b.metricsUrl!)).text()).toContain('discret_beacon_registered_peers 1');
  }, 60_000);

  test('--max-peers 2 (the registry memory bound): a third peer is refused', async () => {
    const b = await beacon(['--max-peers', '2']);
    const token = [new Uint8Array(8).fill(7)];
    expect(await (await client(b.address, token)).outcome).toBe('registered');
    expect(await (await client(b.address, token)).outcome).toBe('registered');
    expect(await (await client(b.address, token)).outcome).toBe('refused');
  }, 60_000);

  test('run as an executable (as discret-beacon runs), its first line gives it the memory settings', async () => {
    const b = await startBeacon(join(root, `k${keys++}`), [], '/ip4/127.0.0.1/tcp/0', { executable: true });
    stops.push(b.stop);
    const environment = readFileSync(`/proc/${b.child.pid}/environ`, 'utf8').split('\0');
    const commandLine = readFileSync(`/proc/${b.child.pid}/cmdline`, 'utf8').split('\0');
    expect(environment).toContain('MALLOC_ARENA_MAX=2');
    expect(commandLine).toContain('--max-semi-space-size=4');
    expect(await (await client(b.address, [new Uint8Array(8).fill(3)])).outcome).toBe('registered');
  }, 60_000);

  test('--federate: two beacon processes, each naming the other; clients registered on different ones meet', async () => {
    // Keys written beforehand and ports chosen beforehand: each beacon's address is on the other's command line.
    const seeds = [SigningKey.generate(), SigningKey.generate()];
    const files = seeds.map((key, i) => {
      const file = join(root, `federated${keys++}-${i}`);
      writeFileSync(file, key.exportSeed(), { mode: 0o600 });
      return file;
    });
    const ports = await Promise.all([freePort(), freePort()]);
    const ids = seeds.map((key) => peerIdFromPublicKey(publicKeyFromRaw(key.publicKey)).toString());
    const addresses = ports.map((port, i) => `/ip4/127.0.0.1/tcp/${port}/p2p/${ids[i]}`);
    const started = await Promise.all(files.map((file, i) => startBeacon(file, ['--federate', addresses[1 - i]!, '--metrics', '127.0.0.1:0'], `/ip4/127.0.0.1/tcp/${ports[i]}`)));
    for (const b of started) stops.push(b.stop);
    const token = new Uint8Array(8).fill(77);
    const alice = await client(started[0]!.address, [token]);
    const bob = await client(started[1]!.address, [token]);
    expect([await alice.outcome, await bob.outcome]).toEqual(['registered', 'registered']);
    // The link is dialled with backoff: bounded wait for both introductions.
    const end = Date.now() + 20_000;
    while ((!alice.found.length || !bob.found.length) && Date.now() < end) await sleep(50);
    expect(alice.found.some((a) => a.includes('/tcp/'))).toBe(true);
    expect(bob.found.some((a) => a.includes('/tcp/'))).toBe(true);
    for (const b of started) expect(await (await fetch(b.metricsUrl!)).text()).toContain('discret_beacon_federated_links 1');
  }, 60_000);
});

/** A TCP port free on 127.0.0.1 now (bound, then released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}
