// Hostile peers against an honest one, over real libp2p sockets on 127.0.0.1. The hostile peer
// is our own code with its database side modified (a "modified peer"): it serves forged,
// tampered or unauthorised records, never answers, or sends garbage frames. Each is refused
// or timed out, nothing of it is stored, and an honest peer keeps synchronising meanwhile.
import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { nextEvent, readUntil, within } from './waits.js';
import { base64url, deriveAppKeys, fromBase64url, nodeSigningBytes, SigningKey, uid } from '@discret/crypto';
import { createLogger, Discret, libp2pTransport, silentLogger } from '@discret/core';
import type { DiscretComponents } from '../src/components.js';
import type { NodeRecord, RecordRef, RoomItem } from '@discret/store';
import { SyncService, type SyncHost, type SyncPhase } from '@discret/sync';
import { DiscretSyncHost } from '../src/sync-host.js';
import { scratch } from './scratch.js';

const { root, pool } = scratch('discret-hostile-');
let n = 0;
const MODEL = 'chat { Thread { title: String } }';
const APP = 'test.hostile';
const loopback = () => libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
const material = (fill: number) => new Uint8Array(32).fill(fill);
const TITLES = 'query { t: chat.Thread(room_id = $r, order_by(title asc)) { title } }';

/** A pino logger into an array: what the honest peer says about the hostile one. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: createLogger({ level: 'debug', destination: { write: (line) => void lines.push(JSON.parse(line)) } }) };
}

const event = nextEvent;
const until = readUntil;

/** The honest peer A (admin of a room), an honest member C connected to it, and a reader B whose sync side is ours to modify. */
async function world(aConfig = {}) {
  const log = capture();
  const open = (fill: number, extra: object) => Discret.open({ transport: 'none',
    dataModel: MODEL, appKey: APP, keyMaterial: material(fill), dataFolder: join(root, String(n++)), cryptoPool: pool, logger: silentLogger, ...extra,
  });
  const a = await open(31, { transport: loopback(), logger: log.logger, config: { enableMulticast: false, ...aConfig } });
  const c = await open(33, { transport: loopback(), config: { enableMulticast: false } });
  const b = await open(32, {}); // no transport: its network side is the hostile service below
  const { room } = await a.mutate<{ room: { id: string; authorisations: { id: string }[] } }>(`mutate { room: sys.Room {
    admin: [{ verif_key: $me }]
    authorisations: [{ name: "members" rights: [{ entity: "chat.Thread" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }, { name: "readers" }]
  } }`, { me: a.verifyingKey });
  const r = room.id;
  await a.mutate('mutate { chat.Thread { room_id: $r title: "a1" } }', { r });
  const cInvite = await a.invite({ room: r, authorisation: room.authorisations[0]!.id });
  await c.acceptInvite(cInvite);
  const cSynced = event(c, 'RoomSynchronized', (e) => e.room === r);
  await c.connect(a.addresses()[0]!);
  await cSynced;
  await b.acceptInvite(await a.invite({ room: r, authorisation: room.authorisations[1]!.id }));
  const close = async () => {
    await Promise.all([a.close(), b.close(), c.close()]);
  };
  return { a, b, c, r, log, close, cInvite };
}

/** B's sync side with its database answers modified: `forged` rows are listed and served as if stored. */
async function hostileService(b: Discret, forged: NodeRecord[], options: { hang?: boolean; onPages?: boolean } = {}) {
  const parts = (b as unknown as { parts: DiscretComponents }).parts;
  const honest = new DiscretSyncHost(parts, { autoAcceptLocalDevice: true, autoAllowNewPeers: false }, silentLogger);
  const asItem = (f: NodeRecord): RoomItem => ({ kind: 'node', ref: { kind: 'node', id: f.id }, entity: f.entity, date: f.mdate, signature: f.signature });
  let serving = false;
  const host: SyncHost = Object.assign(Object.create(honest) as SyncHost, {
    items: async (room: string, phase: SyncPhase) => {
      if (!serving) return honest.items(room, phase);
      if (options.hang) return new Promise<never>(() => {});
      return [...(await honest.items(room, phase)), ...(phase === 'data' ? forged.map(asItem) : [])];
    },
    // A side that holds little is streamed the room (fetchAll) instead of reconciling: the
    // forged rows ride on the pages too.
    page: async (room: string, phase: SyncPhase, cursor: Uint8Array | null, maxBytes: number, sizeOf: (record: unknown) => number) => {
      if (serving && options.hang) return new Promise<never>(() => {});
      const page = await honest.page(room, phase, cursor, maxBytes, sizeOf);
      if (serving && options.onPages !== false && phase === 'data' && page.next === null) page.batch.nodes.push(...forged);
      return page;
    },
    read: async (room: string, refs: readonly RecordRef[]) => {
      const out = await honest.read(room, refs);
      const asked = new Set(refs.flatMap((ref) => (ref.kind === 'node' ? [base64url(ref.id)] : [])));
      out.nodes.push(...forged.filter((f) => asked.has(base64url(f.id))));
      return out;
    },
  });
  const service = new SyncService({ transport: loopback(), host, deviceKey: parts.deviceKey, logger: silentLogger });
  await service.start();
  return {
    service,
    /** From now on, serve the forged rows (and tell the peers to pull them). */
    serve(room: string) {
      serving = true;
      service.roomsChanged([room]);
    },
  };
}

