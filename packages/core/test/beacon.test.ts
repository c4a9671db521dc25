// Meeting through a beacon, on 127.0.0.1: the beacon runs as a real process (apps/beacon), two
// users who share an invite are configured with its address only, never dial each other by
// hand, and still meet and sync. A client that presents other tokens learns nothing.
import { describe, expect, test } from '@jest/globals';
import { statSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { BeaconClient } from '@discret/beacon';
import { Discret, libp2pTransport, silentLogger } from '@discret/core';
import { SigningKey } from '@discret/crypto';
import { startBeacon } from '../../../apps/beacon/test/spawn-beacon.js';
import { nextEvent, readUntil, within } from './waits.js';
import { scratch } from './scratch.js';

const { root, pool } = scratch('discret-beacon-');
let n = 0;
let keys = 0;
/** The beacon as a real process (apps/beacon), on 127.0.0.1. */
const beacon = (keyFile: string = join(root, `beacon-${keys++}.key`), flags: string[] = []) => startBeacon(keyFile, flags);

const open = (fill: number, beacons: string[], listen = ['/ip4/127.0.0.1/tcp/0']) => Discret.open({
  dataModel: 'chat { Message { text: String } }', appKey: 'test.beacon', keyMaterial: new Uint8Array(32).fill(fill), dataFolder: join(root, String(n++)),
  transport: libp2pTransport({ listen }), logger: silentLogger, cryptoPool: pool,
  config: { enableMulticast: false, beacons },
});
/** A peer with no direct address at all: its relay reservations are the only way in. */
const openRelayed = (fill: number, beacons: string[]) => open(fill, beacons, []);

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
      await readUntil(async () => new Set(found).size, (count) => count >= 2, 5000);
      await new Promise((r) => setTimeout(r, 300));
      // A client registers again when its addresses change (a relay reservation, say), and is
      // then introduced again: each pair member may hear of the other more than once.
      expect([...new Set(found)].sort()).toEqual(['one', 'two']);
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
      const third = await within(clients[2]!.registered.then(() => 'registered'), 1500, 'refused').catch((e: Error) => e.message);
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

  /** Alice makes a room with a message; Bob accepts her invite; resolves once Bob holds it. */
  async function inviteAndSync(alice: Discret, bob: Discret, text: string, ms = 30_000) {
    const { r } = await alice.mutate<{ r: { id: string; authorisations: { id: string }[] } }>(`mutate { r: sys.Room {
      admin: [{ verif_key: $me }]
      authorisations: [{ name: "all" rights: [{ entity: "chat.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
    } }`, { me: alice.verifyingKey });
    await alice.mutate('mutate { chat.Message { room_id: $r text: $t } }', { r: r.id, t: text });
    const synced = nextEvent(bob, 'RoomSynchronized', (e) => e.room === r.id, ms);
    await bob.acceptInvite(await alice.invite({ room: r.id, authorisation: r.authorisations[0]!.id }));
    await synced;
    return (await bob.query('query { m: chat.Message(room_id = $r) { text } }', { r: r.id })).m;
  }

  test('several beacons: peers that share only one of their beacons meet through it, a dead one in the list is no obstacle', async () => {
    // no direct addresses: each peer needs a reservation on the beacon they share
    const dead = await beacon();
    await dead.stop();
    const [shared, onlyBob] = await Promise.all([beacon(), beacon()]);
    const [alice, bob] = await Promise.all([openRelayed(71, [dead.address, shared.address]), openRelayed(72, [onlyBob.address, shared.address])]);
    try {
      expect(await inviteAndSync(alice, bob, 'through the one beacon we share')).toEqual([{ text: 'through the one beacon we share' }]);
      expect(bob.connectedPeers()).toContain(alice.verifyingKey);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
      await Promise.all([shared.stop(), onlyBob.stop()]);
    }
  }, 60_000);

  test('a beacon that restarts: its clients reconnect and reserve again by themselves, and peers meet again', async () => {
    const keyFile = join(root, 'restarting.key');
    const first = await beacon(keyFile);
    const [alice, bob] = await Promise.all([openRelayed(73, [first.address]), openRelayed(74, [first.address])]);
    let again: Awaited<ReturnType<typeof beacon>> | null = null;
    try {
      await first.stop();
      // same key, same port: the address the peers were given
      const listen = first.address.split('/p2p/')[0]!;
      again = await startBeacon(keyFile, [], listen);
      expect(again.address).toBe(first.address);
      // no direct address: they meet only once both have reserved on the new beacon again
      expect(await inviteAndSync(alice, bob, 'after the restart', 45_000)).toEqual([{ text: 'after the restart' }]);
      expect(alice.addresses().every((a) => a.startsWith(`${first.address}/p2p-circuit`))).toBe(true);
    } finally {
      await Promise.all([alice.close(), bob.close()]);
      await again?.stop();
    }
  }, 90_000);

  test('a process whose peers met through a beacon (WebRTC tried) exits by itself once they closed', async () => {
    const b = await beacon();
    try {
      const child = spawn(process.execPath, [resolve(import.meta.dirname, 'fixtures/close-and-exit.ts'), join(root, 'exits'), b.address], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      const code = await new Promise<number | string>((done) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          done('still running 20 s later');
        }, 20_000);
        child.once('exit', (c) => {
          clearTimeout(timer);
          done(c ?? -1);
        });
      });
      expect(out.trim()).toMatch(/^synced (direct|relayed)/);
      expect(code).toBe(0);
    } finally {
      await b.stop();
    }
  }, 60_000);
});
