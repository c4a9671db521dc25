// Two browser profiles (two users, two Chromium instances) meet through a beacon on WebSockets,
// sync a room, upgrade to a direct WebRTC connection, and keep syncing after the beacon is gone.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startBeacon, type BeaconProcess } from '../../../apps/beacon/test/spawn-beacon.js';
import { type BrowserSession, bundlePage, driverAssets, indexPage, screenshotPath, startBrowser, WEBRTC_LOCAL_FLAGS } from '../../../tooling/browser/harness.js';
import { readUntil } from './waits.js';

const root = mkdtempSync(join(tmpdir(), 'discret-webrtc-'));
let beacon: BeaconProcess;
const sessions: BrowserSession[] = [];
type Call = (name: string, ...args: unknown[]) => Promise<unknown>;
interface Peer { page: Page; call: Call }

async function browserPeer(script: string): Promise<Peer> {
  const session = await startBrowser({ ...indexPage(), ...driverAssets(), '/page.js': { body: script, type: 'text/javascript' } }, WEBRTC_LOCAL_FLAGS);
  sessions.push(session);
  const page = await session.open();
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 20_000 });
  const call: Call = (name, ...args) => page.evaluate(([n, a]) => (window as unknown as { syncTest: Record<string, (...x: unknown[]) => Promise<unknown>> }).syncTest[n as string]!(...(a as unknown[])), [name, args] as const);
  return { page, call };
}

beforeAll(async () => {
  beacon = await startBeacon(join(root, 'beacon.key'), [], '/ip4/127.0.0.1/tcp/0/ws');
}, 30_000);

afterAll(async () => {
  for (const s of sessions) await s.close();
  await beacon?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('two browser users', () => {
  test('sync through the beacon, go direct over WebRTC, and keep syncing once the beacon is gone', async () => {
    const script = await bundlePage(resolve(import.meta.dirname, 'browser/sync-page.ts'));
    const [ann, bob] = await Promise.all([browserPeer(script), browserPeer(script)]);
    await ann.call('open', beacon.address, 95);
    const bobKey = (await bob.call('open', beacon.address, 96)) as string;
    const { room, invite } = (await ann.call('createRoom')) as { room: string; invite: string };
    await ann.call('write', 'a: hello bob');
    await bob.call('accept', invite, room);
    expect(await bob.call('waitFor', 'a: hello bob', 30_000)).toContain('a: hello bob');

    // The relayed connection is upgraded to a direct WebRTC one.
    type Link = { verifyingKey: string; address: string; path: string };
    const links = await readUntil(() => ann.call('connections') as Promise<Link[]>, (l) => l.some((c) => c.verifyingKey === bobKey && c.address.includes('/webrtc')), 30_000);
    const webrtc = links.filter((c) => c.verifyingKey === bobKey && c.address.includes('/webrtc'));
    // Both sides may upgrade at once: one or two WebRTC connections, each direct.
    expect(webrtc.length).toBeGreaterThan(0);
    expect(webrtc.every((c) => c.path === 'direct')).toBe(true);

    await beacon.stop();
    // Only the direct connection is left (the relayed one went with the beacon).
    const left = await readUntil(() => ann.call('connections') as Promise<Link[]>, (l) => l.every((c) => !c.address.includes('/p2p-circuit/p2p/') || c.address.includes('/webrtc')), 10_000);
    const toBob = left.filter((c) => c.verifyingKey === bobKey);
    expect(toBob.length).toBeGreaterThan(0);
    expect(toBob.every((c) => c.path === 'direct' && c.address.includes('/webrtc'))).toBe(true);
    await bob.call('write', 'b: the beacon is gone');
    expect(await ann.call('waitFor', 'b: the beacon is gone', 20_000)).toContain('b: the beacon is gone');
    await ann.call('write', 'c: still here');
    const shown = (await bob.call('waitFor', 'c: still here', 20_000)) as string;
    expect(shown).toMatch(/sees: a: hello bob \| b: the beacon is gone \| c: still here$/);
    await bob.page.screenshot({ path: screenshotPath('webrtc-bob') });
    await ann.call('close');
    await bob.call('close');
  }, 150_000);
});
