// The body of the SQLCipher driver's checkpoint thread (see checkpointer.ts). It imports only
// packages, so Node runs it from dist/ (.js) and straight from src/ (.ts, by type stripping).
// It opens its own connection to the database and, on each request, copies what the
// write-ahead log holds into the database file (a PASSIVE checkpoint: it never waits for the
// writer or for readers, and never blocks them).
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

interface Handle {
  pragma(sql: string): unknown;
  prepare(sql: string): { get(): unknown };
  close(): void;
}

const Database = createRequire(import.meta.url)('better-sqlite3-multiple-ciphers') as new (path: string) => Handle;
const { path, key } = workerData as { path: string; key: Uint8Array | null };

let db: Handle | null = null;
try {
  db = new Database(path);
  if (key) {
    db.pragma("cipher='sqlcipher'");
    db.pragma('legacy=4');
    db.pragma(`key="x'${Buffer.from(key).toString('hex')}'"`); // (Node-only file)
  }
  db.prepare('SELECT count(*) FROM sqlite_master').get();
  parentPort!.postMessage({ ok: true, ready: true });
} catch (err) {
  db?.close();
  db = null;
  parentPort!.postMessage({ ok: false, error: (err as Error).message });
}

parentPort!.on('message', (message: 'checkpoint' | 'close') => {
  if (message === 'close') {
    db?.close();
    parentPort!.close();
    return;
  }
  try {
    if (!db) throw new Error('no connection');
    const [result] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    parentPort!.postMessage({ ok: true, ...result });
  } catch (err) {
    parentPort!.postMessage({ ok: false, error: (err as Error).message });
  }
});
