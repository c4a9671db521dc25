// Several beacons serving one population, on the in-memory network: clients registered on
// different federated beacons are introduced to each other, a departure reaches the other
// beacons, a beacon not on the list cannot inject registrations, and a link that drops takes
// its mirrored registrations with it.
import { afterEach, describe, expect, test } from '@jest/globals';
import { BeaconClient, BeaconServer, type FederatedBeacon } from '@discret/beacon';
import { base64url, SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { encodeFrame, MemoryNetwork, type Transport } from '@discret/sync';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function node(net: MemoryNetwork, name: string): Promise<{ transport: Transport; key: SigningKey }> {
  const key = SigningKey.generate();
  const transport = net.transport(name);
  await transport.start({ deviceSeed: key.exportSeed(), logger: silentLogger });
  stops.push(() => transport.stop());
  return { transport, key };
}

/** `count` beacons, each federated with all the others. */
async function beacons(net: MemoryNetwork, count: number, limits: { maxPeersPerToken?: number } = {}): Promise<{ servers: BeaconServer[]; transports: Transport[] }> {
  const nodes = await Promise.all(Array.from({ length: count }, (_, i) => node(net, `beacon${i}`)));
  const all: FederatedBeacon[] = nodes.map((n, i) => ({ address: `memory:beacon${i}`, deviceKey: n.key.publicKey }));
  const servers = nodes.map((n, i) => {
    const server = new BeaconServer({
      transport: n.transport, logger: silentLogger, limits, federation: { beacons: all.filter((_, j) => j !== i), deviceKey: n.key.publicKey },
    });
    server.start();
    stops.push(() => server.stop());
    return server;
  });
  return { servers, transports: nodes.map((n) => n.transport) };
}

async function client(net: MemoryNetwork, name: string, beacon: string, tokens: Uint8Array[]) {
  const { transport, key } = await node(net, name);
  const found: string[] = [];
  const c = new BeaconClient({ transport, address: `memory:${beacon}`, logger: silentLogger }, { tokens: async () => tokens, found: (_, device) => found.push(base64url(device)) });
  c.start();
  stops.push(() => c.stop());
  await c.registered;
  return { found, device: base64url(key.publicKey), stop: () => c.stop() };
}

describe('federated beacons', () => {
  test('two clients registered on different beacons meet; a third beacon in the mesh holds both', async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const { servers } = await beacons(net, 3);
    const token = new Uint8Array(8).fill(42);
    const alice = await client(net, 'alice', 'beacon0', [token, new Uint8Array(8).fill(1)]);
    const bob = await client(net, 'bob', 'beacon1', [token, new Uint8Array(8).fill(2)]);
    await until(() => alice.found.includes(bob.device) && bob.found.includes(alice.device), 'alice and bob introduced');
    // Every beacon holds both registrations (its own, and the other's mirrored), once each.
    await until(() => servers.every((s) => s.registry.size.peers === 2), 'both registrations on every beacon');
    expect(alice.found.every((d) => d === bob.device)).toBe(true);
    // Carol, on a third beacon with a token of her own, meets no one.
    const carol = await client(net, 'carol', 'beacon2', [new Uint8Array(8).fill(3)]);
    await new Promise((r) => setTimeout(r, 100));
    expect(carol.found).toEqual([]);
  });

  test('a client that leaves its beacon is forgotten by the others; a link that drops takes its registrations', async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const { servers, transports } = await beacons(net, 2);
    const token = new Uint8Array(8).fill(7);
    const alice = await client(net, 'alice', 'beacon0', [token]);
    await client(net, 'bob', 'beacon1', [token]);
    await until(() => servers[1]!.registry.size.peers === 2, 'alice mirrored on beacon1');
    await alice.stop();
    await until(() => servers[1]!.registry.size.peers === 1 && servers[0]!.registry.size.peers === 1, 'alice forgotten on both');
    // beacon0 goes away: beacon1 drops what it had learned from it, and keeps its own client.
    await client(net, 'dave', 'beacon0', [token]);
    await until(() => servers[1]!.registry.size.peers === 2, 'dave mirrored on beacon1');
    servers[0]!.stop();
    await transports[0]!.stop();
    await until(() => servers[1]!.registry.size.peers === 1, 'beacon1 keeps only bob');
  });

  test('a device not on the list cannot open a link: its mirrors never reach the registry', async () => {
    const net = new MemoryNetwork({ latencyMs: 0 });
    const { servers } = await beacons(net, 2);
    const intruder = await node(net, 'intruder');
    const connection = await intruder.transport.dial('memory:beacon0');
    const stream = await connection.openStream();
    await stream.write(encodeFrame({ type: 'federate', body: {} }));
    await stream.write(encodeFrame({ type: 'mirror', body: { device: new Uint8Array(32).fill(9), tokens: [new Uint8Array(8).fill(1)], addresses: ['memory:x'] } }));
    await new Promise((r) => setTimeout(r, 100));
    expect(servers[0]!.registry.size.peers).toBe(0);
  });

  test('a device registered on two federated beacons counts once on each (not against maxPeersPerToken twice)', async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const { servers } = await beacons(net, 2, { maxPeersPerToken: 2 });
    const token = new Uint8Array(8).fill(5);
    // Alice registers with both beacons (a peer registers with every beacon of its list).
    const { transport, key } = await node(net, 'alice');
    const found: string[] = [];
    for (const b of ['beacon0', 'beacon1']) {
      const c = new BeaconClient({ transport, address: `memory:${b}`, logger: silentLogger }, { tokens: async () => [token], found: (_, device) => found.push(base64url(device)) });
      c.start();
      stops.push(() => c.stop());
      await c.registered;
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(servers.map((s) => s.registry.size.peers)).toEqual([1, 1]);
    expect(found).toEqual([]);
    // Bob on beacon1 with the same token: within the limit of 2, and introduced to Alice.
    const bob = await client(net, 'bob', 'beacon1', [token]);
    await until(() => bob.found.includes(base64url(key.publicKey)) && found.includes(bob.device), 'alice and bob introduced');
    await until(() => servers.every((s) => s.registry.size.peers === 2), 'two entries on each beacon');
  });
});
