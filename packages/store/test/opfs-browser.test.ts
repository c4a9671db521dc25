// The browser driver in a real headless Chromium: encrypted SQLite in OPFS, in a worker.
// Files written here open in Node's SQLCipher driver and the reverse.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { base64url, fromBase64url, hex, SigningKey } from '@discret/crypto';
import { sqlcipherDriver, Store } from '@discret/store';
import type { Page } from 'playwright-core';
import { type BrowserSession, bundlePage, driverAssets, indexPage, screenshotPath, startBrowser } from '../../../tooling/browser/harness.js';

const MODEL = 'notes { Note { title: String, index(title) } }';
const KEY = hex(new Uint8Array(32).fill(3));
const WRONG = hex(new Uint8Array(32).fill(4));
const signingKey = new SigningKey(new Uint8Array(32).fill(7));
const dir = mkdtempSync(join(tmpdir(), 'discret-opfs-'));
let browser: BrowserSession;

type Call = (name: string, ...args: unknown[]) => Promise<unknown>;
const caller = (page: Page): Call => (name, ...args) =>
  page.evaluate(([n, a]) => (window as unknown as { discretTest: Record<string, (...x: unknown[]) => Promise<unknown>> }).discretTest[n as string]!(...(a as unknown[])), [name, args] as const);

async function ready(): Promise<{ page: Page; call: Call }> {
  const page = await browser.open();
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 20_000 });
  return { page, call: caller(page) };
}

beforeAll(async () => {
  const page = await bundlePage(resolve(import.meta.dirname, 'browser/opfs-page.ts'));
  browser = await startBrowser({ ...indexPage(), ...driverAssets(), '/page.js': { body: page, type: 'text/javascript' } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the browser driver (Chromium, OPFS)', () => {
  test('a page writes, closes; a reloaded page reads it back; the file holds no plaintext', async () => {
    const first = await ready();
    expect(await first.call('write', 'app/notes.db', KEY, ['PLAINTEXT-MARKER-1', 'second'])).toBe(2);
    await first.page.close();
    const second = await ready();
    expect(await second.call('read', 'app/notes.db', KEY)).toEqual(['PLAINTEXT-MARKER-1', 'second']);
    await second.page.screenshot({ path: screenshotPath('opfs-read') });
    expect(await second.page.textContent('#out')).toBe('app/notes.db: PLAINTEXT-MARKER-1, second');
    const bytes = Buffer.from(fromBase64url((await second.call('fileBytes', 'app/notes.db')) as string));
    expect(bytes.length).toBeGreaterThan(4096);
    expect(bytes.includes(Buffer.from('PLAINTEXT-MARKER-1'))).toBe(false);
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(await second.call('files')).toEqual(expect.arrayContaining(['app/notes.db']));
    expect(browser.logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    await second.page.close();
  }, 60_000);

  test('a warmed driver opens as a cold one does; a warm-up that fails leaves the error to the first open', async () => {
    const { page, call } = await ready();
    expect(await call('warmedRead', 'app/notes.db', KEY)).toEqual(['PLAINTEXT-MARKER-1', 'second']);
    const missing = (await call('warmedRead', 'app/notes.db', KEY, '/missing.wasm')) as { error?: string };
    expect(missing.error).toBeDefined();
    expect(await call('read', 'app/notes.db', KEY)).toEqual(['PLAINTEXT-MARKER-1', 'second']);
    await page.close();
  }, 60_000);

  test('a wrong key is WRONG_KEY and leaves the file as it was', async () => {
    const { page, call } = await ready();
    const before = await call('fileBytes', 'app/notes.db');
    expect(await call('read', 'app/notes.db', WRONG)).toMatchObject({ error: 'WRONG_KEY' });
    expect(await call('fileBytes', 'app/notes.db')).toBe(before);
    expect(await call('read', 'app/notes.db', KEY)).toEqual(['PLAINTEXT-MARKER-1', 'second']);
    await page.close();
  }, 60_000);

  test('a second tab of the same app gets LOCKED while the first holds the database, and opens once it is closed', async () => {
    const one = await ready();
    const two = await ready();
    expect(await one.call('hold', 'app/notes.db', KEY)).toBe('held');
    expect(await two.call('read', 'app/notes.db', KEY)).toMatchObject({ error: 'LOCKED' });
    await one.call('release');
    expect(await two.call('read', 'app/notes.db', KEY)).toEqual(['PLAINTEXT-MARKER-1', 'second']);
    await one.page.close();
    await two.page.close();
  }, 60_000);

  test('a file made by Node opens in the browser, and a file made in the browser opens in Node', async () => {
    const nodeFile = join(dir, 'from-node.db');
    const store = await Store.open({ path: nodeFile, key: Buffer.from(KEY, 'hex'), signingKey, driver: sqlcipherDriver() });
    await store.setDataModel(MODEL);
    await store.mutate('mutate { notes.Note { title: "written by node" } }');
    await store.close();
    const { page, call } = await ready();
    await call('putFile', 'moved/from-node.db', base64url(readFileSync(nodeFile)));
    expect(await call('read', 'moved/from-node.db', KEY)).toEqual(['written by node']);
    expect(await call('write', 'moved/from-node.db', KEY, ['written by the browser'])).toBe(1);
    const back = join(dir, 'from-browser.db');
    writeFileSync(back, fromBase64url((await call('fileBytes', 'moved/from-node.db')) as string));
    const again = await Store.open({ path: back, key: Buffer.from(KEY, 'hex'), signingKey, driver: sqlcipherDriver() });
    try {
      const { n } = (await again.query('query { n: notes.Note(order_by(title asc)) { title } }')) as { n: { title: string }[] };
      expect(n.map((x) => x.title)).toEqual(['written by node', 'written by the browser']);
      expect(await again.checkIntegrity()).toEqual({ nodes: [], edges: [], deletions: [] });
    } finally {
      await again.close();
    }
    await page.close();
  }, 60_000);

  test('an exhausted storage quota is DISK_FULL, and every acknowledged write is still there after a reload', async () => {
    const { page, call } = await ready();
    // Chromium's own control of the origin's quota (DevTools protocol), set low enough to reach.
    const cdp = await page.context().newCDPSession(page);
    const origin = new URL(page.url()).origin;
    // 8 MiB above what this profile already uses (opening a database takes ~4 MiB: its WAL and the
    // VFS's spare files): room for some notes, then full.
    const { usage } = (await cdp.send('Storage.getUsageAndQuota', { origin })) as { usage: number };
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: Math.ceil(usage) + 8 * 1024 * 1024 });
    try {
      const result = (await call('fill', 'quota/notes.db', KEY, 2000)) as { written: number; code: string | null; message: string };
      expect(result).toMatchObject({ code: 'DISK_FULL' });
      expect(result.written).toBeGreaterThan(10);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin }); // back to the default
      await page.close();
      const again = await ready();
      expect(await again.call('count', 'quota/notes.db', KEY)).toBe(result.written);
      await again.page.close();
    } finally {
      await cdp.send('Storage.overrideQuotaForOrigin', { origin }).catch(() => {});
    }
  }, 120_000);
});
