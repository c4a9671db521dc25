// @discret/svelte with a real Svelte 5 component (test/Chat.svelte, compiled here by
// svelte/compiler, mounted by Svelte's client runtime on a jsdom document) over a real
// Discret: local writes and a synced peer's appear, and unmounting unsubscribes.
import '../../../tooling/test/jsdom-globals.js';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createCryptoPool, Discret, type LiveQuery, MemoryNetwork, memoryTransport, silentLogger, type Transport } from '@discret/core';
import { queryStore } from '@discret/svelte';
import { readUntil } from '../../core/test/waits.js';

const require = createRequire(import.meta.url);
type Component = unknown;
let mount: (component: Component, options: { target: Element; props: Record<string, unknown> }) => Record<string, unknown>;
let unmount: (instance: Record<string, unknown>) => Promise<void>;
let Chat: Component;
const compiled = join(import.meta.dirname, '.compiled');

beforeAll(async () => {
  // Svelte's client runtime: the package's `browser` entries (Node's conditions pick the server
  // ones), the DOM set-up that compiled components import for its side effect included.
  const svelteDir = dirname(require.resolve('svelte/package.json'));
  const client = (file: string) => import(pathToFileURL(join(svelteDir, file)).href);
  await client('src/internal/init-operations.js');
  ({ mount, unmount } = await client('src/index-client.js'));
  const { compile } = await import('svelte/compiler');
  const { js } = compile(readFileSync(join(import.meta.dirname, 'Chat.svelte'), 'utf8'), { generate: 'client', filename: 'Chat.svelte' });
  mkdirSync(compiled, { recursive: true });
  writeFileSync(join(compiled, 'Chat.js'), js.code);
  Chat = (await import(pathToFileURL(join(compiled, 'Chat.js')).href)).default;
});

const root = mkdtempSync(join(tmpdir(), 'discret-svelte-'));
const pool = createCryptoPool({ parallelism: 1 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(compiled, { recursive: true, force: true });
});
let n = 0;
const open = (transport: Transport | 'none' = 'none', fill = 10) =>
  Discret.open({ dataModel: 'chat { Message { text: String } }', appKey: 'test.svelte', keyMaterial: new Uint8Array(32).fill(fill), dataFolder: join(root, String(n++)), transport, logger: silentLogger, cryptoPool: pool, config: { enableMulticast: false } });
const texts = (element: Element) => [...element.querySelectorAll('li')].map((li) => li.textContent);
const until = (read: () => unknown, want: unknown) => readUntil(async () => JSON.stringify(read()), (v) => v === JSON.stringify(want), 4000);
const write = (app: Discret, text: string) => app.mutate('mutate { chat.Message { room_id: $r text: $t } }', { r: app.privateRoom, t: text });

describe('@discret/svelte', () => {
  test('a mounted component follows local writes, and stops listening when unmounted', async () => {
    const app = await open();
    try {
      await write(app, 'b');
      const target = document.createElement('div');
      document.body.append(target);
      const instance = mount(Chat, { target, props: { app, room: app.privateRoom } });
      await until(() => texts(target), ['b']);
      await write(app, 'a');
      await until(() => texts(target), ['a', 'b']);
      await unmount(instance);
      const live = app.liveQuery('query { m: chat.Message(room_id = $r, order_by(text asc)) { id text } }', { r: app.privateRoom }) as LiveQuery<unknown>;
      const runs = live.runs;
      await write(app, 'c');
      await new Promise((r) => setTimeout(r, 100));
      expect(live.runs).toBe(runs);
    } finally {
      await app.close();
    }
  });

  test("a synced peer's writes appear in the component", async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const a = await open(memoryTransport(net, 'a'), 11);
    const b = await open(memoryTransport(net, 'b'), 11);
    try {
      const target = document.createElement('div');
      const instance = mount(Chat, { target, props: { app: b, room: b.privateRoom } });
      await b.connect(a.addresses()[0]!);
      await write(a, 'from a');
      await until(() => texts(target), ['from a']);
      await unmount(instance);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the store by hand: the current state at once, then one per change; language errors at the call', async () => {
    const app = await open();
    try {
      const store = queryStore<{ m: { text: string }[] }>(app, 'query { m: chat.Message { text } }');
      const seen: string[] = [];
      const stop = store.subscribe((s) => seen.push(s.loading ? 'loading' : s.data!.m.map((m) => m.text).join(',')));
      await readUntil(async () => seen.length, (count) => count >= 2, 4000);
      await write(app, 'x');
      await readUntil(async () => seen.at(-1), (last) => last === 'x', 4000);
      expect(seen).toEqual(['loading', '', 'x']);
      stop();
      expect(() => queryStore(app, 'query {\n m: chat.Mesage { text } }')).toThrow(expect.objectContaining({ code: 'UNKNOWN_ENTITY', line: 2 }));
    } finally {
      await app.close();
    }
  });
});
