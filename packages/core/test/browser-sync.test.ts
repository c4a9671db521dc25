// A browser peer (Chromium, @discret/core's browser entry) and a Node peer meet through a beacon
// that listens on WebSockets, with an invite, and sync a room both ways, live, and blobs both ways.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Discret, libp2pTransport, silentLogger } from '@discret/core';
import type { Page } from 'playwright-core';
import { startBeacon, type BeaconProcess } from '../../../apps/beacon/test/spawn-beacon.js';
import { type BrowserSession, bundlePage, driverAssets, indexPage, screenshotPath, startBrowser } from '../../../tooling/browser/harness.js';
import { readUntil } from './waits.js';
import { pattern } from './browser/pattern.js';

const root = mkdtempSync(join(tmpdir(), 'discret-browser-sync-'));

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');
async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}
let browser: BrowserSession;
let beacon: BeaconProcess;
let page: Page;
type Call = (name: string, ...args: unknown[]) => Promise<unknown>;
let call: Call;

beforeAll(async () => {
  beacon = await startBeacon(join(root, 'beacon.key'), [], '/ip4/127.0.0.1/tcp/0/ws');
  const script = await bundlePage(resolve(import.meta.dirname, 'browser/sync-page.ts'));
  browser = await startBrowser({ ...indexPage(), ...driverAssets(), '/page.js': { body: script, type: 'text/javascript' } });
  page = await browser.open();
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 20_000 });
  call = (name, ...args) => page.evaluate(([n, a]) => (window as unknown as { syncTest: Record<string, (...x: unknown[]) => Promise<unknown>> }).syncTest[n as string]!(...(a as unknown[])), [name, args] as const);
}, 60_000);

afterAll(async () => {
  await call?.('close').catch(() => {});
  await browser?.close();
  await beacon?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a browser peer and a Node peer', () => {
  test('meet through the beacon (WebSockets) with an invite and sync a room both ways, live, and blobs both ways', async () => {
    expect(beacon.address).toMatch(/\/ws\/p2p\//);
    const node = await Discret.open({
      dataModel: 'chat { Message { text: String } }', appKey: 'test.browser-sync', keyMaterial: new Uint8Array(32).fill(90), dataFolder: join(root, 'node'),
      transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), logger: silentLogger, config: { enableMulticast: false, beacons: [beacon.address] },
    });
    try {
      const inBrowser = (await call('open', beacon.address, 91)) as string;
      const { r } = await node.mutate<{ r: { id: string; authorisations: { id: string }[] } }>(`mutate { r: sys.Room {
        admin: [{ verif_key: $me }]
        authorisations: [{ name: "all" rights: [{ entity: "chat.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
      } }`, { me: node.verifyingKey });
      await node.mutate('mutate { chat.Message { room_id: $r text: "a from node" } }', { r: r.id });
      await call('accept', await node.invite({ room: r.id, authorisation: r.authorisations[0]!.id }), r.id);
      expect(await call('waitFor', 'a from node', 30_000)).toContain('a from node');
      expect(await call('peers')).toContain(node.verifyingKey);
      // Live, both ways.
      await call('write', 'b from the browser');
      const seen = await readUntil(() => node.query<{ m: { text: string }[] }>('query { m: chat.Message(room_id = $r, order_by(text asc)) { text } }', { r: r.id }), (v) => v.m.length === 2, 20_000);
      expect(seen.m.map((x) => x.text)).toEqual(['a from node', 'b from the browser']);
      await node.mutate('mutate { chat.Message { room_id: $r text: "c from node, live" } }', { r: r.id });
      const shown = (await call('waitFor', 'c from node, live', 20_000)) as string;
      expect(shown).toBe(`${inBrowser.slice(0, 8)} sees: a from node | b from the browser | c from node, live`);
      // Blobs both ways, verified as they stream: 3 MiB from Node to the page's OPFS database, 1 MiB back.
      const fromNode = pattern(3 * 1024 * 1024 + 5, 7);
      const { id } = await node.putBlob(fromNode, { room: r.id });
      expect(await call('getBlob', id)).toEqual({ size: fromNode.length, sha: sha256(fromNode), status: 'local' });
      const fromPage = (await call('putBlob', 1024 * 1024, 8)) as string;
      const back = await readAll(node.getBlob(fromPage));
      expect(sha256(back)).toBe(sha256(pattern(1024 * 1024, 8)));
      await page.screenshot({ path: screenshotPath('browser-sync') });
      expect(browser.logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    } finally {
      await node.close();
    }
  }, 120_000);
});