/** A chat.Thread row in room `r`, as `signer` would sign it, claiming `author`. */
function thread(b: Discret, r: string, title: string, signer: SigningKey, author = signer.publicKey): NodeRecord {
  const model = (b as unknown as { parts: DiscretComponents }).parts.store.dataModel;
  const entity = model.entities.get('chat.Thread')!;
  const now = Date.now();
  const record = {
    id: uid(now), roomId: fromBase64url(r), entity: entity.shortId, cdate: now, mdate: now,
    json: JSON.stringify({ [entity.fieldsByName.get('title')!.shortId]: title }), binary: null, verifyingKey: author,
  };
  return { ...record, signature: signer.sign(nodeSigningBytes(record)) };
}

const userKey = (fill: number) => deriveAppKeys(material(fill), APP).signingKey;
const titles = async (app: Discret, r: string) => ((await app.query(TITLES, { r })).t as { title: string }[]).map((t) => t.title);

/** Connects the hostile service to A and waits until B has the room (an honest first sync). */
async function joined(w: Awaited<ReturnType<typeof world>>, evil: Awaited<ReturnType<typeof hostileService>>) {
  const bSynced = event(w.b, 'RoomSynchronized', (e) => e.room === w.r);
  expect(await evil.service.connect(w.a.addresses()[0]!)).not.toBeNull();
  await bSynced;
}

/** An honest write on A still reaches C. */
async function honestStillSyncs(w: Awaited<ReturnType<typeof world>>, title: string) {
  await w.a.mutate('mutate { chat.Thread { room_id: $r title: $t } }', { r: w.r, t: title });
  expect(await until(() => titles(w.c, w.r), (t) => t.includes(title))).toContain(title);
}

