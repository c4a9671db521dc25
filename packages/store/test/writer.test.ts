// The write path on real files, both drivers: group commit, deferred writes, per-request
// undo, the retry when a shared transaction fails, signing on worker threads, deferred
// full-text indexing, and tampering with an encrypted file.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCryptoPool, SigningKey } from '@discret/crypto';
import { rawRows, remember } from './raw.js';
import { ALLOWED, nodeSqliteDriver, sqlcipherDriver, Store, type StoreError, type StoreDriver } from '@discret/store';
import { GroupCommitWriter } from '../src/writer.js';

const root = mkdtempSync(join(tmpdir(), 'discret-writer-'));
const pool = createCryptoPool({ parallelism: 2, minBatch: 16 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});
let counter = 0;
const signingKey = new SigningKey(new Uint8Array(32).fill(3));
const key = new Uint8Array(32).fill(6);
const MODEL = `blog {
  Post { title: String, comments: [Comment] nullable }
  Comment { text: String }
}`;

async function openStore(driver: StoreDriver, extra: Partial<Parameters<typeof Store.open>[0]> = {}) {
  const path = join(root, `w${counter++}.db`);
  const store = remember(await Store.open({ path, key, signingKey, driver, ...extra }), { path, driver, key });
  await store.setDataModel(MODEL);
  return { store, path };
}

const count = async (store: Store, sql: string) => Number((await rawRows(store, sql))[0]!.n);

