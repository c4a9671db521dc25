// `pnpm bench` (or `pnpm bench --quick`): every benchmark, one report. Each figure is printed
// beside the reference measured in the same run, with the ratio and the target of the issue
// that set it; the same goes to bench-results.json and BENCHMARKS.md, and the curves to
// docs/bench/*.svg. Not tests: nothing here asserts a time.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineChart } from './charts.mjs';
import { Report } from './report.mjs';

const quick = process.argv.includes('--quick');
const root = join(import.meta.dirname, '..', '..');
const require = createRequire(join(root, 'packages/store/package.json'));
const lang = await import('../../packages/lang/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');
const store = await import('../../packages/store/dist/index.js');
const { ed25519 } = await import(require.resolve('@noble/curves/ed25519.js', { paths: [join(root, 'packages/crypto')] }));

/** Sizes: the main one for the detailed figures, and the points of the curves. */
const SIZES = quick ? [10_000, 30_000] : [10_000, 100_000, 1_000_000];
const MAIN = quick ? 30_000 : 100_000;
const ORBIT_N = quick ? 1_000 : 10_000;

const rate = (n, ms) => (n * 1000) / ms;
function time(fn) { const t = performance.now(); fn(); return performance.now() - t; }
async function timeAsync(fn) { const t = performance.now(); await fn(); return performance.now() - t; }
const report = new Report();
const add = (figure) => report.add(figure);
const charts = [];
async function chart(name, spec) {
  await lineChart({ file: join(root, 'docs/bench', `${name}.svg`), ...spec });
  charts.push({ title: spec.title, path: `docs/bench/${name}.svg` });
}

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
  b: app.E2(nullable(next), next = null) { name next { name } }
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
add({ group: 'lang', operation: 'parse + check a 50-entity data model', value: ms / N1, unit: 'ms/op' });
const N2 = 500;
ms = time(() => { for (let i = 0; i < N2; i++) lang.validateQuery(model, lang.parseQuery(queryText)); });
add({ group: 'lang', operation: 'parse + validate a 30-line query (no cache)', value: ms / N2, unit: 'ms/op' });
const N3 = 200_000;
ms = time(() => { for (let i = 0; i < N3; i++) lang.validateQuery(model, queryText); });
add({ group: 'lang', operation: 'same query, cached by text', value: (ms / N3) * 1000, unit: 'µs/op' });

// ---------------------------------------------------------------- crypto
const key = new crypto.SigningKey(new Uint8Array(32).fill(3));
const msg = new Uint8Array(64).fill(1);
const sig = key.sign(msg);
const NS = 20_000;
ms = time(() => { for (let i = 0; i < NS; i++) key.sign(msg); });
const signRate = (NS * 1000) / ms;
add({ group: 'crypto', operation: `ed25519 sign, ${crypto.backend}`, value: signRate, unit: '/s' });
ms = time(() => { for (let i = 0; i < NS; i++) crypto.verify(key.publicKey, msg, sig); });
const verifyRate = add({ group: 'crypto', operation: `ed25519 verify, ${crypto.backend}`, value: rate(NS, ms), unit: '/s' });
const seed = new Uint8Array(32).fill(3);
ms = time(() => { for (let i = 0; i < 500; i++) ed25519.sign(msg, seed); });
add({ group: 'crypto', operation: 'ed25519 sign, @noble (portable fallback)', value: rate(500, ms), unit: '/s', reference: { value: signRate, what: crypto.backend } });
ms = time(() => { for (let i = 0; i < 300; i++) ed25519.verify(sig, msg, key.publicKey); });
add({ group: 'crypto', operation: 'ed25519 verify, @noble (portable fallback)', value: rate(300, ms), unit: '/s', reference: { value: verifyRate, what: crypto.backend } });
{
  // The pool: one batch of 50k messages cut across 2 workers (what the store's bulk path uses).
  const pool = crypto.createCryptoPool({ parallelism: 2 });
  const batch = Array.from({ length: 50_000 }, (_, i) => new TextEncoder().encode(`row ${i} `.padEnd(120, '.')));
  await pool.signAll(key, batch.slice(0, 2_000)); // start the workers
  ms = await timeAsync(async () => { await pool.signAll(key, batch); });
  add({ group: 'crypto', operation: 'ed25519 sign, pool of 2 workers', value: rate(batch.length, ms), unit: '/s', reference: { value: signRate, what: 'one thread' } });
  const sigs = await pool.signAll(key, batch);
  const items = batch.map((message, i) => ({ publicKey: key.publicKey, message, signature: sigs[i] }));
  ms = await timeAsync(async () => { await pool.verifyAll(items); });
  add({ group: 'crypto', operation: 'ed25519 verify, pool of 2 workers', value: rate(batch.length, ms), unit: '/s', reference: { value: verifyRate, what: 'one thread' } });
  await pool.close();
}
const mb = new Uint8Array(1 << 20);
ms = time(() => { for (let i = 0; i < 50; i++) crypto.hash(mb); });
add({ group: 'crypto', operation: 'BLAKE2b-256', value: (50 * 1000) / ms, unit: 'MB/s' });