describe('hostile peers', () => {
  test('a row its author had no right to write is refused alone and logged; the peer stays connected', async () => {
    const w = await world();
    const evil = await hostileService(w.b, [thread(w.b, w.r, 'by a reader', userKey(32))]);
    try {
      await joined(w, evil);
      // refused locally first: a reader has no right to write threads
      await expect(w.b.mutate('mutate { chat.Thread { room_id: $r title: "x" } }', { r: w.r })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
      evil.serve(w.r);
      const refused = (l: Record<string, unknown>) => l.msg === 'received row refused' && String(l.reason).includes('no right');
      await until(async () => w.log.lines.some(refused), (found) => found);
      expect(w.log.lines.filter(refused).length).toBeGreaterThan(0);
      expect(await titles(w.a, w.r)).toEqual(['a1']);
      expect(w.a.connectedPeers()).toContain(w.b.verifyingKey);
      await honestStillSyncs(w, 'a2');
    } finally {
      await evil.service.stop();
      await w.close();
    }
  });

  test.each([
    ['a tampered signature', (w: Awaited<ReturnType<typeof world>>) => {
      const row = thread(w.b, w.r, 'tampered', userKey(31));
      row.signature = Uint8Array.from(row.signature, (x, i) => (i === 5 ? x ^ 1 : x));
      return [row];
    }],
    ["a forged verifying key (signed by the reader, claiming the admin's key)", (w: Awaited<ReturnType<typeof world>>) => [thread(w.b, w.r, 'forged', userKey(32), userKey(31).publicKey)]],
    ['one bad row in a batch of good ones', (w: Awaited<ReturnType<typeof world>>) => {
      const good = thread(w.b, w.r, 'good but in a bad batch', userKey(31)); // the admin's, as if from another of its devices
      const bad = thread(w.b, w.r, 'bad', userKey(31));
      bad.json = bad.json!.replace('bad', 'BAD');
      return [good, bad];
    }],
  ])('%s: the peer is dropped and nothing of its batch is stored', async (_name, forge) => {
    const w = await world();
    const evil = await hostileService(w.b, forge(w));
    try {
      await joined(w, evil);
      const dropped = event(w.a, 'PeerDisconnected', (e) => e.verifyingKey === w.b.verifyingKey);
      evil.serve(w.r);
      await dropped;
      expect(await titles(w.a, w.r)).toEqual(['a1']);
      expect(w.log.lines.some((l) => l.msg === 'dropping a peer connection' && JSON.stringify(l.err).includes('INVALID_DATA'))).toBe(true);
      await honestStillSyncs(w, 'a2');
    } finally {
      await evil.service.stop();
      await w.close();
    }
  });

  test('the same through reconciliation (a room of more than 64 rows is reconciled, not streamed): a tampered row drops the peer', async () => {
    const w = await world();
    await w.a.mutateMany('mutate { chat.Thread { room_id: $r title: $t } }', Array.from({ length: 100 }, (_, i) => ({ r: w.r, t: `x${String(i).padStart(3, '0')}` })));
    const row = thread(w.b, w.r, 'tampered', userKey(31));
    row.signature = Uint8Array.from(row.signature, (x, i) => (i === 5 ? x ^ 1 : x));
    // Forged rows only in the item set and the records read by key: they reach A only if A
    // reconciles (a streamed room would never bring them, and A would not drop B).
    const evil = await hostileService(w.b, [row], { onPages: false });
    try {
      await joined(w, evil);
      expect(await until(() => titles(w.b, w.r), (t) => t.length === 101)).toHaveLength(101);
      const dropped = event(w.a, 'PeerDisconnected', (e) => e.verifyingKey === w.b.verifyingKey);
      evil.serve(w.r);
      await dropped;
      expect(await titles(w.a, w.r)).not.toContain('tampered');
      expect(w.log.lines.some((l) => l.msg === 'dropping a peer connection' && JSON.stringify(l.err).includes('INVALID_DATA'))).toBe(true);
    } finally {
      await evil.service.stop();
      await w.close();
    }
  });

  test('a peer that never answers is timed out and dropped', async () => {
    const w = await world({ networkTimeoutInMs: 400 });
    const evil = await hostileService(w.b, [], { hang: true });
    try {
      await joined(w, evil);
      const dropped = event(w.a, 'PeerDisconnected', (e) => e.verifyingKey === w.b.verifyingKey);
      evil.serve(w.r);
      await dropped;
      expect(w.log.lines.some((l) => l.msg === 'dropping a peer connection' && JSON.stringify(l.err).includes('TIMEOUT'))).toBe(true);
      await honestStillSyncs(w, 'a2');
    } finally {
      await evil.service.stop();
      await w.close();
    }
  });

  test('garbage and oversized frames close that connection, not the process', async () => {
    const w = await world();
    const raw = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
    await raw.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
    try {
      for (const frame of [Uint8Array.of(5, 1, 2, 3, 4, 5), Uint8Array.of(0x80, 0x80, 0x80, 0x01)]) {
        const connection = await raw.dial(w.a.addresses()[0]!);
        const closed = new Promise<void>((resolve) => connection.onClose(resolve));
        const stream = await connection.openStream();
        await stream.write(frame);
        await within(closed, 5000, 'not closed');
      }
      await honestStillSyncs(w, 'a2');
    } finally {
      await raw.stop();
      await w.close();
    }
  });

  test('a flood of strangers opening streams that never speak nor read: each is dropped in time, and honest peers keep syncing', async () => {
    const w = await world({ networkTimeoutInMs: 1000 });
    const strangers = await Promise.all(Array.from({ length: 8 }, async () => {
      const t = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
      await t.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
      return t;
    }));
    try {
      const rssBefore = process.memoryUsage().rss;
      const closed: Promise<void>[] = [];
      let refusedAtOnce = 0;
      // 8 strangers x 16 streams each, opened at once; none ever writes or reads a byte. Past
      // libp2p's rate of new inbound connections per address, A refuses some at once.
      await Promise.all(strangers.map(async (t) => {
        const connection = await t.dial(w.a.addresses()[0]!).catch(() => null);
        if (!connection) {
          refusedAtOnce++;
          return;
        }
        closed.push(new Promise<void>((resolve) => connection.onClose(resolve)));
        await Promise.all(Array.from({ length: 16 }, () => connection.openStream().catch(() => null)));
      }));
      expect(closed.length + refusedAtOnce).toBe(strangers.length);
      expect(closed.length).toBeGreaterThan(0);
      // A writes meanwhile, and C still gets it.
      await honestStillSyncs(w, 'during the flood');
      await within(Promise.all(closed), 20_000, 'a stranger was not dropped in 20 s');
      // Bounded: the strangers cost this whole process (A, C and the strangers) little memory.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 2 ** 20);
      await honestStillSyncs(w, 'after the flood');
    } finally {
      await Promise.all(strangers.map((t) => t.stop()));
      await w.close();
    }
  });

  test('a replayed invite admits nobody', async () => {
    const w = await world();
    const d = await Discret.open({
      dataModel: MODEL, appKey: APP, keyMaterial: material(34), dataFolder: join(root, String(n++)), cryptoPool: pool, logger: silentLogger, transport: loopback(),
      config: { enableMulticast: false },
    });
    try {
      // c used this invite already; d got hold of the same text
      await d.acceptInvite(w.cInvite);
      expect(await d.connect(w.a.addresses()[0]!)).toBeNull();
      const peers = (await w.a.query('query { p: sys.AllowedPeer(nullable(peer)) { peer { verifying_key } } }')).p as { peer: { verifying_key: string } }[];
      expect(peers.map((p) => p.peer.verifying_key).filter((k) => k !== w.a.verifyingKey)).toEqual([w.c.verifyingKey]);
      expect(await titles(d, w.r)).toEqual([]);
      await honestStillSyncs(w, 'a2');
    } finally {
      await d.close();
      await w.close();
    }
  });
});
