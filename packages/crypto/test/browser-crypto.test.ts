// @discret/crypto in a real headless Chromium: the pool on WebCrypto's Ed25519 and on Web
// Workers running libsodium's WebAssembly build, the page's @noble with hash-wasm's BLAKE2b,
// hash-wasm's argon2id. The published vectors give the verdicts Node gives, and the same
// login and password give the same keys and signatures as on Node.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { base64url, deriveAppKeys, derivePassPhrase, hash, hex, keyedHash, MeetingSecret, verify } from '@discret/crypto';
import type { Page } from 'playwright-core';
import { type BrowserSession, bundlePage, indexPage, screenshotPath, startBrowser } from '../../../tooling/browser/harness.js';

const dir = resolve(import.meta.dirname, 'vectors');
const load = (name: string) => JSON.parse(readFileSync(resolve(dir, name), 'utf8'));
let browser: BrowserSession;
let page: Page;
type Call = (name: string, ...args: unknown[]) => Promise<unknown>;
let call: Call;

beforeAll(async () => {
  const script = await bundlePage(resolve(import.meta.dirname, 'browser/crypto-page.ts'));
  // The same page under a policy that forbids WebAssembly: its pool workers (blob: workers
  // inherit the page's policy) cannot load libsodium.
  const noWasm = `<!doctype html><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="script-src 'self' blob:"><body><pre id="out">loading</pre><script type="module" src="/page.js"></script></body>`;
  browser = await startBrowser({ ...indexPage(), '/no-wasm.html': { body: noWasm, type: 'text/html' }, '/page.js': { body: script, type: 'text/javascript' } });
  page = await browser.open();
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 20_000 });
  call = (name, ...args) => page.evaluate(([n, a]) => (window as unknown as { cryptoTest: Record<string, (...x: unknown[]) => Promise<unknown>> }).cryptoTest[n as string]!(...(a as unknown[])), [name, args] as const);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('crypto in Chromium', () => {
  test("the page's primitives: @noble with hash-wasm's BLAKE2b, same hashes as Node", async () => {
    expect(await call('ready')).toBe('noble+hash-wasm');
    const inputs = [0, 1, 64, 127, 128, 129, 1000, 100_000].map((n) => Buffer.alloc(n, n % 251).toString('hex'));
    const key = Buffer.alloc(32, 9).toString('hex');
    const node = inputs.map((i) => [hex(hash(Buffer.from(i, 'hex'))), hex(keyedHash(Buffer.from(key, 'hex'), Buffer.from(i, 'hex')))]);
    expect(await call('hashes', inputs, key)).toEqual(node);
  });

  test('a pool worker that cannot run fails its jobs with POOL_FAILED instead of leaving them waiting', async () => {
    const strict = await browser.open('/no-wasm.html');
    await strict.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 20_000 });
    const outcome = await strict.evaluate(() => (window as unknown as { cryptoTest: { brokenPool(): Promise<unknown> } }).cryptoTest.brokenPool());
    await strict.close();
    // Without WebAssembly the page itself falls back to @noble, and still hashes and signs.
    expect(outcome).toEqual({ page: 'noble', pool: 'POOL_FAILED' });
  }, 30_000);

  test("the published ed25519 vectors get the verdicts Node gives: on the page (@noble), in the default pool (workers on WebCrypto), in the libsodium workers, on the page's WebCrypto", async () => {
    const items: { publicKey: string; message: string; signature: string }[] = [];
    for (const v of load('rfc8032-ed25519.json')) items.push({ publicKey: v.publicKey, message: v.message, signature: v.signature });
    for (const v of load('zip215.json')) items.push({ publicKey: v.vk_bytes, message: Buffer.from('Zcash').toString('hex'), signature: v.sig_bytes });
    for (const g of load('wycheproof-ed25519.json').testGroups) for (const t of g.tests) items.push({ publicKey: g.publicKey.pk, message: t.msg, signature: t.sig });
    const node = items.map((it) => verify(Buffer.from(it.publicKey, 'hex'), Buffer.from(it.message, 'hex'), Buffer.from(it.signature, 'hex')));
    const { single, pooled, inWorkers, inPage, parallelism, webCrypto } = (await call('verdicts', items)) as Record<'single' | 'pooled' | 'inWorkers' | 'inPage', boolean[]> & { parallelism: number; webCrypto: boolean };
    expect(webCrypto).toBe(true); // Chromium's WebCrypto Ed25519 passed the self-test: the default pool uses it
    expect(parallelism).toBe(2);
    expect(single).toEqual(node);
    expect(pooled).toEqual(node);
    expect(inWorkers).toEqual(node);
    expect(inPage).toEqual(node);
    expect(node.filter(Boolean).length).toBeGreaterThan(10); // not vacuous: valid and invalid both present
    expect(node.filter((v) => !v).length).toBeGreaterThan(100);
  }, 60_000);

  test('X25519 meeting tokens from the Wycheproof set match Node, low-order keys refused alike', async () => {
    const pairs: { secret: string; public: string }[] = [];
    for (const g of load('wycheproof-x25519.json').testGroups) for (const t of g.tests) pairs.push({ secret: t.private, public: t.public });
    const node = pairs.map((p) => {
      try {
        return base64url(new MeetingSecret(Buffer.from(p.secret, 'hex')).token(Buffer.from(p.public, 'hex')));
      } catch (error) {
        return `refused:${(error as { code?: string }).code}`;
      }
    });
    expect(await call('tokens', pairs)).toEqual(node);
  }, 60_000);

  test('the same login and password give the same keys, and the same signatures, in the browser as on Node', async () => {
    const material = await derivePassPhrase('ann', 'correct horse');
    const keys = deriveAppKeys(material, 'github.com/me/app');
    const message = new TextEncoder().encode('the same bytes everywhere');
    const signature = hex(keys.signingKey.sign(message));
    expect(await call('keys', 'ann', 'correct horse', 'github.com/me/app')).toEqual({
      material: hex(material), verifyingKey: keys.signingKey.verifyingKey, signature, pooled: [signature, signature],
      meeting: hex(keys.meetingSecret.publicKey), backend: 'noble+hash-wasm',
    });
    await page.screenshot({ path: screenshotPath('crypto-keys') });
    expect(await page.textContent('#out')).toBe(`ann: ${keys.signingKey.verifyingKey} (noble+hash-wasm)`);
    expect(browser.logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  }, 60_000);
});
