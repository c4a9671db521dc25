// Meeting through a beacon, on 127.0.0.1: the beacon runs as a real process (apps/beacon), two
// users who share an invite are configured with its address only, never dial each other by
// hand, and still meet and sync. A client that presents other tokens learns nothing.
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BeaconClient } from '@discret/beacon';
import { CryptoPool, Discret, libp2pTransport, silentLogger } from '@discret/core';
import { SigningKey } from '@discret/crypto';
import { nextEvent, readUntil } from './waits.js';

const root = mkdtempSync(join(tmpdir(), 'discret-beacon-'));
const pool = new CryptoPool({ parallelism: 1 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});
const beaconMain = resolve(import.meta.dirname, '../../../apps/beacon/dist/main.js');
let n = 0;

/** Starts the beacon process; resolves with its first address (bounded wait). */
async function beacon(keyFile: string, flags: string[] = []) {
  const child = spawn(process.execPath, [beaconMain, '--listen', '/ip4/127.0.0.1/tcp/0', '--key-file', keyFile, ...flags], { stdio: ['ignore', 'pipe', 'ignore'] });
  let printed = '';
  const address = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('the beacon did not print its address')), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const line = printed.split('\n').find((l) => l.includes('/p2p/'));
      const metricsWanted = flags.includes('--metrics');
      if (line && (!metricsWanted || /metrics http/.test(printed))) {
        clearTimeout(timer);
        ok(line.trim());
      }
    });
  });
  const metricsUrl = /metrics (http\S+)/.exec(printed)?.[1];
  const stop = () => new Promise<void>((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
  return { address, stop, child, metricsUrl };
}

const open = (fill: number, beacons: string[]) => Discret.open({
  dataModel: 'chat { Message { text: String } }', appKey: 'test.beacon', keyMaterial: new Uint8Array(32).fill(fill), dataFolder: join(root, String(n++)),
  transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), logger: silentLogger, cryptoPool: pool,
  config: { enableMulticast: false, beacons },
});

