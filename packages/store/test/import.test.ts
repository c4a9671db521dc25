// Records received from peers: verified, judged at their own date by the rights hook, applied
// newest-wins, deletions final. Two real stores with different keys exchange a room.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64url, fromBase64url, nodeSigningBytes, SigningKey, uid } from '@discret/crypto';
import { exportRoom, rawRows, remember } from './raw.js';
import {
  nodeSqliteDriver, sqlcipherDriver, Store, type NodeRecord, type StoreDriver, type WriteQuestion, ALLOWED,
} from '@discret/store';

const root = mkdtempSync(join(tmpdir(), 'discret-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const alice = new SigningKey(new Uint8Array(32).fill(1));
const bob = new SigningKey(new Uint8Array(32).fill(2));
const room = uid();
const roomText = base64url(room);
const MODEL = `blog {
  Post { title: String, comments: [Comment] nullable }
  Comment { text: String }
}`;

/** Rooms are allowed; `deny` refuses some writes (as room rights would). */
async function open(driver: StoreDriver, signingKey: SigningKey, deny?: (question: WriteQuestion) => boolean) {
  const path = join(root, `i${counter++}.db`);
  const key = new Uint8Array(32).fill(8);
  const store = remember(await Store.open({
    path, key, signingKey, driver,
    policy: { decide: (question) => (deny?.(question) ? { allowed: false, reason: 'denied' } : ALLOWED) },
  }), { path, driver, key });
  await store.setDataModel(MODEL);
  return store;
}

const records0Entity = (batch: { nodes: NodeRecord[] }) => batch.nodes[0]!.entity;
const titles = async (store: Store) => (await store.query('query { p: blog.Post(order_by(title asc), nullable(comments)) { title comments(order_by(text asc)) { text } } }')).p;

describe.each([
  ['sqlcipher', sqlcipherDriver()],
  ['node:sqlite', nodeSqliteDriver()],
] as [string, StoreDriver][])('importing records on %s', (_name, driver) => {
  test('a room copied to another store reads the same, verifies, and imports once', async () => {
    const a = await open(driver, alice);
    const b = await open(driver, bob);
    await a.mutate('mutate { blog.Post { room_id: $r title: "first" comments: [{ text: "c1" }, { text: "c2" }] } }', { r: roomText });
    await a.mutate('mutate { blog.Post { room_id: $r title: "second" } }', { r: roomText });
    await a.mutate('mutate { blog.Post { title: "local only" } }');
    const records = await exportRoom(a, room);
    expect(records.nodes.length).toBe(4);
    expect(records.edges.length).toBe(2);
    const report = await b.importRecords(records);
    expect(report).toEqual({ applied: 6, ignored: 0, rejected: [] });
    expect(await titles(b)).toEqual([{ title: 'first', comments: [{ text: 'c1' }, { text: 'c2' }] }, { title: 'second', comments: [] }]);
    expect(await b.checkIntegrity()).toEqual({ nodes: [], edges: [], deletions: [] });
    expect((await b.query('query { p: blog.Post(search("seco")) { title } }')).p).toEqual([{ title: 'second' }]);
    expect(await b.importRecords(records)).toEqual({ applied: 0, ignored: 6, rejected: [] });
    // daily logs record what changed, for sync to compare
    expect(Number((await rawRows(b, 'SELECT count(*) AS n FROM _daily_log'))[0]!.n)).toBeGreaterThan(0);
    await a.close();
    await b.close();
  });

  test('newer versions win, older ones are ignored, whatever the order', async () => {
    const a = await open(driver, alice);
    const b = await open(driver, bob);
    const { p } = await a.mutate('mutate { p: blog.Post { room_id: $r title: "v1" } }', { r: roomText });
    const v1 = await exportRoom(a, room);
    await new Promise((r) => setTimeout(r, 3));
    await a.mutate('mutate { blog.Post { id: $id title: "v2" } }', { id: p!.id });
    const v2 = await exportRoom(a, room);
    expect((await b.importRecords(v2)).applied).toBe(1);
    expect(await b.importRecords(v1)).toEqual({ applied: 0, ignored: 1, rejected: [] });
    expect(await titles(b)).toEqual([{ title: 'v2', comments: [] }]);
    // the same millisecond: the larger signature wins on every peer
    const id = uid();
    const make = (title: string): NodeRecord => {
      const r = { id, roomId: room, entity: v1.nodes[0]!.entity, cdate: 10, mdate: 20, json: JSON.stringify({ 32: title }), binary: null, verifyingKey: alice.publicKey };
      return { ...r, signature: alice.sign(nodeSigningBytes(r)) };
    };
    const [x, y] = [make('tie x'), make('tie y')];
    const winner = Buffer.compare(Buffer.from(x.signature), Buffer.from(y.signature)) > 0 ? 'tie x' : 'tie y';
    await b.importRecords({ nodes: [x] });
    await b.importRecords({ nodes: [y] });
    const c = await open(driver, bob);
    await c.importRecords({ nodes: [y] });
    await c.importRecords({ nodes: [x] });
    for (const s of [b, c]) expect((await s.query('query { p: blog.Post(id = $id) { title } }', { id: base64url(id) })).p).toEqual([{ title: winner }]);
    await Promise.all([a.close(), b.close(), c.close()]);
  });

  test('tampered, unknown, local and unauthorised records are rejected alone', async () => {
    const a = await open(driver, alice);
    // bob's store lets alice write posts but not comments
    const b = await open(driver, bob, (q) => q.entity.name === 'Comment' && Buffer.compare(Buffer.from(q.author), Buffer.from(alice.publicKey)) === 0);
    await a.mutate('mutate { blog.Post { room_id: $r title: "ok" comments: [{ text: "no" }] } }', { r: roomText });
    await a.mutate('mutate { blog.Post { room_id: $r title: "tampered" } }', { r: roomText });
    const records = await exportRoom(a, room);
    const tampered = records.nodes.find((n) => n.json?.includes('tampered'))!;
    tampered.json = tampered.json!.replace('tampered', 'TAMPERED');
    const resign = (r: NodeRecord): NodeRecord => ({ ...r, signature: alice.sign(nodeSigningBytes(r)) });
    const local = resign({ ...records.nodes[0]!, id: uid(), roomId: null });
    const unknown = resign({ ...records.nodes[0]!, id: uid(), entity: '0.9' });
    const report = await b.importRecords({ ...records, nodes: [...records.nodes, local, unknown] });
    // the post "ok" and its link (a link may point at what this peer cannot see: queries skip it)
    expect(report.applied).toBe(2);
    expect(report.rejected.map((r) => `${r.kind}:${r.code}`).sort()).toEqual([
      'node:AUTHORISATION_DENIED', // the comment
      'node:INVALID_RECORD', // local data
      'node:INVALID_SIGNATURE', // tampered
      'node:UNKNOWN_ENTITY',
    ]);
    expect(await titles(b)).toEqual([{ title: 'ok', comments: [] }]);
    await a.close();
    await b.close();
  });

  test("adding to someone else's list relation leaves their row, and its author, untouched", async () => {
    const a = await open(driver, alice);
    const b = await open(driver, bob);
    const { p } = await a.mutate('mutate { p: blog.Post { room_id: $r title: "alice post" } }', { r: roomText });
    await b.importRecords(await exportRoom(a, room));
    const before = (await rawRows(b, 'SELECT mdate, verifying_key, _signature FROM _node WHERE _entity = ?', [records0Entity(await exportRoom(a, room))]))[0]!;
    await b.mutate('mutate { blog.Post { id: $id comments: [{ text: "from bob" }] } }', { id: p!.id });
    const after = (await rawRows(b, 'SELECT mdate, verifying_key, _signature FROM _node WHERE _entity = ?', [records0Entity(await exportRoom(a, room))]))[0]!;
    expect(after).toEqual(before);
    expect(Buffer.from(after.verifying_key as Uint8Array).equals(Buffer.from(alice.publicKey))).toBe(true);
    const edges = await exportRoom(b, room);
    expect(edges.edges.map((e) => Buffer.from(e.verifyingKey).equals(Buffer.from(bob.publicKey)))).toEqual([true]);
    expect(await titles(b)).toEqual([{ title: 'alice post', comments: [{ text: 'from bob' }] }]);
    await a.close();
    await b.close();
  });

  test('deletions travel, and a deleted node does not come back', async () => {
    const a = await open(driver, alice);
    const b = await open(driver, bob);
    const { p } = await a.mutate('mutate { p: blog.Post { room_id: $r title: "doomed" comments: [{ text: "k1" }, { text: "k2" }] } }', { r: roomText });
    const before = await exportRoom(a, room);
    await b.importRecords(before);
    const k1 = p!.comments as { id: string; text: string }[];
    await a.delete('delete { blog.Post { $id comments[$c] } }', { id: p!.id, c: k1[0]!.id });
    let after = await exportRoom(a, room);
    expect(after.edgeDeletions.length).toBe(1);
    expect((await b.importRecords(after)).rejected).toEqual([]);
    expect(await titles(b)).toEqual([{ title: 'doomed', comments: [{ text: 'k2' }] }]);
    await a.delete('delete { blog.Post { $id } }', { id: p!.id });
    after = await exportRoom(a, room);
    expect(after.nodeDeletions.length).toBe(1);
    await b.importRecords(after);
    expect(await titles(b)).toEqual([]);
    // a peer that still has the old version sends it again: it stays deleted
    expect((await b.importRecords({ nodes: before.nodes.filter((n) => n.json?.includes('doomed')) })).applied).toBe(0);
    expect(await titles(b)).toEqual([]);
    expect(await b.checkIntegrity()).toEqual({ nodes: [], edges: [], deletions: [] });
    await a.close();
    await b.close();
  });

  test('room items list every record version cheaply, and read back by reference only from their room', async () => {
    const a = await open(driver, alice);
    const { p } = await a.mutate('mutate { p: blog.Post { room_id: $r title: "first" comments: [{ text: "c1" }] } }', { r: roomText });
    await a.mutate('mutate { blog.Post { title: "local only" } }');
    const other = base64url(uid());
    await a.mutate('mutate { blog.Post { room_id: $r title: "elsewhere" } }', { r: other });
    const comment = (p as { comments: { id: string }[] }).comments[0]!.id;
    await a.delete('delete { blog.Comment { $c } }', { c: comment });
    const items = await a.roomItems(room);
    // the comment went (its deletion log stays); the post and its link to the comment remain
    expect(items.map((i) => i.kind).sort()).toEqual(['edge', 'node', 'nodeDeletion']);
    const all = await exportRoom(a, room);
    expect(items.find((i) => i.kind === 'node')!.signature).toEqual(all.nodes[0]!.signature);
    const back = await a.readRecords(room, items.map((i) => i.ref));
    expect(back).toEqual(all);
    // a reference to a record of another room reads nothing
    const elsewhere = (await a.roomItems(fromBase64url(other)))[0]!;
    expect((await a.readRecords(room, [elsewhere.ref])).nodes).toEqual([]);
    await a.close();
  });

  test('an edge item is read back with its source room checked', async () => {
    const a = await open(driver, alice);
    await a.mutate('mutate { blog.Post { room_id: $r title: "first" comments: [{ text: "c1" }, { text: "c2" }] } }', { r: roomText });
    const items = await a.roomItems(room);
    expect(items.filter((i) => i.kind === 'edge').length).toBe(2);
    expect(items.filter((i) => i.kind === 'node').length).toBe(3);
    const edges = items.filter((i) => i.kind === 'edge');
    const back = await a.readRecords(room, edges.map((i) => i.ref));
    expect(back.edges.map((e) => e.signature)).toEqual(edges.map((e) => e.signature));
    expect((await a.readRecords(uid(), edges.map((i) => i.ref))).edges).toEqual([]);
    await a.close();
  });

  test('a room read page by page gives every record once, in kind order, within the byte budget; the filter splits entities', async () => {
    const a = await open(driver, alice);
    for (let i = 0; i < 30; i++) await a.mutate('mutate { blog.Post { room_id: $r title: $t comments: [{ text: "c" }] } }', { r: roomText, t: `p${i}` });
    const { p } = await a.mutate('mutate { p: blog.Post { room_id: $r title: "gone" comments: [{ text: "x" }] } }', { r: roomText });
    await a.delete('delete { blog.Post { $id } }', { id: (p as { id: string }).id });
    const all = await exportRoom(a, room);
    const size = () => 100;
    const post = a.dataModel.entities.get('blog.Post')!.shortId;
    const pages: Awaited<ReturnType<typeof a.readPage>>[] = [];
    let cursor: Uint8Array | null = null;
    do {
      const page = await a.readPage(room, { entities: [], include: false }, cursor, 1000, size);
      pages.push(page);
      cursor = page.next;
    } while (cursor && pages.length < 100);
    expect(pages.length).toBeGreaterThan(5);
    for (const page of pages.slice(0, -1)) {
      const n = page.batch.nodes.length + page.batch.edges.length + page.batch.nodeDeletions.length + page.batch.edgeDeletions.length;
      expect(n).toBe(10); // 1000 bytes of 100-byte records
    }
    const got = (part: 'nodes' | 'edges' | 'nodeDeletions' | 'edgeDeletions') => pages.flatMap((pg) => pg.batch[part].map((r) => base64url(r.signature))).sort();
    for (const part of ['nodes', 'edges', 'nodeDeletions', 'edgeDeletions'] as const) expect(got(part)).toEqual(all[part].map((r) => base64url(r.signature)).sort());
    // only posts, and their links; deletions never come with an including filter
    const posts = await a.readPage(room, { entities: [post], include: true }, null, 1_000_000, size);
    expect(posts.next).toBeNull();
    expect(posts.batch.nodes.every((n) => n.entity === post)).toBe(true);
    expect(posts.batch.nodes.length).toBe(30);
    expect(posts.batch.edges.length).toBe(30);
    expect(posts.batch.nodeDeletions).toEqual([]);
    await a.close();
  });
});
