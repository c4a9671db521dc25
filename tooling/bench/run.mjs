// `pnpm bench`: benchmarks printed as tables, each beside its limit measured in the same run.
// Not tests: nothing here asserts a time.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'packages/store/package.json'));
const lang = await import('../../packages/lang/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');
const store = await import('../../packages/store/dist/index.js');
const { ed25519 } = await import(require.resolve('@noble/curves/ed25519.js', { paths: [join(process.cwd(), 'packages/crypto')] }));

const rate = (n, ms) => Math.round((n * 1000) / ms).toLocaleString('en');
function time(fn) { const t = performance.now(); fn(); return performance.now() - t; }
async function timeAsync(fn) { const t = performance.now(); await fn(); return performance.now() - t; }
const rows = [];
const row = (group, what, value, note = '') => rows.push({ group, what, value, note });

// ---------------------------------------------------------------- language
const entities = Array.from({ length: 50 }, (_, i) => `  E${i} { name: String, n: Integer nullable, f: Float default 1.5, j: Json nullable, next: E${(i + 1) % 50} nullable, many: [E${(i + 2) % 50}] nullable, index(name) }`);
const modelText = `app {\n${entities.join('\n')}\n}`;
const queryText = `query {
  a: app.E1(n > $min, name != "x", order_by(name asc, n desc), first 20, skip $s) {
    id name n f
    j1: j->$.a.b
    next { name n many(n >= 2) { name f } }
    many(order_by(name asc)) { name next { name } }
  }
  b: app.E2(nullable(next), next = null) { name }
  c: app.E3 { n c: count() s: sum(f) }
  d: app.E4(search("abc")) { name }
  e: app.E5(order_by(n asc), after(3)) { name }
  f: app.E6(j->$.x = 3) { name }
  g: app.E7 { name many { name } }
  h: app.E8(n = null) { id }
  i: app.E9(name = $name, f < 2.5) { name f }
  j: app.E10(cdate > 0) { mdate }
  k: app.E11 { name }
  l: app.E12 { name }
  m: app.E13 { name }
  n: app.E14 { name }
  o: app.E15 { name }
  p: app.E16 { name }
  q: app.E17 { name }
  r: app.E18 { name }
}`;
let model;
const N1 = 200;
let ms = time(() => { for (let i = 0; i < N1; i++) model = lang.parseDataModel(modelText); });
row('lang', 'parse + check a 50-entity data model', `${(ms / N1).toFixed(2)} ms/op`);
const N2 = 500;
ms = time(() => { for (let i = 0; i < N2; i++) lang.validateQuery(model, lang.parseQuery(queryText)); });
row('lang', 'parse + validate a 30-line query (no cache)', `${(ms / N2).toFixed(3)} ms/op`);
const N3 = 200_000;
ms = time(() => { for (let i = 0; i < N3; i++) lang.validateQuery(model, queryText); });
row('lang', 'same query, cached by text', `${((ms / N3) * 1000).toFixed(2)} µs/op`);