describe.each([
  ['sqlcipher', sqlcipherDriver()],
  ['node:sqlite', nodeSqliteDriver()],
] as [string, StoreDriver][])('writes on %s', (_name, driver) => {
  test('writes issued together share one transaction', async () => {
    const { store } = await openStore(driver);
    const before = store.stats.transactions;
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.mutate('mutate { blog.Post { title: $t } }', { t: `p${i}` })));
    expect(store.stats.transactions - before).toBe(1);
    expect(await count(store, 'SELECT count(*) AS n FROM _node')).toBe(200);
    // Awaited one by one, each write is its own transaction.
    for (let i = 0; i < 3; i++) await store.mutate('mutate { blog.Post { title: "alone" } }');
    expect(store.stats.transactions - before).toBe(4);
    await store.close();
  });

  test('a failing request is undone alone, whether it failed before or after reading', async () => {
    const { store } = await openStore(driver, {
      policy: { decide: (q) => (q.entity.name === 'Comment' ? { allowed: false, reason: 'no comments' } : ALLOWED) },
    });
    const existing = (await store.mutate('mutate { p: blog.Post { title: "existing" } }')).p!.id as string;
    const untouched = (await store.mutate('mutate { p: blog.Post { title: "untouched" } }')).p!.id as string;
    const before = store.stats.transactions;
    const writes = [
      store.mutate('mutate { blog.Post { title: "a" } }'),
      // queued a Post, then refused on its Comment: the queued Post must go too
      store.mutate('mutate { blog.Post { title: "refused" comments: [{ text: "c" }] } }'),
      store.mutate('mutate { blog.Post { title: "b" } }'),
      // reads (so its writes are already in the database, under a savepoint), then fails
      store.mutate('mutate { u: blog.Post { id: $id title: "updated" } m: blog.Post { id: $missing title: "x" } }', {
        id: untouched,
        missing: 'AAAAAAAAAAAAAAAAAAAAAA',
      }),
      store.mutate('mutate { blog.Post { title: "c" } }'),
      // an update of an earlier write in the same transaction sees it
      store.mutate('mutate { blog.Post { id: $id title: "renamed" } }', { id: existing }),
    ];
    const settled = await Promise.allSettled(writes);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(((settled[1] as PromiseRejectedResult).reason as StoreError).code).toBe('AUTHORISATION_DENIED');
    expect(((settled[3] as PromiseRejectedResult).reason as StoreError).code).toBe('NOT_FOUND');
    expect(store.stats.transactions - before).toBe(1);
    const { p } = await store.query('query { p: blog.Post(order_by(title asc)) { title } }');
    expect(p).toEqual([{ title: 'a' }, { title: 'b' }, { title: 'c' }, { title: 'renamed' }, { title: 'untouched' }]);
    expect(await store.checkIntegrity()).toEqual({ nodes: [], edges: [], deletions: [] });
    await store.close();
  });

  test('concurrent calls of one insert-only mutation are written as one job, and each fails alone', async () => {
    const { store } = await openStore(driver, { cryptoPool: pool, maxObjectSizeInKb: 1 });
    const before = store.stats.transactions;
    const aborted = new AbortController();
    const ADD = 'mutate { p: blog.Post { title: $t comments: [{ text: $c }] } }';
    const calls = Array.from({ length: 600 }, (_, i) => {
      // 7: its Post is queued, then its Comment is too large: the Post must not be written.
      if (i === 7) return store.mutate(ADD, { t: 'bad', c: 'x'.repeat(2000) });
      if (i === 8) return store.mutate(ADD, { t: 'aborted', c: 'c' }, { signal: aborted.signal });
      return store.mutate(ADD, { t: `p${i}`, c: `c${i}` });
    });
    aborted.abort(); // after the call, before its group ran
    const settled = await Promise.allSettled(calls);
    expect(settled.filter((s) => s.status === 'rejected').map((s) => ((s as PromiseRejectedResult).reason as StoreError).code)).toEqual(['OBJECT_TOO_LARGE', 'ABORTED']);
    expect(store.stats.transactions - before).toBe(1);
    expect(((settled[9] as PromiseFulfilledResult<Record<string, Record<string, unknown>>>).value.p!.comments as { text: string }[])[0]!.text).toBe('c9');
    expect(await count(store, 'SELECT count(*) AS n FROM _node')).toBe(2 * 598);
    expect(await count(store, 'SELECT count(*) AS n FROM _edge')).toBe(598);
    const { p } = await store.query('query { p: blog.Post(title = "bad") { title } }');
    expect(p).toEqual([]);
    expect(await store.checkIntegrity()).toEqual({ nodes: [], edges: [], deletions: [] });
    await store.close();
  });

  test('large batches are signed on worker threads, and every signature verifies', async () => {
    const { store } = await openStore(driver, { cryptoPool: pool });
    const writes = Array.from({ length: 700 }, (_, i) =>
      i % 7 === 0
        ? store.mutate('mutate { blog.Post { title: $t comments: [{ text: "x" }, { text: "y" }] } }', { t: `p${i}` })
        : store.mutate('mutate { blog.Post { title: $t } }', { t: `p${i}` }),
    );
    await Promise.all(writes);
    expect(await count(store, 'SELECT count(*) AS n FROM _node')).toBe(700 + 200);
    expect(await count(store, 'SELECT count(*) AS n FROM _edge')).toBe(200);
    expect(await store.checkIntegrity()).toEqual({ nodes: [], edges: [], deletions: [] });
    await store.close();
  });

  test('text waits in _fts_pending, and search() indexes it first', async () => {
    const { store, path } = await openStore(driver);
    await store.mutate('mutate { blog.Post { title: "the quick brown fox" } }');
    expect(await count(store, 'SELECT count(*) AS n FROM _fts_pending')).toBe(1);
    expect((await store.query('query { p: blog.Post(search("brown")) { title } }')).p).toEqual([{ title: 'the quick brown fox' }]);
    expect(await count(store, 'SELECT count(*) AS n FROM _fts_pending')).toBe(0);
    // Updated text replaces the old one, whichever table it is in.
    const { p } = await store.mutate('mutate { p: blog.Post { title: "slow green turtle" } }');
    await store.mutate('mutate { blog.Post { id: $id title: "slow red turtle" } }', { id: p!.id });
    expect((await store.query('query { p: blog.Post(search("turtle")) { title } }')).p).toEqual([{ title: 'slow red turtle' }]);
    await store.mutate('mutate { blog.Post { id: $id title: "slow blue turtle" } }', { id: p!.id });
    await store.close();
    // Closing indexes what is left; reopened, search finds the last text only.
    const again = remember(await Store.open({ path, key, signingKey, driver }), { path, driver, key });
    expect((await again.query('query { p: blog.Post(search("turtle")) { title } }')).p).toEqual([{ title: 'slow blue turtle' }]);
    expect(await count(again, 'SELECT count(*) AS n FROM _fts')).toBe(2);
    await again.close();
  });

  test('mutateMany writes every parameter set in one transaction, in order, signed', async () => {
    const { store } = await openStore(driver, { cryptoPool: pool });
    const before = store.stats.transactions;
    const sets = Array.from({ length: 1500 }, (_, i) => ({ t: `p${i}`, c: `c${i}` }));
    const results = await store.mutateMany('mutate { p: blog.Post { title: $t comments: [{ text: $c }] } }', sets);
    expect(store.stats.transactions - before).toBe(1);
    expect(results.map((r) => r.p!.title)).toEqual(sets.map((s) => s.t));
    expect((results[7]!.p!.comments as { text: string }[]).map((c) => c.text)).toEqual(['c7']);
    expect(await count(store, 'SELECT count(*) AS n FROM _node')).toBe(3000);
    expect(await count(store, 'SELECT count(*) AS n FROM _edge')).toBe(1500);
    // Not only inserts (updates read their rows first): the same call, the slower way.
    const renamed = await store.mutateMany('mutate { p: blog.Post { id: $id title: $t } }', results.slice(0, 300).map((r, i) => ({ id: r.p!.id, t: `renamed ${i}` })));
    expect(renamed[299]!.p!.title).toBe('renamed 299');
    expect(await count(store, "SELECT count(*) AS n FROM _node WHERE _json LIKE '%renamed%'")).toBe(300);
    expect(await store.checkIntegrity()).toEqual({ nodes: [], edges: [], deletions: [] });
    await store.close();
  });

  test('mutateMany is all-or-nothing, even after part of it went into the database', async () => {
    const execs: string[] = [];
    const { store } = await openStore(watchExec(driver, execs), { cryptoPool: pool, maxObjectSizeInKb: 1, writeBufferLength: 5000 });
    // The 1,800th set is too large: by then earlier rows ran, inside the request's savepoint.
    const sets = Array.from({ length: 2000 }, (_, i) => ({ t: i === 1800 ? 'x'.repeat(2000) : `p${i}` }));
    const alone = store.mutate('mutate { blog.Post { title: "shares the transaction" } }');
    const bulk = store.mutateMany('mutate { blog.Post { title: $t } }', sets);
    await expect(bulk).rejects.toMatchObject({ code: 'OBJECT_TOO_LARGE' });
    await alone;
    expect(execs).toContain('SAVEPOINT w');
    expect(await count(store, 'SELECT count(*) AS n FROM _node')).toBe(1);
    expect(await count(store, 'SELECT count(*) AS n FROM _fts_pending')).toBe(1);
    await store.mutateMany('mutate { blog.Post { title: $t } }', sets.slice(0, 1800));
    expect(await count(store, 'SELECT count(*) AS n FROM _node')).toBe(1801);
    await store.close();
  });

  test('mutateMany checks every parameter set before writing, and names the bad one', async () => {
    const { store } = await openStore(driver);
    const error = await store.mutateMany('mutate { blog.Post { title: $t } }', [{ t: 'a' }, { t: 'b' }, { t: 3 }]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TYPE_MISMATCH', line: 1 });
    expect((error as Error).message).toMatch(/^parameter set 2: /);
    expect(await store.mutateMany('mutate { blog.Post { title: $t } }', [])).toEqual([]);
    expect(await count(store, 'SELECT count(*) AS n FROM _node')).toBe(0);
    await store.close();
  });

  test('when the shared transaction fails, each request is retried alone', async () => {
    const conn = await driver.open({ path: join(root, `raw${counter++}.db`), key });
    await conn.exec('CREATE TABLE t (v INTEGER UNIQUE)');
    const signer = async (messages: Uint8Array[]) => messages.map((m) => signingKey.sign(m));
    const writer = new GroupCommitWriter(conn, 100, signer);
    // The duplicate only fails when the queued inserts run, at commit time.
    const results = await Promise.allSettled([1, 2, 2, 3].map((v) => writer.write(async (tx) => tx.queue('INSERT INTO t (v) VALUES (?)', [v]))));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(writer.commits).toBe(3);
    expect(await conn.all('SELECT v FROM t ORDER BY v')).toEqual([{ v: 1 }, { v: 2 }, { v: 3 }]);
    await writer.close();
    await conn.close();
  });
});

