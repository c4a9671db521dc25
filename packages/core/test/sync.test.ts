// Peers synchronising through the public API: real SQLCipher files, and real libp2p sockets on
// 127.0.0.1 (or the in-memory network where said). No multicast anywhere.
import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { nextEvent, readUntil } from './waits.js';
import { type Configuration, createLogger, Discret, type DiscretEvent, libp2pTransport, MemoryNetwork, memoryTransport, silentLogger, type Transport } from '@discret/core';
import { scratch } from './scratch.js';

const { root, pool } = scratch('discret-sync-');
let n = 0;
const MODEL = `chat {
  Thread { title: String, messages: [Message] nullable }
  Message { text: String, author: String nullable }
}`;
const APP = 'test.sync';
const loopback = () => libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });

async function open(keyFill: number, transport: Transport, config: Partial<Configuration> = {}) {
  return Discret.open({
    dataModel: MODEL, appKey: APP, keyMaterial: new Uint8Array(32).fill(keyFill), dataFolder: join(root, String(n++)),
    transport, logger: process.env.DISCRET_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger, cryptoPool: pool, config: { enableMulticast: false, ...config },
  });
}

/** The waits of ./waits.ts, with this file's defaults. */
const next = <T extends DiscretEvent['type']>(app: Discret, type: T, match?: (e: Extract<DiscretEvent, { type: T }>) => boolean, ms = 4000) => nextEvent(app, type, match, ms);
const until = <T>(_app: Discret, read: () => Promise<T>, ok: (v: T) => boolean, ms = 4000) => readUntil(read, ok, ms);

const THREADS = 'query { t: chat.Thread(order_by(title asc), nullable(messages)) { title messages(order_by(text asc)) { text author } } }';

