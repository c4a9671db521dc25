// Browser figures of `pnpm bench`, in Debian's headless Chromium (playwright-core): the bulk
// insert of signed rows beside the raw insert of the same rows with the same WASM SQLite in the
// same page, the open of a database of those rows, and what a page downloads (a plain
// `vite build` of examples/web-chat, gzipped).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '../..');

export async function browserBench({ report, rows = 10_000, rounds = 3 }) {
  const { bundlePage, driverAssets, indexPage, startBrowser } = await import('../browser/harness.ts');
  const script = await bundlePage(join(import.meta.dirname, 'browser-page.ts'));
  const browser = await startBrowser({ ...indexPage(), ...driverAssets(), '/page.js': { body: script, type: 'text/javascript' } });
  try {
    const page = await browser.open();
    await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 30_000 });
    // Rounds, the median ratio reported (the machine's speed drifts within a run).
    const results = [];
    for (let round = 0; round < rounds; round++) results.push(await page.evaluate(([n, r]) => window.bench(n, r), [rows, round]));
    const ratios = results.map((r) => r.raw / r.ours).sort((a, b) => a - b);
    const median = results.find((r) => r.raw / r.ours === ratios[Math.floor(ratios.length / 2)]);
    const n = rows.toLocaleString('en');
    report.add({
      group: 'browser', operation: `bulk insert, ${n} signed entities in Chromium (OPFS, 1 signing Web Worker)`, value: (rows * 1000) / median.ours, unit: 'rows/s',
      reference: { value: (rows * 1000) / median.raw, what: `raw insert of the same rows with the same WASM SQLite in the same page; median of ${rounds} rounds, ratios ${ratios.map((x) => x.toFixed(2)).join(', ')}` },
      target: '>= 0.6x',
    });
    // Cold: a new page, so the database worker, its WebAssembly and the file all start from nothing.
    await page.close();
    const fresh = await browser.open();
    await fresh.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 30_000 });
    const cold = await fresh.evaluate((path) => window.coldOpen(path), 'r0/ours.db');
    report.add({ group: 'browser', operation: `open a ${n}-row database in a new page (worker and WebAssembly cold; Store.open + first query)`, value: cold, unit: 'ms', target: '<= 300 ms' });
    report.add({ group: 'browser', operation: `open it again in the same page (worker warm)`, value: Math.min(...results.map((r) => r.open)), unit: 'ms' });
    const errors = browser.logs.filter((l) => l.startsWith('pageerror'));
    if (errors.length) throw new Error(`browser bench page errors: ${errors.join('; ')}`);
  } finally {
    await browser.close();
  }
  bundleSizes(report);
}

/** A plain `vite build` of examples/web-chat: what a page of ours downloads, gzipped. */
function bundleSizes(report) {
  const example = join(root, 'examples/web-chat');
  const out = mkdtempSync(join(tmpdir(), 'discret-web-chat-build-'));
  try {
    execFileSync(process.execPath, [join(example, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', out, '--logLevel', 'warn'], { cwd: example, stdio: 'pipe' });
    const files = readdirSync(join(out, 'assets')).map((f) => join(out, 'assets', f));
    const gz = (ext) => files.filter((f) => extname(f) === ext).reduce((sum, f) => sum + gzipSync(readFileSync(f)).length, 0) / 1024;
    const raw = (ext) => files.filter((f) => extname(f) === ext).reduce((sum, f) => sum + statSync(f).size, 0) / 1024;
    report.add({ group: 'browser', operation: 'web-chat page JavaScript, all chunks (vite build)', value: gz('.js'), unit: 'KiB gzipped', note: `${Math.round(raw('.js'))} KiB minified, ${files.filter((f) => f.endsWith('.js')).length} chunks`, target: '<= 500 KiB' });
    report.add({ group: 'browser', operation: 'web-chat page WebAssembly (SQLite3MultipleCiphers)', value: gz('.wasm'), unit: 'KiB gzipped', note: `${Math.round(raw('.wasm'))} KiB` });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