describe('tampering with an encrypted file', () => {
  test('a row changed by someone holding the database key fails verification', async () => {
    const { store, path } = await openStore(sqlcipherDriver());
    const { p } = await store.mutate('mutate { p: blog.Post { title: "t" comments: [{ text: "c" }] } }');
    await store.close();
    const raw = await sqlcipherDriver().open({ path, key });
    await raw.run(`UPDATE _node SET _json = replace(_json, '"t"', '"T"') WHERE _json LIKE '%"t"%'`);
    await raw.run('UPDATE _edge SET cdate = cdate + 1');
    await raw.close();
    const reopened = await Store.open({ path, key, signingKey });
    const result = await reopened.checkIntegrity();
    expect(result.nodes).toEqual([p!.id]);
    expect(result.edges.length).toBe(1);
    await reopened.close();
  });
});

describe('the checkpoint thread', () => {
  test('after a large transaction, the write-ahead log is copied into the file off the writer thread', async () => {
    const execs: string[] = [];
    const { store, path } = await openStore(watchExec(sqlcipherDriver(), execs), { cryptoPool: pool });
    await store.mutateMany('mutate { blog.Post { title: $t } }', Array.from({ length: 999 }, (_, i) => ({ t: `small ${i}` })));
    expect(execs).not.toContain('PRAGMA wal_autocheckpoint = 0');
    const before = statSync(path).size;
    // Far under the 1,000 pages at which SQLite would copy it at commit.
    await store.mutateMany('mutate { blog.Post { title: $t } }', Array.from({ length: 1000 }, (_, i) => ({ t: `large ${i}` })));
    expect(execs).toContain('PRAGMA wal_autocheckpoint = 0');
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    // Bounded wait: the thread runs its checkpoint as soon as the commit asks for it.
    for (let i = 0; i < 100 && statSync(path).size === before; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(statSync(path).size).toBeGreaterThan(before);
    await store.close();
    const again = remember(await Store.open({ path, key, signingKey }), { path, driver: sqlcipherDriver(), key });
    expect(await count(again, 'SELECT count(*) AS n FROM _node')).toBe(1999);
    await again.close();
  });

  test('a checkpoint thread that fails hands checkpoints back to SQLite, and writes go on', async () => {
    const execs: string[] = [];
    const reasons: string[] = [];
    const failing: StoreDriver = {
      ...watchExec(sqlcipherDriver(), execs),
      openCheckpointer: (_options, onFailure) => {
        const thread = {
          working: true,
          request() {
            thread.working = false;
            reasons.push('lost');
            onFailure('lost');
          },
          close: async () => {},
        };
        return thread;
      },
    };
    const { store } = await openStore(failing);
    const sets = Array.from({ length: 1200 }, (_, i) => ({ t: `p${i}` }));
    await store.mutateMany('mutate { blog.Post { title: $t } }', sets);
    expect(reasons).toEqual(['lost']);
    await store.mutateMany('mutate { blog.Post { title: $t } }', sets);
    expect(execs.filter((sql) => sql.startsWith('PRAGMA wal_autocheckpoint'))).toEqual(['PRAGMA wal_autocheckpoint = 0', 'PRAGMA wal_autocheckpoint = 1000']);
    // Not started again: one failure is enough to stop trying.
    await store.mutateMany('mutate { blog.Post { title: $t } }', sets);
    expect(reasons).toEqual(['lost']);
    expect(await count(store, 'SELECT count(*) AS n FROM _node')).toBe(3600);
    await store.close();
  });
});

/** The driver, with every `exec` of its connections recorded in `execs`. */
function watchExec(driver: StoreDriver, execs: string[]): StoreDriver {
  return {
    ...driver,
    open: async (options) => {
      const conn = await driver.open(options);
      const exec = (sql: string) => {
        execs.push(sql);
        return conn.exec(sql);
      };
      return { ...conn, exec };
    },
  };
}
