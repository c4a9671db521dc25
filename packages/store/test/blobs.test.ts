// The blob tables (blobs.ts) on a real SQLCipher file: uploads renamed by row number, partial
// blobs, and collection, which deletes groups a few per transaction and leaves none behind.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SigningKey } from '@discret/crypto';
import { GROUPS_PER_WRITE, sqlcipherDriver, Store } from '@discret/store';
import { rawRows, remember } from './raw.js';

const root = mkdtempSync(join(tmpdir(), 'discret-blob-tables-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const key = new Uint8Array(32).fill(4);
const room = new Uint8Array(16).fill(1);
const hash = new Uint8Array(32);

async function open() {
  const path = join(root, `b${Date.now()}${Math.random()}.db`);
  return remember(await Store.open({ path, key, signingKey: new SigningKey(new Uint8Array(32).fill(2)), driver: sqlcipherDriver() }), { path, driver: sqlcipherDriver(), key });
}

async function upload(store: Store, id: string, groups: number) {
  const upload = await store.blobs.beginUpload(room, id);
  for (let first = 0; first < groups; first += GROUPS_PER_WRITE) {
    const batch = Array.from({ length: Math.min(GROUPS_PER_WRITE, groups - first) }, (_, i) => ({ index: first + i, hash, data: new Uint8Array(100).fill(i) }));
    await store.blobs.writeGroups(upload, batch);
  }
  await store.blobs.finishUpload(upload, { id, room, size: groups * 100, groups });
}

describe('blob tables', () => {
  test('an upload becomes its blob; collection deletes groups in small transactions and leaves none', async () => {
    const store = await open();
    try {
      await upload(store, 'blob-a', 200);
      await upload(store, 'blob-b', 3);
      expect(await store.blobs.record('blob-a')).toMatchObject({ groups: 200, held: 200 });
      expect((await store.blobs.heldGroups('blob-a')).length).toBe(200);
      // The same content again: stored once.
      await upload(store, 'blob-a', 200);
      expect(Number((await rawRows(store, 'SELECT count(*) AS n FROM _blob_group'))[0]!.n)).toBe(203);
      // Busy blobs stay; the rest go, groups included, over several transactions.
      const commits = store.stats.transactions;
      expect(await store.blobs.collect(0, new Set(['blob-b']))).toEqual({ blobs: 1, bytes: 200 * 100 });
      expect(store.stats.transactions - commits).toBeGreaterThanOrEqual(200 / 64);
      expect(Number((await rawRows(store, 'SELECT count(*) AS n FROM _blob_group'))[0]!.n)).toBe(3);
      expect(await store.blobs.collect(0, new Set())).toEqual({ blobs: 1, bytes: 300 });
      expect(await rawRows(store, 'SELECT * FROM _blob_group')).toEqual([]);
      expect(await rawRows(store, 'SELECT * FROM _blob')).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