describe('beacon', () => {
  test('two users who share an invite meet through the beacon alone, and sync a room', async () => {
    const b = await beacon(join(root, 'beacon.key'));
    const [alice, bob] = await Promise.all([open(81, [b.address]), open(82, [b.address])]);
    try {
      const { r } = await alice.mutate<{ r: { id: string; authorisations: { id: string }[] } }>(`mutate { r: sys.Room {
        admin: [{ verif_key: $me }]
        authorisations: [{ name: "all" rights: [{ entity: "chat.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
      } }`, { me: alice.verifyingKey });
      await alice.mutate('mutate { chat.Message { room_id: $r text: "met through the beacon" } }', { r: r.id });
      const synced = nextEvent(bob, 'RoomSynchronized', (e) => e.room === r.id, 20_000);
      await bob.acceptInvite(await alice.invite({ room: r.id, authorisation: r.authorisations[0]!.id }));
      await synced;
      expect((await bob.query('query { m: chat.Message(room_id = $r) { text } }', { r: r.id })).m).toEqual([{ text: 'met through the beacon' }]);
      expect(bob.connectedPeers()).toContain(alice.verifyingKey);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
      await b.stop();
    }
  }, 60_000);

  test('a client presenting other tokens is introduced to nobody; the key file is private and reused', async () => {
    const keyFile = join(root, 'beacon2.key');
    const first = await beacon(keyFile);
    await first.stop();
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const b = await beacon(keyFile);
    expect(b.address.split('/p2p/')[1]).toBe(first.address.split('/p2p/')[1]);
    const shared = new Uint8Array(8).fill(5);
    const found: string[] = [];
    const clients: { client: BeaconClient; stop: () => Promise<void> }[] = [];
    try {
      for (const [name, tokens] of [['one', [shared]], ['two', [shared]], ['stranger', [new Uint8Array(8).fill(6)]]] as const) {
        const transport = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
        await transport.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
        const client = new BeaconClient({ transport, address: b.address, logger: silentLogger }, {
          tokens: async () => [...tokens],
          found: () => void found.push(name),
        });
        client.start();
        await client.registered;
        clients.push({ client, stop: async () => { await client.stop(); await transport.stop(); } });
      }
      await readUntil(async () => found.length, (count) => count >= 2, 5000);
      await new Promise((r) => setTimeout(r, 300));
      expect(found.sort()).toEqual(['one', 'two']);
    } finally {
      for (const c of clients) await c.stop();
      await b.stop();
    }
  }, 60_000);

  test('past --max-clients a client is refused; /health and /metrics answer', async () => {
    const b = await beacon(join(root, 'beacon3.key'), ['--max-clients', '2', '--metrics', '127.0.0.1:0']);
    const transports: ReturnType<typeof libp2pTransport>[] = [];
    try {
      const clients: BeaconClient[] = [];
      for (let i = 0; i < 3; i++) {
        const transport = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
        await transport.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
        transports.push(transport);
        const client = new BeaconClient({ transport, address: b.address, logger: silentLogger }, { tokens: async () => [new Uint8Array(8).fill(i)], found: () => {} });
        client.start();
        clients.push(client);
        if (i < 2) await client.registered;
      }
      const third = await Promise.race([clients[2]!.registered.then(() => 'registered'), new Promise((r) => setTimeout(() => r('refused'), 1500))]);
      expect(third).toBe('refused');
      expect(await (await fetch(b.metricsUrl!.replace('/metrics', '/health'))).text()).toBe('ok\n');
      const metrics = await (await fetch(b.metricsUrl!)).text();
      expect(metrics).toContain('discret_beacon_clients 2');
      expect(metrics).toContain('discret_beacon_registered_peers 2');
      for (const c of clients) await c.stop();
    } finally {
      for (const t of transports) await t.stop();
      await b.stop();
    }
  }, 60_000);

  test('peers with no direct address meet and sync through the beacon relay, past the relay defaults of 128 KiB', async () => {
    const b = await beacon(join(root, 'beacon4.key'));
    // No direct listener at all: the relay reservation is the only way in.
    const relayed = (fill: number) => Discret.open({
      dataModel: 'chat { Message { text: String } }', appKey: 'test.beacon', keyMaterial: new Uint8Array(32).fill(fill), dataFolder: join(root, String(n++)),
      transport: libp2pTransport({ listen: [] }), logger: silentLogger, cryptoPool: pool,
      config: { enableMulticast: false, beacons: [b.address] },
    });
    const [alice, bob] = await Promise.all([relayed(91), relayed(92)]);
    try {
      await readUntil(async () => alice.addresses(), (a) => a.length > 0, 10_000);
      expect(alice.addresses().length).toBeGreaterThan(0);
      expect(alice.addresses().every((a) => a.includes('/p2p-circuit'))).toBe(true);
      const { r } = await alice.mutate<{ r: { id: string; authorisations: { id: string }[] } }>(`mutate { r: sys.Room {
        admin: [{ verif_key: $me }]
        authorisations: [{ name: "all" rights: [{ entity: "chat.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
      } }`, { me: alice.verifyingKey });
      const text = 'z'.repeat(100 * 1024);
      for (let i = 0; i < 4; i++) await alice.mutate('mutate { chat.Message { room_id: $r text: $t } }', { r: r.id, t: `${i}${text}` });
      const synced = nextEvent(bob, 'RoomSynchronized', (e) => e.room === r.id, 30_000);
      await bob.acceptInvite(await alice.invite({ room: r.id, authorisation: r.authorisations[0]!.id }));
      await synced;
      const count = await bob.query('query { m: chat.Message(room_id = $r) { c: count() } }', { r: r.id });
      expect(count.m).toEqual([{ c: 4 }]);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
      await b.stop();
    }
  }, 90_000);

  test('relayOnly: the other peer only ever sees a relayed address of this peer', async () => {
    const b = await beacon(join(root, 'beacon5.key'));
    const withConfig = (fill: number, config: object) => Discret.open({
      dataModel: 'chat { Message { text: String } }', appKey: 'test.beacon', keyMaterial: new Uint8Array(32).fill(fill), dataFolder: join(root, String(n++)),
      transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), logger: silentLogger, cryptoPool: pool,
      config: { enableMulticast: false, beacons: [b.address], ...config },
    });
    const [hidden, other] = await Promise.all([withConfig(93, { relayOnly: true }), withConfig(94, {})]);
    try {
      await readUntil(async () => hidden.addresses(), (a) => a.length > 0, 10_000);
      expect(hidden.addresses().every((a) => a.includes('/p2p-circuit'))).toBe(true);
      const { r } = await hidden.mutate<{ r: { id: string; authorisations: { id: string }[] } }>(`mutate { r: sys.Room {
        admin: [{ verif_key: $me }]
        authorisations: [{ name: "all" rights: [{ entity: "chat.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
      } }`, { me: hidden.verifyingKey });
      await hidden.mutate('mutate { chat.Message { room_id: $r text: "from a private address" } }', { r: r.id });
      const synced = nextEvent(other, 'RoomSynchronized', (e) => e.room === r.id, 30_000);
      await other.acceptInvite(await hidden.invite({ room: r.id, authorisation: r.authorisations[0]!.id }));
      await synced;
      const seen = other.peerConnections().filter((c) => c.verifyingKey === hidden.verifyingKey);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every((c) => c.address.includes('/p2p-circuit'))).toBe(true);
      await expect(withConfig(95, { relayOnly: true, beacons: [] })).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    } finally {
      await Promise.all([hidden.close(), other.close()]);
      await b.stop();
    }
  }, 90_000);
});