// ---------------------------------------------------------------- crypto
const key = new crypto.SigningKey(new Uint8Array(32).fill(3));
const msg = new Uint8Array(64).fill(1);
const sig = key.sign(msg);
const NS = 20_000;
ms = time(() => { for (let i = 0; i < NS; i++) key.sign(msg); });
const signRate = (NS * 1000) / ms;
row('crypto', `ed25519 sign, ${crypto.backend}`, `${rate(NS, ms)}/s`);
ms = time(() => { for (let i = 0; i < NS; i++) crypto.verify(key.publicKey, msg, sig); });
row('crypto', `ed25519 verify, ${crypto.backend}`, `${rate(NS, ms)}/s`);
const seed = new Uint8Array(32).fill(3);
ms = time(() => { for (let i = 0; i < 500; i++) ed25519.sign(msg, seed); });
row('crypto', 'ed25519 sign, @noble (portable)', `${rate(500, ms)}/s`);
ms = time(() => { for (let i = 0; i < 300; i++) ed25519.verify(sig, msg, key.publicKey); });
row('crypto', 'ed25519 verify, @noble (portable)', `${rate(300, ms)}/s`);
{
  // The pool: one batch of 50k messages cut across 2 workers (what the store's bulk path uses).
  const pool = new crypto.CryptoPool({ parallelism: 2 });
  const batch = Array.from({ length: 50_000 }, (_, i) => new TextEncoder().encode(`row ${i} `.padEnd(120, '.')));
  await pool.signAll(key, batch.slice(0, 2_000)); // start the workers
  ms = await timeAsync(async () => { await pool.signAll(key, batch); });
  row('crypto', 'ed25519 sign, pool of 2 workers', `${rate(batch.length, ms)}/s`, `${((batch.length * 1000) / ms / signRate).toFixed(2)}x one thread`);
  const sigs = await pool.signAll(key, batch);
  const items = batch.map((message, i) => ({ publicKey: key.publicKey, message, signature: sigs[i] }));
  ms = await timeAsync(async () => { await pool.verifyAll(items); });
  row('crypto', 'ed25519 verify, pool of 2 workers', `${rate(batch.length, ms)}/s`);
  await pool.close();
}
const mb = new Uint8Array(1 << 20);
ms = time(() => { for (let i = 0; i < 50; i++) crypto.hash(mb); });
row('crypto', 'BLAKE2b-256', `${((50 * 1000) / ms).toFixed(0)} MB/s`);

