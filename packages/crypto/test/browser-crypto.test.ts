// @discret/crypto in a real headless Chromium: libsodium's WebAssembly build, the Web Worker
// pool, hash-wasm's argon2id. The published vectors give the verdicts Node gives, and the same
// login and password give the same keys and signatures as on Node.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { base64url, deriveAppKeys, derivePassPhrase, hex, MeetingSecret, verify } from '@discret/crypto';
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
  browser = await startBrowser({ ...indexPage(), '/page.js': { body: script, type: 'text/javascript' } });
  page = await browser.open();
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 20_000 });
  call = (name, ...args) => page.evaluate(([n, a]) => (window as unknown as { cryptoTest: Record<string, (...x: unknown[]) => Promise<unknown>> }).cryptoTest[n as string]!(...(a as unknown[])), [name, args] as const);
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('crypto in Chromium', () => {
  test('libsodium (WebAssembly) is in use once ready', async () => {
    expect(await call('ready')).toBe('libsodium');
  });

  test('the published ed25519 vectors get the verdicts Node gives, on the page and in the Web Worker pool', async () => {
    const items: { publicKey: string; message: string; signature: string }[] = [];
    for (const v of load('rfc8032-ed25519.json')) items.push({ publicKey: v.publicKey, message: v.message, signature: v.signature });
    for (const v of load('zip215.json')) items.push({ publicKey: v.vk_bytes, message: Buffer.from('Zcash').toString('hex'), signature: v.sig_bytes });
    for (const g of load('wycheproof-ed25519.json').testGroups) for (const t of g.tests) items.push({ publicKey: g.publicKey.pk, message: t.msg, signature: t.sig });
    const node = items.map((it) => verify(Buffer.from(it.publicKey, 'hex'), Buffer.from(it.message, 'hex'), Buffer.from(it.signature, 'hex')));
    const { single, pooled, parallelism } = (await call('verdicts', items)) as { single: boolean[]; pooled: boolean[]; parallelism: number };
    expect(parallelism).toBe(2);
    expect(single).toEqual(node);
    expect(pooled).toEqual(node);
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
      meeting: hex(keys.meetingSecret.publicKey), backend: 'libsodium',
    });
    await page.screenshot({ path: screenshotPath('crypto-keys') });
    expect(await page.textContent('#out')).toBe(`ann: ${keys.signingKey.verifyingKey} (libsodium)`);
    expect(browser.logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  }, 60_000);
});
