// The page of browser.mjs (pnpm bench): the store in Chromium (OPFS, in its worker; signing on a
// Web Worker) beside the raw insert of the same rows with the same WASM SQLite.
import { Discret } from '@discret/core';
import { type CryptoPool, createCryptoPool, primitivesReady, SigningKey, uid } from '@discret/crypto';
import { defaultDriver, Store } from '@discret/store';
import { untilRows } from './until-rows.mjs';

const key = new Uint8Array(32).fill(8);
const signingKey = new SigningKey(new Uint8Array(32).fill(5));
const MODEL = 'b { Item { name: String, n: Integer, index(n) } }';
// The page's default driver, the one Discret uses (its worker starts when @discret/core loads).
const driver = defaultDriver();

/**
 * A pool that returns fixed bytes instead of signatures: the bulk insert with it measures what
 * the store costs beyond the raw insert, without the signing that shares the machine's cores.
 */
const unsignedPool: CryptoPool = {
  parallelism: 1,
  signAll: async (_key, messages) => messages.map(() => new Uint8Array(64)),
  verifyAll: async (items) => items.map(() => true),
  close: async () => {},
};

async function bulk(path: string, count: number, signing = true): Promise<number> {
  const pool = signing ? createCryptoPool({ parallelism: 1 }) : unsignedPool;
  const store = await Store.open({ path, key, signingKey, cryptoPool: pool, driver });
  await store.setDataModel(MODEL);
  const params = Array.from({ length: count }, (_, i) => ({ name: `item ${i}`, n: i }));
  const t = performance.now();
  await store.mutateMany('mutate { b.Item { name: $name n: $n } }', params);
  const ms = performance.now() - t;
  await store.close();
  await pool.close();
  return ms;
}

/** The same rows written by hand in one transaction, as the Node bench's raw insert does. */
async function raw(path: string, count: number): Promise<number> {
  const conn = await driver.open({ path, key });
  await conn.exec(`CREATE TABLE n (id BLOB PRIMARY KEY, room_id BLOB, _entity TEXT, cdate INTEGER, mdate INTEGER, _json TEXT, _binary BLOB, verifying_key BLOB, _signature BLOB, _fts INTEGER) WITHOUT ROWID, STRICT;
    CREATE INDEX n_e ON n(_entity, mdate); CREATE INDEX n_n ON n(_entity, (_json ->> '$."33"'));
    CREATE VIRTUAL TABLE f USING fts5(text, tokenize = 'trigram');`);
  const fakeSig = new Uint8Array(64).fill(9);
  const steps: { sql: string; params: (string | number | Uint8Array | null)[] }[] = [];
  for (let i = 0; i < count; i++) {
    steps.push({ sql: 'INSERT INTO f (rowid, text) VALUES (?, ?)', params: [i + 1, `item ${i}`] });
    steps.push({ sql: 'INSERT INTO n VALUES (?, NULL, ?, ?, ?, ?, NULL, ?, ?, ?)', params: [uid(), '1.0', Date.now(), Date.now(), JSON.stringify({ 32: `item ${i}`, 33: i }), signingKey.publicKey, fakeSig, i + 1] });
  }
  const t = performance.now();
  await conn.exec('BEGIN');
  await conn.batch(steps);
  await conn.exec('COMMIT');
  const ms = performance.now() - t;
  await conn.close();
  return ms;
}

/** Opening a database of `count` rows: Store.open and its first query. */
async function open(path: string): Promise<number> {
  const t = performance.now();
  const store = await Store.open({ path, key, signingKey, driver });
  await store.query('query { i: b.Item(first 1) { n } }');
  const ms = performance.now() - t;
  await store.close();
  return ms;
}

/**
 * A new device of the sender's user (the same key material): opens with the beacon and waits,
 * bounded, until its private room holds `count` rows; the time from open to then.
 */
async function receive(beacon: string, fill: number, count: number, model: string, appKey: string): Promise<number> {
  await primitivesReady;
  const t = performance.now();
  const app = await Discret.open({ dataModel: model, appKey, keyMaterial: new Uint8Array(32).fill(fill), dataFolder: 'receiver', config: { beacons: [beacon] } });
  try {
    return await untilRows(app, count, t);
  } finally {
    await app.close();
  }
}

Object.assign(window, {
  receive,
  /** In a fresh page: the database worker, its WebAssembly and the file, all started cold. */
  coldOpen: (path: string) => open(path),
  bench: async (count: number, round: number) => {
    await primitivesReady;
    if (round === 0) {
      await bulk('warm/ours.db', 2_000); // the JIT and the workers warm up on files of their own
      await raw('warm/raw.db', 2_000);
    }
    const ours = await bulk(`r${round}/ours.db`, count);
    const unsigned = await bulk(`r${round}/unsigned.db`, count, false);
    const rawMs = await raw(`r${round}/raw.db`, count);
    const openMs = await open(`r${round}/ours.db`);
    document.getElementById('out')!.textContent = `round ${round}: ${count} rows in ${Math.round(ours)} ms (unsigned ${Math.round(unsigned)} ms, raw ${Math.round(rawMs)} ms), open ${Math.round(openMs)} ms`;
    return { ours, unsigned, raw: rawMs, open: openMs };
  },
});
document.getElementById('out')!.textContent = 'ready';