describe('two installs of the same user', () => {
  test.each([
    ['libp2p on 127.0.0.1', () => loopback()],
    ['the memory network', (() => {
      const net = new MemoryNetwork({ latencyMs: 1 });
      let i = 0;
      return () => memoryTransport(net, `d${i++}`);
    })()],
  ])('the private room, with nested relations, is identical on both (%s)', async (_name, transport) => {
    const a = await open(7, transport());
    const b = await open(7, transport());
    try {
      await a.mutate('mutate { chat.Thread { room_id: $r title: "plans" messages: [{ text: "one" author: "a" }, { text: "two" }] } }', { r: a.privateRoom });
      await a.mutate('mutate { chat.Thread { room_id: $r title: "later" } }', { r: a.privateRoom });
      const synced = next(b, 'RoomSynchronized', (e) => e.room === a.privateRoom);
      expect(await b.connect(a.addresses()[0]!)).toBe(a.verifyingKey);
      await synced;
      const onA = await a.query(THREADS);
      expect((onA.t as unknown[]).length).toBe(2);
      expect(await until(b, () => b.query(THREADS), (v) => JSON.stringify(v) === JSON.stringify(onA))).toEqual(onA);

      // Live: a write on either side reaches the other without any new connect.
      await b.mutate('mutate { chat.Thread { room_id: $r title: "from b" } }', { r: a.privateRoom });
      const both = await until(a, () => a.query(THREADS), (v) => (v.t as unknown[]).length === 3);
      expect((both.t as { title: string }[]).map((t) => t.title)).toEqual(['from b', 'later', 'plans']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

const CREATE_ROOM = `mutate {
  room: sys.Room {
    admin: [{ verif_key: $me }]
    authorisations: [{
      name: "members"
      rights: [{ entity: "chat.Thread" mutate_self: true mutate_all: false }, { entity: "chat.Message" mutate_self: true mutate_all: false }]
      users: [{ verif_key: $me }]
    }, {
      name: "readers"
    }]
  }
}`;
type RoomResult = { room: { id: string; authorisations: { id: string; name: string }[] } };
const IN_ROOM = 'query { t: chat.Thread(room_id = $r, order_by(title asc), nullable(messages)) { title messages(order_by(text asc)) { text } } }';
const ALLOWED = 'query { a: sys.AllowedPeer(nullable(peer)) { status peer { verifying_key } } }';

describe('invites', () => {
  test('an invited user gets the room, both record each other as allowed, and the invite is consumed on both sides', async () => {
    const a = await open(11, loopback());
    const b = await open(12, loopback());
    try {
      const { room } = await a.mutate<RoomResult>(CREATE_ROOM, { me: a.verifyingKey });
      const r = room.id;
      await a.mutate('mutate { chat.Thread { room_id: $r title: "welcome" messages: [{ text: "hello" }, { text: "rules" }] } }', { r });
      const invite = await a.invite({ room: r, authorisation: room.authorisations[0]!.id });
      expect(invite).toMatch(/^[A-Za-z0-9_-]+$/);
      await b.acceptInvite(invite);
      const synced = next(b, 'RoomSynchronized', (e) => e.room === r, 3000);
      expect(await b.connect(a.addresses()[0]!)).toBe(a.verifyingKey);
      await synced;
      const onA = await a.query(IN_ROOM, { r });
      expect(await b.query(IN_ROOM, { r })).toEqual(onA);
      expect((onA.t as unknown[]).length).toBe(1);

      // As upstream: each side holds its own row (written at first open) and the other's.
      const keysOf = (rows: unknown) => (rows as { status: string; peer: { verifying_key: string } }[]).map((x) => `${x.status} ${x.peer.verifying_key}`).sort();
      expect(keysOf((await a.query(ALLOWED)).a)).toEqual([`enabled ${a.verifyingKey}`, `enabled ${b.verifyingKey}`].sort());
      expect(keysOf((await b.query(ALLOWED)).a)).toEqual([`enabled ${a.verifyingKey}`, `enabled ${b.verifyingKey}`].sort());
      expect((await a.query('query { o: sys.OwnedInvite { id } }')).o).toEqual([]);
      expect((await b.query('query { i: sys.Invite { id } }')).i).toEqual([]);
      await expect(b.acceptInvite(invite)).rejects.toMatchObject({ code: 'INVALID_INVITE' });

      // The invitee is a member: its writes in the room reach the inviter, live.
      await b.mutate('mutate { chat.Thread { room_id: $r title: "thanks" } }', { r });
      const seen = await until(a, () => a.query(IN_ROOM, { r }), (v) => (v.t as unknown[]).length === 2);
      expect((seen.t as { title: string }[]).map((t) => t.title)).toEqual(['thanks', 'welcome']);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('an invite of another app, or garbage, is INVALID_INVITE', async () => {
    const a = await open(13, loopback());
    const other = await Discret.open({ transport: 'none',
      config: { enableMulticast: false }, dataModel: MODEL, appKey: 'another.app', keyMaterial: new Uint8Array(32).fill(14), dataFolder: join(root, String(n++)), logger: silentLogger, cryptoPool: pool,
    });
    try {
      await expect(other.acceptInvite(await a.invite())).rejects.toMatchObject({ code: 'INVALID_INVITE', message: expect.stringContaining('another app') });
      await expect(a.acceptInvite('AAAA')).rejects.toMatchObject({ code: 'INVALID_INVITE' });
    } finally {
      await a.close();
      await other.close();
    }
  });
});

describe('a room of three', () => {
  test('two invitees of one room converge through the inviter, and each records the other as a pending peer', async () => {
    const [a, b, c] = await Promise.all([open(21, loopback()), open(22, loopback()), open(23, loopback())]);
    try {
      const pending: string[] = [];
      b.on('PendingPeer', () => pending.push('b'));
      c.on('PendingPeer', () => pending.push('c'));
      const { room } = await a.mutate<RoomResult>(CREATE_ROOM, { me: a.verifyingKey });
      const r = room.id;
      const members = room.authorisations[0]!.id;
      await a.mutate('mutate { chat.Thread { room_id: $r title: "John Doe" } }', { r });
      await b.acceptInvite(await a.invite({ room: r, authorisation: members }));
      await c.acceptInvite(await a.invite({ room: r, authorisation: members }));
      const bSynced = next(b, 'RoomSynchronized', (e) => e.room === r);
      await b.connect(a.addresses()[0]!);
      await bSynced;
      const cSynced = next(c, 'RoomSynchronized', (e) => e.room === r);
      await c.connect(a.addresses()[0]!);
      await cSynced;

      // b and c are not connected to each other: writes travel through a.
      await b.mutate('mutate { chat.Thread { room_id: $r title: "from b" } }', { r });
      await c.mutate('mutate { chat.Thread { room_id: $r title: "from c" } }', { r });
      const titles = (v: Record<string, unknown[]>) => (v.t as { title: string }[]).map((t) => t.title).join(',');
      for (const app of [a, b, c]) {
        expect(titles(await until(app, () => app.query(IN_ROOM, { r }), (v) => titles(v) === 'John Doe,from b,from c'))).toBe('John Doe,from b,from c');
      }
      const PENDING = 'query { a: sys.AllowedPeer(status = "pending", nullable(peer)) { peer { verifying_key } } }';
      expect((await a.query(PENDING)).a).toEqual([]);
      expect((await until(b, () => b.query(PENDING), (v) => v.a!.length === 1)).a).toEqual([{ peer: { verifying_key: c.verifyingKey } }]);
      expect((await until(c, () => c.query(PENDING), (v) => v.a!.length === 1)).a).toEqual([{ peer: { verifying_key: b.verifyingKey } }]);
      expect(pending.sort()).toEqual(['b', 'c']);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });
});

describe('conflicts', () => {
  test('deletions and concurrent updates made apart converge the same on every peer after they meet again', async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const [a, b] = await Promise.all([open(41, memoryTransport(net, 'ca')), open(42, memoryTransport(net, 'cb'))]);
    try {
      const { room } = await a.mutate<RoomResult>(CREATE_ROOM.replace('mutate_all: false }, { entity: "chat.Message"', 'mutate_all: true }, { entity: "chat.Message"'), { me: a.verifyingKey });
      const r = room.id;
      const { x } = await a.mutate<{ x: { id: string } }>('mutate { x: chat.Thread { room_id: $r title: "x" } }', { r });
      const { y } = await a.mutate<{ y: { id: string } }>('mutate { y: chat.Thread { room_id: $r title: "y" } }', { r });
      await b.acceptInvite(await a.invite({ room: r, authorisation: room.authorisations[0]!.id }));
      const synced = next(b, 'RoomSynchronized', (e) => e.room === r);
      await b.connect('memory:ca');
      await synced;

      net.partition(['ca'], ['cb']);
      await until(a, async () => a.connectedPeers(), (p) => p.length === 0);
      await a.mutate('mutate { chat.Thread { id: $x title: "x by a" } }', { x: x.id });
      // b's update must be later by the clock (dates are in ms; a fast machine made both in one)
      await new Promise((resolve) => setTimeout(resolve, 5));
      await b.mutate('mutate { chat.Thread { id: $x title: "x by b" } }', { x: x.id });
      await b.delete('delete { chat.Thread { $y } }', { y: y.id });
      await a.mutate('mutate { chat.Thread { id: $y title: "y edited by a before it was deleted" } }', { y: y.id }).catch(() => {});
      net.heal();
      await b.connect('memory:ca');

      const state = (app: Discret) => app.query('query { t: chat.Thread(room_id = $r, order_by(title asc)) { id title mdate verifying_key } }', { r });
      const onA = await until(a, () => state(a), (v) => JSON.stringify(v) === '' || v.t!.length === 1);
      const onB = await until(b, () => state(b), (v) => JSON.stringify(v) === JSON.stringify(onA));
      expect(onB).toEqual(onA);
      expect(onA.t).toHaveLength(1);
      // the later of the two updates of x won on both
      expect((onA.t![0] as { title: string }).title).toBe('x by b');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('own devices', () => {
  test('with autoAcceptLocalDevice off, another device of the user waits as pending hardware until enabled', async () => {
    const a = await open(51, loopback(), { autoAcceptLocalDevice: false });
    const b = await open(51, loopback(), { autoAcceptLocalDevice: false });
    try {
      const pendingA = next(a, 'PendingHardware');
      expect(await b.connect(a.addresses()[0]!)).toBeNull();
      await pendingA;
      const HW = 'query { h: sys.AllowedHardware { id name status } }';
      const { h } = (await a.query(HW)) as { h: { id: string; name: string; status: string }[] };
      expect(h).toEqual([{ id: h[0]!.id, name: b.deviceKey, status: 'pending' }]);
      // accepting is an ordinary mutation of the status, on both devices
      await a.mutate('mutate { sys.AllowedHardware { id: $id status: "enabled" } }', { id: h[0]!.id });
      const hwOnB = ((await until(b, () => b.query(HW), (v) => v.h!.length > 0)) as { h: { id: string; name: string }[] }).h;
      const onB = hwOnB.find((row) => row.name === a.deviceKey)!;
      expect(onB).toBeDefined();
      await b.mutate('mutate { sys.AllowedHardware { id: $id status: "enabled" } }', { id: onB.id });
      await a.mutate('mutate { chat.Thread { room_id: $r title: "mine" } }', { r: a.privateRoom });
      const synced = next(b, 'RoomSynchronized', (e) => e.room === a.privateRoom);
      expect(await b.connect(a.addresses()[0]!)).toBe(a.verifyingKey);
      await synced;
      expect((await b.query(THREADS)).t).toEqual([{ title: 'mine', messages: [] }]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('the live path', () => {
  test('one new row reaches a connected peer in one frame (a one-way notice that carries it), with no echo back', async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const [a, b] = await Promise.all([open(61, memoryTransport(net, 'la')), open(61, memoryTransport(net, 'lb'))]);
    try {
      for (let i = 0; i < 50; i++) await a.mutate('mutate { chat.Thread { room_id: $r title: $t } }', { r: a.privateRoom, t: `t${i}` });
      // Each device pulls the other's private room (b holds a row a lacks: its own
      // sys.AllowedPeer row, written at first open as upstream does): both pulls must be over.
      const synced = [next(b, 'RoomSynchronized', (e) => e.room === a.privateRoom), next(a, 'RoomSynchronized', (e) => e.room === a.privateRoom)];
      await b.connect('memory:la');
      await Promise.all(synced);
      await new Promise((r) => setTimeout(r, 200)); // the initial exchanges are over
      const before = { ...net.stats };
      const arrived = next(b, 'DataChanged');
      await a.mutate('mutate { chat.Thread { room_id: $r title: "live" } }', { r: a.privateRoom });
      await arrived;
      await new Promise((r) => setTimeout(r, 200)); // anything that would follow (an echo) has time to happen
      expect(net.stats.writes - before.writes).toBe(1);
      expect(net.stats.bytes - before.bytes).toBeLessThan(2048);
      expect(((await b.query(THREADS)).t as unknown[]).length).toBe(51);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('large objects', () => {
  test('rows near the object size limit travel in answers under the frame limit', async () => {
    const net = new MemoryNetwork({ latencyMs: 0 });
    const [a, b] = await Promise.all([open(71, memoryTransport(net, 'ba')), open(71, memoryTransport(net, 'bb'))]);
    try {
      const big = 'x'.repeat(200 * 1024);
      for (let i = 0; i < 12; i++) await a.mutate('mutate { chat.Thread { room_id: $r title: $t } }', { r: a.privateRoom, t: `${i}${big}` });
      const synced = next(b, 'RoomSynchronized', (e) => e.room === a.privateRoom, 8000);
      await b.connect('memory:ba');
      await synced;
      const count = await b.query('query { t: chat.Thread(room_id = $r) { c: count() } }', { r: a.privateRoom });
      expect(count.t).toEqual([{ c: 12 }]);
      expect(b.connectedPeers()).toEqual([a.verifyingKey]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('large objects, live', () => {
  test('a commit of large rows reaches a connected peer through budgeted answers', async () => {
    const net = new MemoryNetwork({ latencyMs: 0 });
    const [a, b] = await Promise.all([open(72, memoryTransport(net, 'ca2')), open(72, memoryTransport(net, 'cb2'))]);
    try {
      const synced = next(b, 'RoomSynchronized', (e) => e.room === a.privateRoom);
      await b.connect('memory:ca2');
      await synced;
      const big = 'y'.repeat(200 * 1024);
      const stream = a.mutationStream();
      for (let i = 0; i < 10; i++) stream.write('mutate { chat.Thread { room_id: $r title: $t } }', { r: a.privateRoom, t: `${i}${big}` });
      await stream.flush();
      const count = () => b.query('query { t: chat.Thread(room_id = $r) { c: count() } }', { r: a.privateRoom });
      expect((await until(b, count, (v) => (v.t as { c: number }[])[0]?.c === 10, 8000)).t).toEqual([{ c: 10 }]);
      expect(b.connectedPeers()).toEqual([a.verifyingKey]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