// ---------------------------------------------------------------- store
const dir = mkdtempSync(join(tmpdir(), 'discret-bench-'));
try {
  const signingKey = new crypto.SigningKey(new Uint8Array(32).fill(5));
  const BULK = 100_000;

  // The limit: the same rows (precomputed JSON and signature) inserted by hand into a table of
  // the same shape with the same indexes and a trigram FTS row each, in one transaction.
  const raw = await store.sqlcipherDriver().open({ path: join(dir, 'raw.db'), key: new Uint8Array(32).fill(1) });
  await raw.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
    CREATE TABLE n (id BLOB PRIMARY KEY, room_id BLOB, _entity TEXT, cdate INTEGER, mdate INTEGER, _json TEXT, _binary BLOB, verifying_key BLOB, _signature BLOB, _fts INTEGER) WITHOUT ROWID, STRICT;
    CREATE INDEX n_e ON n(_entity, mdate); CREATE INDEX n_n ON n(_entity, (_json ->> '$."33"'));
    CREATE VIRTUAL TABLE f USING fts5(text, tokenize = 'trigram');`);
  const rawSteps = [];
  const fakeSig = new Uint8Array(64).fill(9);
  for (let i = 0; i < BULK; i++) {
    rawSteps.push({ sql: 'INSERT INTO f (rowid, text) VALUES (?, ?)', params: [i + 1, `item ${i}`] });
    rawSteps.push({ sql: 'INSERT INTO n VALUES (?, NULL, ?, ?, ?, ?, NULL, ?, ?, ?)', params: [crypto.uid(), '1.0', Date.now(), Date.now(), JSON.stringify({ 32: `item ${i}`, 33: i }), signingKey.publicKey, fakeSig, i + 1] });
  }
  ms = await timeAsync(async () => { await raw.exec('BEGIN'); await raw.batch(rawSteps); await raw.exec('COMMIT'); });
  const rawRate = (BULK * 1000) / ms;
  row('store', `raw SQLCipher inserts, same rows by hand (limit)`, `${rate(BULK, ms)}/s`);
  await raw.close();

  // One worker: the main thread needs the other core for SQLite (two workers measured no faster).
  const pool = new crypto.CryptoPool({ parallelism: 1 });
  const s = await store.Store.open({ path: join(dir, 'b.db'), key: new Uint8Array(32).fill(1), signingKey, cryptoPool: pool });
  await s.setDataModel('b { Item { name: String, n: Integer, index(n) } }');
  ms = await timeAsync(async () => {
    const all = [];
    for (let i = 0; i < BULK; i++) all.push(s.mutate('mutate { b.Item { name: $name n: $n } }', { name: `item ${i}`, n: i }));
    await Promise.all(all);
  });
  const bulk = (BULK * 1000) / ms;
  row('store', `bulk insert, ${BULK.toLocaleString('en')} signed entities (group commit, 1 signing worker)`, `${rate(BULK, ms)}/s`,
    `target >= 60,000/s; ${(bulk / rawRate).toFixed(2)}x raw SQLCipher, ${(bulk / signRate).toFixed(2)}x raw signing on one thread`);
  const ONE = 2_000;
  const fresh = await store.Store.open({ path: join(dir, 'one.db'), key: new Uint8Array(32).fill(1), signingKey });
  await fresh.setDataModel('b { Item { name: String, n: Integer, index(n) } }');
  ms = await timeAsync(async () => { for (let i = 0; i < ONE; i++) await fresh.mutate('mutate { b.Item { name: "one" n: -1 } }'); });
  row('store', 'one-at-a-time awaited inserts, new database', `${rate(ONE, ms)}/s`, 'target >= 5,000/s');
  await fresh.close();
  await s.indexText();
  ms = await timeAsync(async () => { for (let i = 0; i < ONE; i++) await s.mutate('mutate { b.Item { name: "one" n: -1 } }'); });
  row('store', `one-at-a-time awaited inserts, into the ${BULK.toLocaleString('en')}-row database`, `${rate(ONE, ms)}/s`, 'target >= 5,000/s');
  await s.indexText(); // nothing left for the background indexer to do while timing queries
  const q = 'query { r: b.Item(n > $min, order_by(n asc), first 20) { name n } }';
  await s.query(q, { min: 5000 });
  const NQ = 2_000;
  ms = await timeAsync(async () => { for (let i = 0; i < NQ; i++) await s.query(q, { min: 5000 + (i % 1000) }); });
  const ours = ms / NQ;
  const item = s.dataModel.entity('b.Item');
  const [nameKey, nKey] = ['name', 'n'].map((f) => `'$."${item.fieldsByName.get(f).shortId}"'`);
  const hand = `SELECT json_object('name', n._json -> ${nameKey}, 'n', n._json -> ${nKey}) AS r FROM _node n WHERE n._entity = '${item.shortId}' AND n._json ->> ${nKey} > ? ORDER BY n._json ->> ${nKey} ASC LIMIT 20`;
  let handRows = 0;
  // A read-only connection of our own for the hand-written SQL (the store keeps its own private).
  const reader = await store.sqlcipherDriver().open({ path: join(dir, 'b.db'), key: new Uint8Array(32).fill(1), readonly: true });
  ms = await timeAsync(async () => { for (let i = 0; i < NQ; i++) handRows += (await reader.all(hand, [5000 + (i % 1000)])).map((r) => JSON.parse(r.r)).length; });
  await reader.close();
  if (handRows !== NQ * 20) throw new Error(`hand-written SQL returned ${handRows} rows, expected ${NQ * 20}`);
  const handMs = ms / NQ;
  row('store', `filtered, ordered, paged query over ${BULK.toLocaleString('en')} rows`, `${ours.toFixed(3)} ms`, `hand-written SQL ${handMs.toFixed(3)} ms (${(ours / handMs).toFixed(2)}x); target <= 1.5x and < 2 ms`);
  await s.close();
  await pool.close();

  // ---------------------------------------------------------------- sync
  const { syncBench } = await import('./sync.mjs');
  await syncBench({ dir, row, rawRate, N: Number(process.env.BENCH_SYNC_ROWS ?? 100_000) });

  // ---------------------------------------------------------------- beacon
  const { beaconBench, beaconProcessBench } = await import('./beacon.mjs');
  await beaconBench({ row });
  await beaconProcessBench({ row });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.table(rows);
