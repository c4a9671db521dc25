// The browser driver in Firefox too (Debian's firefox-esr, driven over WebDriver BiDi by
// puppeteer-core): the same page as the Chromium test writes, reads back after a reload, and
// refuses a wrong key with WRONG_KEY.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hex } from '@discret/crypto';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { bundlePage, driverAssets, indexPage, screenshotPath, serve } from '../../../tooling/browser/harness.js';

const FIREFOX = process.env.DISCRET_FIREFOX ?? '/usr/bin/firefox-esr';
const KEY = hex(new Uint8Array(32).fill(3));
const profile = mkdtempSync(join(tmpdir(), 'discret-firefox-'));
let server: Server;
let url: string;
let browser: Browser;
const errors: string[] = [];

async function ready(): Promise<{ page: Page; call: (name: string, ...args: unknown[]) => Promise<unknown> }> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => errors.push(String(error)));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', { timeout: 20_000 });
  const call = (name: string, ...args: unknown[]) => page.evaluate((n, a) => (window as unknown as { discretTest: Record<string, (...x: unknown[]) => Promise<unknown>> }).discretTest[n]!(...a), name, args);
  return { page, call };
}

beforeAll(async () => {
  const script = await bundlePage(resolve(import.meta.dirname, 'browser/opfs-page.ts'));
  const served = await serve({ ...indexPage(), ...driverAssets(), '/page.js': { body: script, type: 'text/javascript' } });
  server = served.server;
  url = `http://localhost:${served.port}/`;
  browser = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi', userDataDir: profile, timeout: 60_000 });
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done));
  rmSync(profile, { recursive: true, force: true });
});

describe('the browser driver in Firefox (OPFS)', () => {
  test('writes, reads back from a new page, refuses a wrong key', async () => {
    const first = await ready();
    expect(await first.call('write', 'ff/notes.db', KEY, ['written in firefox', 'second'])).toBe(2);
    await first.page.close();
    const second = await ready();
    expect(await second.call('read', 'ff/notes.db', KEY)).toEqual(['second', 'written in firefox']);
    await second.page.screenshot({ path: screenshotPath('firefox-read') });
    expect(await second.page.evaluate(() => document.getElementById('out')?.textContent)).toBe('ff/notes.db: second, written in firefox');
    expect(await second.call('read', 'ff/notes.db', hex(new Uint8Array(32).fill(4)))).toMatchObject({ error: 'WRONG_KEY' });
    const bytes = Buffer.from((await second.call('fileBytes', 'ff/notes.db')) as string, 'base64url');
    expect(bytes.includes(Buffer.from('written in firefox'))).toBe(false);
    expect(errors).toEqual([]);
    await second.page.close();
  }, 90_000);
});