// ---------------------------------------------------------------- store
/** Runs a script of this folder in a process of its own; resolves what it printed on stdout. */
function childOutput(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(import.meta.dirname, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.once('exit', (code) => (code ? reject(new Error(`${script} ${args.join(' ')} exited with ${code}`)) : resolve(out)));
  });
}

/** Runs one point of the store curves in its own process (store-size.mjs). */
async function storePoint(dir, n) {
  return JSON.parse(await childOutput('store-size.mjs', [dir, String(n)]));
}

const dir = mkdtempSync(join(tmpdir(), 'discret-bench-'));
try {
  const points = [];
  for (const n of SIZES) {
    const pointDir = mkdtempSync(join(dir, `store-${n}-`));
    points.push(await storePoint(pointDir, n));
    rmSync(pointDir, { recursive: true, force: true });
  }
  for (const p of points) {
    const rows = p.N.toLocaleString('en');
    const limit = Math.min(p.rawRate, p.signRate);
    add({
      group: 'store', operation: `bulk insert, ${rows} signed entities (mutateMany, 1 signing worker)`, value: p.bulkRate, unit: 'rows/s',
      reference: { value: limit, what: `min(raw SQLCipher insert of the same rows ${Math.round(p.rawRate).toLocaleString('en')}/s, signing on one thread ${Math.round(p.signRate).toLocaleString('en')}/s, both measured beside it in the same process${p.ratios.length > 1 ? `; median of ${p.ratios.length} rounds, whose ratios were ${p.ratios.map((r) => r.toFixed(2)).join(', ')}` : ''})` },
      target: '>= 0.8x; >= 60,000/s',
    });
    if (p.concurrentRate) {
      add({
        group: 'store', operation: `${rows} concurrent mutate() calls (group commit, 1 signing worker)`, value: p.concurrentRate, unit: 'rows/s',
        reference: { value: limit, what: 'the same limit' },
      });
    }
    add({ group: 'store', operation: `peak RSS during the bulk insert of ${rows}`, value: p.bulkPeakMiB, unit: 'MiB' });
    add({
      group: 'store', operation: `filtered, ordered, paged query over ${rows} rows`, value: p.queryMs, unit: 'ms',
      reference: { value: p.handMs, what: 'hand-written SQL' }, target: '<= 1.5x and < 2 ms',
    });
  }
  await chart('bulk-insert', {
    title: 'Bulk insert of signed entities', x: 'rows', y: 'rows per second', series: 'what', logX: true,
    points: points.flatMap((p) => [
      { rows: p.N, 'rows per second': Math.round(p.bulkRate), what: 'Discret bulk insert (mutateMany)' },
      ...(p.concurrentRate ? [{ rows: p.N, 'rows per second': Math.round(p.concurrentRate), what: 'Discret, concurrent mutate() calls' }] : []),
      { rows: p.N, 'rows per second': Math.round(p.rawRate), what: 'raw SQLCipher insert (limit)' },
    ]),
  });
  await chart('query-latency', {
    title: 'Filtered, ordered, paged query as the table grows', x: 'rows', y: 'ms per query', series: 'what', logX: true,
    points: points.flatMap((p) => [
      { rows: p.N, 'ms per query': p.queryMs, what: 'Discret' },
      { rows: p.N, 'ms per query': p.handMs, what: 'hand-written SQL' },
    ]),
  });
  await chart('bulk-memory', {
    title: 'Peak RSS of the bulk insert', x: 'rows', y: 'MiB', logX: true,
    points: points.map((p) => ({ rows: p.N, MiB: Math.round(p.bulkPeakMiB) })),
  });
  const rawRate = points.find((p) => p.N === MAIN)?.rawRate ?? points.at(-1).rawRate;

  const signingKey = new crypto.SigningKey(new Uint8Array(32).fill(5));
  const ONE = 2_000;
  const fresh = await store.Store.open({ path: join(dir, 'one.db'), key: new Uint8Array(32).fill(1), signingKey });
  await fresh.setDataModel('b { Item { name: String, n: Integer, index(n) } }');
  ms = await timeAsync(async () => { for (let i = 0; i < ONE; i++) await fresh.mutate('mutate { b.Item { name: "one" n: -1 } }'); });
  add({ group: 'store', operation: 'one-at-a-time awaited inserts, new database', value: rate(ONE, ms), unit: 'rows/s', target: '>= 5,000/s' });
  await fresh.close();

  // ---------------------------------------------------------------- sync
  const { syncBench, initialSync } = await import('./sync.mjs');
  const main = await syncBench({ dir: mkdtempSync(join(dir, 'sync-')), report, rawRate, N: Number(process.env.BENCH_SYNC_ROWS ?? MAIN) });
  const syncPoints = [];
  for (const n of SIZES) {
    if (n === MAIN) syncPoints.push({ N: n, rate: main.rate, peakMiB: main.peakMiB });
    else {
      const point = await initialSync({ dir: mkdtempSync(join(dir, `sync-${n}-`)), N: n });
      syncPoints.push(point);
      add({ group: 'sync', operation: `initial sync of ${n.toLocaleString('en')} rows (curve point)`, value: point.rate, unit: 'rows/s', note: `receiver peak RSS ${Math.round(point.peakMiB)} MiB` });
    }
  }
  await chart('initial-sync', {
    title: 'Initial sync to a new device (libp2p TCP, loopback)', x: 'rows', y: 'rows per second', logX: true,
    points: syncPoints.map((p) => ({ rows: p.N, 'rows per second': Math.round(p.rate) })),
  });
  await chart('sync-memory', {
    title: 'Receiver peak RSS during the initial sync', x: 'rows', y: 'MiB', logX: true,
    points: syncPoints.map((p) => ({ rows: p.N, MiB: Math.round(p.peakMiB) })),
  });
  await chart('sync-differences', {
    title: `Bytes exchanged against the number of new rows (${MAIN.toLocaleString('en')} in the room)`, x: 'new rows', y: 'KiB', logX: false,
    points: main.curve.filter((c) => c.differences > 0).map((c) => ({ 'new rows': c.differences, KiB: Number(c.kib.toFixed(1)) })),
  });

  // ---------------------------------------------------------------- live queries
  // In a process of its own (live-process.mjs): here, the heap the groups before it left made
  // the write-to-listener p99 8.6 ms in a full run, against 4.5-5.2 ms alone.
  const liveOptions = { rows: quick ? 30_000 : 100_000, queries: 1_000, writes: quick ? 50 : 200, memoryQueries: quick ? 2_000 : 10_000 };
  const liveOutput = await childOutput('live-process.mjs', [JSON.stringify(liveOptions)]);
  for (const line of liveOutput.trim().split('\n')) report.add(JSON.parse(line));

  // ---------------------------------------------------------------- many peers in one room
  const { gossipBench } = await import('./gossip.mjs');
  await gossipBench({ report, chart, counts: quick ? [10, 50] : [10, 50, 200], writes: quick ? 5 : 10 });

  // ---------------------------------------------------------------- blobs
  const { blobBench } = await import('./blobs.mjs');
  // A failure here is reported, and the other groups still run.
  await blobBench({ report, dir: mkdtempSync(join(dir, 'blobs-')), mib: quick ? 64 : 1024, kills: quick ? 3 : 10, resumeMib: quick ? 32 : 64 }).catch((error) => {
    console.error('blobs bench failed:', error);
    add({ group: 'blobs', operation: 'the blobs group', value: Number.NaN, unit: '', note: `failed: ${String(error?.message ?? error).slice(0, 120)}` });
  });

  // ---------------------------------------------------------------- beside OrbitDB
  const { orbitdbBench } = await import('./orbitdb.mjs');
  await orbitdbBench({ dir: mkdtempSync(join(dir, 'orbit-')), report, N: ORBIT_N });

  // ---------------------------------------------------------------- beacon
  const { beaconBench, beaconProcessBench } = await import('./beacon.mjs');
  await beaconBench({ report, clients: quick ? 100 : 500 });
  await beaconProcessBench({ report, chart, waves: quick ? [100, 500] : [100, 500, 1000, 2000] }).catch((error) => {
    console.error('beacon process bench failed:', error);
    add({ group: 'beacon', operation: 'the beacon process group', value: Number.NaN, unit: '', note: `failed: ${String(error?.message ?? error).slice(0, 120)}` });
  });

  // ---------------------------------------------------------------- in a browser
  const { browserBench } = await import('./browser.mjs');
  await browserBench({ report, rows: 10_000, rounds: quick ? 1 : 5, syncRounds: quick ? 1 : 3 });

  // ---------------------------------------------------------------- meeting behind NATs
  const { meetingBench } = await import('./meeting.mjs');
  await meetingBench({ report, rounds: quick ? 1 : 3 });
} finally {
  rmSync(dir, { recursive: true, force: true });
}

report.print();
report.write({ json: join(root, 'bench-results.json'), markdown: join(root, 'BENCHMARKS.md'), quick, charts });
