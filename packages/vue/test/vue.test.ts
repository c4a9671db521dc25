// @discret/vue mounting real components (Vue's runtime DOM on a jsdom document) over a real
// Discret (SQLCipher files): the screen follows local writes and a synced peer's, a reactive
// parameter switches the query, unchanged rows keep their objects, and unmounting unsubscribes.
import '../../../tooling/test/jsdom-globals.js';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCryptoPool, Discret, type LiveQuery, MemoryNetwork, memoryTransport, silentLogger, type Transport } from '@discret/core';
import { readUntil } from '../../core/test/waits.js';

// Vue's DOM renderer looks for `document` when it loads: imported after jsdom-globals made one.
let vue: typeof import('vue');
let bindings: typeof import('@discret/vue');
beforeAll(async () => {
  vue = await import('vue');
  bindings = await import('@discret/vue');
});

const root = mkdtempSync(join(tmpdir(), 'discret-vue-'));
const pool = createCryptoPool({ parallelism: 1 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const MODEL = 'chat { Message { text: String, channel: Integer default 0 } }';
const open = (transport: Transport | 'none' = 'none', fill = 8) =>
  Discret.open({ dataModel: MODEL, appKey: 'test.vue', keyMaterial: new Uint8Array(32).fill(fill), dataFolder: join(root, String(n++)), transport, logger: silentLogger, cryptoPool: pool, config: { enableMulticast: false } });
type Messages = { m: { id: string; text: string }[] };
const MESSAGES = 'query { m: chat.Message(room_id = $r, channel = $c, order_by(text asc)) { id text } }';

/** Mounts a list of the room's messages on `channel` (a ref); returns the element and the data ref. */
function mountChat(app: Discret, room: string, channel: { value: number }) {
  const { createApp, defineComponent, h } = vue;
  let seen: { value: Messages | undefined } | undefined;
  const Chat = defineComponent({
    setup() {
      const { data } = bindings.useQuery<Messages>(MESSAGES, () => ({ r: room, c: channel.value }));
      seen = data;
      return () => h('ul', data.value?.m.map((m) => h('li', { key: m.id }, m.text)));
    },
  });
  const element = document.createElement('div');
  document.body.append(element);
  const mounted = createApp(Chat).use(bindings.discretPlugin(app));
  mounted.mount(element);
  return { element, data: () => seen!.value, unmount: () => mounted.unmount() };
}
const texts = (element: HTMLElement) => [...element.querySelectorAll('li')].map((li) => li.textContent);
const until = (read: () => unknown, want: unknown) => readUntil(async () => JSON.stringify(read()), (v) => v === JSON.stringify(want), 4000);

describe('@discret/vue', () => {
  test('the screen follows local writes and a reactive parameter; unchanged rows keep their objects; unmount unsubscribes', async () => {
    const app = await open();
    try {
      await app.mutate('mutate { chat.Message { room_id: $r text: "b" } }', { r: app.privateRoom });
      const channel = vue.ref(0);
      const chat = mountChat(app, app.privateRoom, channel);
      await until(() => texts(chat.element), ['b']);
      const b = chat.data()!.m[0];
      await app.mutate('mutate { chat.Message { room_id: $r text: "a" } }', { r: app.privateRoom });
      await until(() => texts(chat.element), ['a', 'b']);
      expect(chat.data()!.m[1]).toBe(b);
      await app.mutate('mutate { chat.Message { room_id: $r text: "elsewhere" channel: 2 } }', { r: app.privateRoom });
      channel.value = 2;
      await until(() => texts(chat.element), ['elsewhere']);
      const live = app.liveQuery(MESSAGES, { r: app.privateRoom, c: 2 }) as LiveQuery<Messages>;
      chat.unmount();
      const runs = live.runs;
      await app.mutate('mutate { chat.Message { room_id: $r text: "after" channel: 2 } }', { r: app.privateRoom });
      await new Promise((r) => setTimeout(r, 100));
      expect(live.runs).toBe(runs); // nobody listens any more: no re-run
    } finally {
      await app.close();
    }
  });

  test("a synced peer's writes appear on screen", async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const a = await open(memoryTransport(net, 'a'), 9);
    const b = await open(memoryTransport(net, 'b'), 9);
    try {
      const chat = mountChat(b, b.privateRoom, { value: 0 });
      await b.connect(a.addresses()[0]!);
      await a.mutate('mutate { chat.Message { room_id: $r text: "from a" } }', { r: a.privateRoom });
      await until(() => texts(chat.element), ['from a']);
      chat.unmount();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a language error throws in setup, with its code and line', async () => {
    const app = await open();
    try {
      const { createApp, defineComponent } = vue;
      let caught: { code?: string; line?: number } | undefined;
      const Broken = defineComponent({
        setup() {
          bindings.useQuery('query {\n m: chat.Mesage { text } }');
          return () => null;
        },
      });
      const mounted = createApp(Broken).use(bindings.discretPlugin(app));
      mounted.config.errorHandler = (error) => {
        caught = error as typeof caught;
      };
      mounted.config.warnHandler = () => {}; // Vue also warns that the failed setup rendered nothing
      mounted.mount(document.createElement('div'));
      expect(caught).toMatchObject({ code: 'UNKNOWN_ENTITY', line: 2 });
      mounted.unmount();
    } finally {
      await app.close();
    }
  });
});
