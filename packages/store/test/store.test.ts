// The store on real files, on both drivers: encryption, signatures, group commit, queries.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKey } from '@discret/crypto';
import { DatabaseSync } from 'node:sqlite';
import { ALLOWED, nodeSqliteDriver, sqlcipherDriver, Store, StoreError, type StoreDriver, type WriteQuestion } from '@discret/store';
import { rawRows, remember } from './raw.js';

const root = mkdtempSync(join(tmpdir(), 'discret-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const signingKey = new SigningKey(new Uint8Array(32).fill(9));
const key = new Uint8Array(32).fill(4);
const MODEL = `blog {
  Author { name: String, age: Integer nullable }
  Post { title: String, body: String default "", score: Float default 0, draft: Boolean default false, meta: Json nullable,
         author: Author nullable, comments: [Comment] nullable, index(title) }
  Comment { text: String, votes: Integer default 0 }
}`;

async function openStore(driver: StoreDriver, extra: Partial<Parameters<typeof Store.open>[0]> = {}) {
  const path = join(root, `s${counter++}.db`);
  const store = remember(await Store.open({ path, key, signingKey, driver, ...extra }), { path, driver, key });
  await store.setDataModel(MODEL);
  return { store, path };
}

describe('SQLCipher files', () => {
  test('contain no plaintext and refuse a wrong key with WRONG_KEY, untouched', async () => {
    const { store, path } = await openStore(sqlcipherDriver());
    await store.mutate('mutate { blog.Post { title: "PLAINTEXT-MARKER-123" } }');
    await store.close();
    const bytes = readFileSync(path);
    expect(bytes.includes(Buffer.from('PLAINTEXT-MARKER-123'))).toBe(false);
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    const error = await Store.open({ path, key: new Uint8Array(32).fill(5), signingKey }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('WRONG_KEY');
    expect(readFileSync(path).equals(bytes)).toBe(true);
    const again = await Store.open({ path, key, signingKey });
    expect((await again.query('query { p: blog.Post { title } }')).p).toEqual([{ title: 'PLAINTEXT-MARKER-123' }]);
    await again.close();
  });
});

describe.each([
  ['sqlcipher', sqlcipherDriver()],
  ['node:sqlite', nodeSqliteDriver()],
] as [string, StoreDriver][])('store on %s', (_name, driver) => {
  test('every row is signed, and a changed byte fails verification', async () => {
    const { store, path } = await openStore(driver);
    const { p } = await store.mutate('mutate { p: blog.Post { title: "t" comments: [{ text: "c" }] } }');
    expect(await store.checkIntegrity()).toEqual({ nodes: [], edges: [], deletions: [] });
    await store.close();
    if (driver.encrypted) return; // tampering below edits the file with a plain SQLite
    const db = new DatabaseSync(path);
    db.prepare(`UPDATE _node SET _json = replace(_json, '"t"', '"T"') WHERE _json LIKE '%"t"%'`).run();
    db.prepare('UPDATE _edge SET cdate = cdate + 1').run();
    db.close();
    const reopened = await Store.open({ path, key, signingKey, driver });
    const result = await reopened.checkIntegrity();
    expect(result.nodes).toEqual([p!.id]);
    expect(result.edges.length).toBe(1);
    await reopened.close();
  });

  test('group commit: concurrent writes share transactions, a bad one fails alone', async () => {
    const { store } = await openStore(driver);
    const writes = Array.from({ length: 50 }, (_, i) =>
      i === 17
        ? store.mutate('mutate { blog.Post { id: $id title: "x" } }', { id: 'AAAAAAAAAAAAAAAAAAAAAA' })
        : store.mutate('mutate { p: blog.Post { title: $t } }', { t: `post ${i}` }),
    );
    const settled = await Promise.allSettled(writes);
    expect(settled.filter((s) => s.status === 'rejected').map((s) => ((s as PromiseRejectedResult).reason as StoreError).code)).toEqual(['NOT_FOUND']);
    const ids = settled.flatMap((s) => (s.status === 'fulfilled' ? [(s.value as { p: { id: string } }).p.id] : []));
    expect(ids.length).toBe(49);
    const { n } = await store.query('query { n: blog.Post { c: count() } }');
    expect(n).toEqual([{ c: 49 }]);
    await store.close();
  });

  test('a mutation is all-or-nothing', async () => {
    const { store } = await openStore(driver, {
      policy: { decide: (q) => (q.entity.name === 'Comment' ? { allowed: false, reason: 'no comments' } : ALLOWED) },
    });
    await expect(store.mutate('mutate { a: blog.Author { name: "a" } p: blog.Post { title: "t" comments: [{ text: "c" }] } }')).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    expect(await store.query('query { a: blog.Author { name } p: blog.Post { title } }')).toEqual({ a: [], p: [] });
    await store.close();
  });

  test('maxObjectSizeInKb is enforced', async () => {
    const { store } = await openStore(driver, { maxObjectSizeInKb: 1 });
    await expect(store.mutate('mutate { blog.Post { title: $t } }', { t: 'x'.repeat(2000) })).rejects.toMatchObject({ code: 'OBJECT_TOO_LARGE' });
    await store.mutate('mutate { blog.Post { title: $t } }', { t: 'x'.repeat(500) });
    await store.close();
  });

  test('relations: set, replace, clear, add to lists, remove edges, delete entities', async () => {
    const { store } = await openStore(driver);
    const { p } = (await store.mutate('mutate { p: blog.Post { title: "t" author: { name: "ann" } comments: [{ text: "a" }, { text: "b" }] } }')) as { p: { id: string; author: { id: string }; comments: { id: string }[] } };
    const { a } = (await store.mutate('mutate { a: blog.Author { name: "bob" } }')) as { a: { id: string } };
    await store.mutate('mutate { blog.Post { id: $p author: { id: $a } comments: [{ text: "c" }] } }', { p: p.id, a: a.id });
    expect(await store.query('query { p: blog.Post { author { name } comments(order_by(text asc)) { text } } }')).toEqual({
      p: [{ author: { name: 'bob' }, comments: [{ text: 'a' }, { text: 'b' }, { text: 'c' }] }],
    });
    await store.delete('delete { blog.Post { $p comments[$c] } }', { p: p.id, c: p.comments[0]!.id });
    await store.mutate('mutate { blog.Post { id: $p author: null } }', { p: p.id });
    expect(await store.query('query { p: blog.Post(nullable(author)) { author { name } n: comments { c: count() } } }')).toEqual({ p: [{ author: null, n: [{ c: 2 }] }] });
    await store.delete('delete { blog.Post { $p } }', { p: p.id });
    expect(await store.query('query { p: blog.Post { title } c: blog.Comment { n: count() } }')).toEqual({ p: [], c: [{ n: 3 }] });
    await expect(store.mutate('mutate { blog.Post { title: "x" author: { id: $a } } }', { a: p.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await store.close();
  });

  test('queries: search, keyset pages, aggregates with grouping, system fields, json, booleans', async () => {
    const { store } = await openStore(driver);
    for (let i = 0; i < 6; i++) {
      await store.mutate('mutate { blog.Post { title: $t score: $s draft: $d meta: $m } }', { t: `post number ${i}`, s: i % 3, d: i % 2 === 0, m: { n: i, tags: ['x', `t${i}`] } });
    }
    const q = (text: string, params?: Record<string, unknown>) => store.query(text, params);
    expect((await q('query { p: blog.Post(search("number 3")) { title } }')).p).toEqual([{ title: 'post number 3' }]);
    expect((await q('query { p: blog.Post(order_by(score desc, title asc), after(1, "post number 1")) { title } }')).p).toEqual([
      { title: 'post number 4' }, { title: 'post number 0' }, { title: 'post number 3' },
    ]);
    expect((await q('query { p: blog.Post(order_by(title asc), before("post number 2")) { title } }')).p).toEqual([{ title: 'post number 0' }, { title: 'post number 1' }]);
    expect((await q('query { p: blog.Post(order_by(score asc)) { score n: count() avg: avg(score) } }')).p).toEqual([
      { score: 0, n: 2, avg: 0 }, { score: 1, n: 2, avg: 1 }, { score: 2, n: 2, avg: 2 },
    ]);
    expect((await q('query { p: blog.Post(draft = true, meta->$.n > 1, order_by(title asc)) { title t: meta->$.tags[1] draft } }')).p).toEqual([
      { title: 'post number 2', t: 't2', draft: true }, { title: 'post number 4', t: 't4', draft: true },
    ]);
    const [row] = (await q('query { p: blog.Post(first 1) { id cdate mdate verifying_key room_id } }')).p as Record<string, unknown>[];
    expect(row!.verifying_key).toBe(signingKey.verifyingKey);
    expect(row!.room_id).toBeNull();
    expect(typeof row!.cdate).toBe('number');
    expect((await q('query { p: blog.Post(id = $id) { title } }', { id: row!.id })).p).toHaveLength(1);
    expect((await q('query { p: blog.Post(order_by(title desc), first $f, skip $s) { title } }', { f: 2, s: 1 })).p).toEqual([{ title: 'post number 4' }, { title: 'post number 3' }]);
    await store.close();
  });

  test('the data model is stored, updated by the rules, and reloaded', async () => {
    const { store, path } = await openStore(driver);
    await store.mutate('mutate { blog.Author { name: "old" } }');
    await expect(store.setDataModel('blog { Author { name: String } }')).rejects.toMatchObject({ code: 'DATA_MODEL_UPDATE' });
    const next = MODEL.replace('age: Integer nullable }', 'age: Integer nullable, nick: String default "anon" }');
    await store.setDataModel(next);
    expect((await store.query('query { a: blog.Author { name nick } }')).a).toEqual([{ name: 'old', nick: 'anon' }]);
    await store.close();
    const reopened = await Store.open({ path, key, signingKey, driver });
    expect(reopened.dataModel.text).toBe(next);
    await reopened.close();
  });

  test('change notifications name rooms, entities and days', async () => {
    const seen: string[] = [];
    const room = new Uint8Array(16).fill(1);
    const { store } = await openStore(driver, { onChange: (c) => { for (const [r, e] of c) seen.push(`${r}:${[...e.keys()].join(',')}`); } });
    await store.mutate('mutate { blog.Author { name: "local only" } }');
    await store.mutate('mutate { blog.Post { title: "shared" room_id: $r comments: [{ text: "c" }] } }', { r: room });
    expect(seen).toEqual([`${Buffer.from(room).toString('base64url')}:blog.Post,blog.Comment`]);
    const logged = await rawRows(store, 'SELECT count(*) AS n FROM _daily_log');
    expect(Number(logged[0]!.n)).toBe(2);
    await store.close();
  });

  test('a closed store refuses work with CLOSED', async () => {
    const { store } = await openStore(driver);
    await store.close();
    await expect(store.query('query { a: blog.Author { name } }')).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe.each([
  ['sqlcipher', sqlcipherDriver()],
  ['node:sqlite', nodeSqliteDriver()],
] as [string, StoreDriver][])('the write policy on %s', (_name, driver) => {
  const room = new Uint8Array(16).fill(2);
  const summary = (q: WriteQuestion) =>
    `${q.kind} ${q.entity.name}${'field' in q ? `.${q.field.name}` : ''} room=${q.roomId ? 'r' : '-'} imported=${q.imported} grant=${q.kind === 'insert' ? 'g' : '-'}`;

  test('is asked precise questions (rows, links added, links removed) with the grant of the request', async () => {
    const asked: string[] = [];
    const grants: unknown[] = [];
    const { store } = await openStore(driver, {
      policy: {
        decide: (q, grant) => {
          asked.push(summary(q));
          grants.push(grant);
          return ALLOWED;
        },
      },
    });
    const { p } = await store.mutate('mutate { p: blog.Post { title: "t" room_id: $r comments: [{ text: "c" }] } }', { r: room }, { grant: 'G' });
    expect(asked).toEqual([
      'insert Post room=r imported=false grant=g',
      'insert Comment room=r imported=false grant=g',
      'edgeAdded Post.comments room=r imported=false grant=-',
    ]);
    expect(new Set(grants)).toEqual(new Set(['G']));
    asked.length = 0;
    const comment = (p!.comments as { id: string }[])[0]!.id;
    await store.delete('delete { blog.Post { $id comments[$c] } }', { id: p!.id, c: comment });
    expect(asked).toEqual(['edgeRemoved Post.comments room=r imported=false grant=-']);
    asked.length = 0;
    await store.delete('delete { blog.Post { $id } }', { id: p!.id });
    expect(asked).toEqual(['delete Post room=r imported=false grant=-']);
    await store.close();
  });

  test('a refusal names its reason; a policy can place new rows in a room of their own', async () => {
    const { store } = await openStore(driver, {
      policy: {
        decide: (q) => (q.kind === 'edgeAdded' ? { allowed: false, reason: 'no links today' } : ALLOWED),
        roomOfNewRow: (entity, id) => (entity.name === 'Author' ? id : undefined),
      },
    });
    await expect(store.mutate('mutate { blog.Post { title: "t" comments: [{ text: "c" }] } }')).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED', message: 'no links today' });
    const { a } = await store.mutate('mutate { a: blog.Author { name: "own room" } }');
    expect((await store.query('query { a: blog.Author { id room_id } }')).a).toEqual([{ id: a!.id, room_id: a!.id }]);
    await store.close();
  });

  test('the page cache of each connection follows the settings', async () => {
    const path = join(root, `cache${counter++}.db`);
    const conn = await driver.open({ path, key, cacheSizeKb: 777 });
    expect(await conn.all('PRAGMA cache_size')).toEqual([{ cache_size: -777 }]);
    await conn.close();
  });
});
