// Issue 10's plumbing, through the public API: configuration checks, components handed in
// (logger, crypto pool, driver), AbortSignal, events that cannot hurt the writer, and the
// user's own sys.Peer row.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCryptoPool, createLogger, Discret, nodeSqliteDriver, type DiscretEvent } from '@discret/core';

const root = mkdtempSync(join(tmpdir(), 'discret-components-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => join(root, String(n++));
const keyMaterial = new Uint8Array(32).fill(4);
const NOTES = 'notes { Note { text: String } }';
// Local only: these tests never touch the network.
const base = () => ({ dataModel: NOTES, appKey: 'test.components', keyMaterial, dataFolder: folder(), transport: 'none' as const });

/** A pino logger writing into an array, to see what Discret logs. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line) => void lines.push(JSON.parse(line)) } });
  return { logger, lines };
}

describe('configuration', () => {
  test('an unknown configuration key is INVALID_CONFIGURATION naming the key', async () => {
    await expect(Discret.open({ ...base(), config: { readCacheSizeKb: 10 } as never })).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringContaining('"readCacheSizeKb"'),
    });
    await expect(Discret.open({ ...base(), config: { writeBufferLength: -3 } })).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    await expect(Discret.open({ ...base(), config: { parallelism: '2' } as never })).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
  });

  test('the old option name `store` says it is now `driver`', async () => {
    await expect(Discret.open({ ...base(), store: nodeSqliteDriver() } as never)).rejects.toMatchObject({
      code: 'INVALID_CONFIGURATION',
      message: expect.stringContaining('"driver"'),
    });
    const app = await Discret.open({ ...base(), driver: nodeSqliteDriver() });
    await app.mutate('mutate { notes.Note { text: "plain file" } }');
    await app.close();
  });

  test('settings in force are reported with defaults filled in', async () => {
    const app = await Discret.open({ ...base(), config: { readCacheSizeInKb: 512 } });
    expect(app.config.readCacheSizeInKb).toBe(512);
    expect(app.config.writeCacheSizeInKb).toBe(2048);
    await app.close();
  });
});

describe('components handed in', () => {
  test('a shared crypto pool is used and not closed by close()', async () => {
    const pool = createCryptoPool({ parallelism: 1, minBatch: 1 });
    const a = await Discret.open({ ...base(), cryptoPool: pool });
    const b = await Discret.open({ ...base(), cryptoPool: pool });
    await a.mutate('mutate { notes.Note { text: "a" } }');
    await a.close();
    await b.mutate('mutate { notes.Note { text: "b" } }');
    await b.close();
    // still usable by its owner
    expect(await pool.verifyAll([])).toEqual([]);
    await pool.close();
  });

  test('a listener that throws is logged; the committed write and the other listeners are unaffected', async () => {
    const { logger, lines } = capturingLogger();
    const app = await Discret.open({ ...base(), logger });
    const seen: string[] = [];
    app.on('DataChanged', () => {
      throw new Error('app bug');
    });
    app.on('DataChanged', () => void seen.push('second listener'));
    const { m } = await app.mutate<{ m: { id: string } }>('mutate { m: notes.Note { text: "kept" room_id: $r } }', { r: app.privateRoom });
    expect(m.id).toBeTruthy();
    expect(seen).toEqual(['second listener']);
    expect(lines.some((l) => l.component === 'events' && l.level === 50 && String(l.msg).includes('listener threw'))).toBe(true);
    expect((await app.query('query { n: notes.Note { text } }')).n).toEqual([{ text: 'kept' }]);
    await app.close();
  });
});

describe('AbortSignal', () => {
  test('a request aborted before it runs has no effect and rejects with ABORTED', async () => {
    const app = await Discret.open(base());
    const aborted = AbortSignal.abort();
    await expect(app.mutate('mutate { notes.Note { text: "never" } }', undefined, { signal: aborted })).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(app.query('query { n: notes.Note { text } }', undefined, { signal: aborted })).rejects.toMatchObject({ code: 'ABORTED' });
    const { m } = await app.mutate<{ m: { id: string } }>('mutate { m: notes.Note { text: "kept" } }');
    await expect(app.delete('delete { notes.Note { $id } }', { id: m.id }, { signal: aborted })).rejects.toMatchObject({ code: 'ABORTED' });
    expect((await app.query('query { n: notes.Note { text } }')).n).toEqual([{ text: 'kept' }]);
    await expect(app.close({ signal: aborted })).rejects.toMatchObject({ code: 'ABORTED' });
    await app.mutate('mutate { notes.Note { text: "still open" } }');
    await app.close();
  });

  test('a signal aborted while the write waits for the writer stops it before it writes', async () => {
    const app = await Discret.open(base());
    const controller = new AbortController();
    // The first write holds the writer; the second waits in the queue and is aborted there.
    const first = app.mutate('mutate { notes.Note { text: "first" } }');
    const second = app.mutate('mutate { notes.Note { text: "second" } }', undefined, { signal: controller.signal });
    controller.abort();
    await first;
    await expect(second).rejects.toMatchObject({ code: 'ABORTED' });
    expect((await app.query('query { n: notes.Note { text } }')).n).toEqual([{ text: 'first' }]);
    await app.close();
  });
});

describe('events() for a reader that does not keep up', () => {
  test('the queue is bounded: the oldest events are dropped and the reader is told how many', async () => {
    const app = await Discret.open({ ...base(), config: { eventQueueLength: 3 } });
    const events = app.events();
    for (let i = 0; i < 10; i++) await app.mutate('mutate { notes.Note { text: $t room_id: $r } }', { t: `n${i}`, r: app.privateRoom });
    const got: DiscretEvent[] = [];
    for (let i = 0; i < 4; i++) got.push((await events.next()).value as DiscretEvent);
    expect(got.map((e) => e.type)).toEqual(['EventsDropped', 'DataChanged', 'DataChanged', 'DataChanged']);
    expect(got[0]).toEqual({ type: 'EventsDropped', count: 7 });
    await app.close();
    expect((await events.next()).done).toBe(true);
  });
});

describe("the user's own sys.Peer row", () => {
  test('written at first open with the meeting public key, signed by the user, never duplicated', async () => {
    const options = base();
    const app = await Discret.open(options);
    const query = 'query { p: sys.Peer { pub_key name verifying_key room_id } }';
    const { p } = await app.query<{ p: { pub_key: string; name: string; verifying_key: string; room_id: string | null }[] }>(query);
    expect(p).toHaveLength(1);
    expect(p[0]).toMatchObject({ name: 'anonymous', verifying_key: app.verifyingKey, room_id: null });
    expect(p[0]!.pub_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await app.close();
    const again = await Discret.open(options);
    expect((await again.query(query)).p).toEqual(p);
    await again.close();
    // The same user on another install publishes the same meeting key (derived from key material).
    const other = await Discret.open({ ...options, dataFolder: folder() });
    expect(((await other.query(query)).p as { pub_key: string }[])[0]!.pub_key).toBe(p[0]!.pub_key);
    await other.close();
  });

  test('as upstream, an enabled sys.AllowedPeer row for the user itself, with its own meeting token, written once', async () => {
    const options = base();
    const app = await Discret.open(options);
    const query = 'query { a: sys.AllowedPeer(nullable(peer)) { room_id status meeting_token peer { verifying_key pub_key } } }';
    type Row = { room_id: string; status: string; meeting_token: string; peer: { verifying_key: string; pub_key: string } };
    const { a } = await app.query<{ a: Row[] }>(query);
    expect(a).toHaveLength(1);
    expect(a[0]).toMatchObject({ room_id: app.privateRoom, status: 'enabled', peer: { verifying_key: app.verifyingKey } });
    expect(a[0]!.meeting_token).toMatch(/^[A-Za-z0-9_-]+$/);
    await app.close();
    const again = await Discret.open(options);
    expect((await again.query(query)).a).toEqual(a);
    await again.close();
  });
});
