// examples/web-chat as a person would use it: built by a plain `vite build` (no Vite config),
// two browser windows (two Chromium profiles: two devices of the same user) and the Node chat on
// a terminal, all with the same login and password, chatting through a local beacon on
// WebSockets. Every window must show the lines typed anywhere; the screenshot is checked.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startBeacon, type BeaconProcess } from '../../apps/beacon/test/spawn-beacon.js';
import { type BrowserSession, screenshotPath, type Site, startBrowser, WEBRTC_LOCAL_FLAGS } from '../browser/harness.js';
import { terminal } from './chat-terminal.js';

const example = resolve(import.meta.dirname, '../../examples/web-chat');
const root = mkdtempSync(join(tmpdir(), 'discret-web-chat-'));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
let beacon: BeaconProcess;
const sessions: BrowserSession[] = [];

/** Every file of the Vite build, served as it is. */
function siteOf(folder: string): Site {
  const site: Site = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else site[`/${prefix}${entry.name}`] = { body: readFileSync(join(dir, entry.name)), type: TYPES[extname(entry.name)] ?? 'application/octet-stream' };
    }
  };
  walk(folder, '');
  return site;
}

async function window(site: Site): Promise<Page> {
  const session = await startBrowser(site, WEBRTC_LOCAL_FLAGS);
  sessions.push(session);
  const page = await session.open(`/?beacon=${encodeURIComponent(beacon.address)}`);
  await page.click('#login button');
  await page.waitForSelector('#chat:not([hidden])', { timeout: 30_000 });
  return page;
}

beforeAll(async () => {
  beacon = await startBeacon(join(root, 'beacon.key'), [], '/ip4/127.0.0.1/tcp/0/ws');
}, 30_000);

afterAll(async () => {
  for (const s of sessions) await s.close();
  await beacon?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('examples/web-chat', () => {
  test('two browser windows and the Node chat, one user, chat through a local beacon', async () => {
    const out = join(root, 'dist');
    execFileSync(process.execPath, [resolve(example, 'node_modules/vite/bin/vite.js'), 'build', '--outDir', out, '--logLevel', 'warn'], { cwd: example, stdio: 'pipe', timeout: 120_000 });
    const site = siteOf(out);
    expect(Object.keys(site).some((p) => p.endsWith('.wasm'))).toBe(true); // Vite emitted SQLite's wasm on its own
    const cli = terminal(root, 'terminal', beacon.address);
    try {
      const [one, two] = await Promise.all([window(site), window(site)]);
      await cli.shows('Write something!');
      await one.fill('#send input', 'hello from window one');
      await one.click('#send button');
      await cli.shows('you said: hello from window one');
      await two.waitForSelector('#messages li:has-text("hello from window one")', { timeout: 30_000 });
      cli.type('and hello from the terminal');
      for (const page of [one, two]) await page.waitForSelector('#messages li:has-text("and hello from the terminal")', { timeout: 30_000 });
      await two.screenshot({ path: screenshotPath('web-chat') });
      expect(await two.locator('#messages li').allTextContents()).toEqual(['hello from window one', 'and hello from the terminal']);
      expect(await two.textContent('#status')).toMatch(/^Signed in as /);
      cli.type('/q');
      expect(await cli.exited).toBe(0);
    } finally {
      if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
    }
  }, 150_000);
});
