// The limit of one awaited write (issue 29): the same single signed row written by raw
// SQLCipher in its own transaction, plus one signature on the calling thread, per row. The
// table has the shape and the indexes of the store's node table (by entity and date, by room
// and date), in a file with the store's journal settings. Nothing else: no text index, no
// change log, no notification, no worker.
import { join } from 'node:path';

const crypto = await import('../../packages/crypto/dist/index.js');
const store = await import('../../packages/store/dist/index.js');

/** Milliseconds for `count` rows written one transaction each, each signed just before. */
export async function awaitedWriteLimit(dir, count) {
  const raw = await store.sqlcipherDriver().open({ path: join(dir, 'awaited-limit.db'), key: new Uint8Array(32).fill(6) });
  try {
    await raw.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE n (id BLOB PRIMARY KEY, room_id BLOB, _entity TEXT, cdate INTEGER, mdate INTEGER, _json TEXT, _binary BLOB, verifying_key BLOB, _signature BLOB, _fts INTEGER) WITHOUT ROWID, STRICT;
      CREATE INDEX n_e ON n(_entity, mdate); CREATE INDEX n_r ON n(room_id, mdate) WHERE room_id IS NOT NULL;`);
    const key = new crypto.SigningKey(new Uint8Array(32).fill(7));
    const room = crypto.uid();
    const encoder = new TextEncoder();
    const t = performance.now();
    for (let i = 0; i < count; i++) {
      const id = crypto.uid();
      const json = JSON.stringify({ 32: `note number ${i}`, 33: i });
      const now = Date.now();
      const signature = key.sign(encoder.encode(`${json}${now}`));
      await raw.exec('BEGIN');
      await raw.run('INSERT INTO n VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, NULL)', [id, room, '1.0', now, now, json, key.publicKey, signature]);
      await raw.exec('COMMIT');
    }
    return performance.now() - t;
  } finally {
    await raw.close();
  }
}
