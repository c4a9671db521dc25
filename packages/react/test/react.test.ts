// @discret/react rendering real components (React Testing Library, jsdom) over a real Discret
// (SQLCipher files), under StrictMode: the screen follows local writes and a synced peer's,
// unchanged rows are not rendered again, Suspense waits for the first result, and language
// errors reach an error boundary.
import '../../../tooling/test/jsdom-globals.js';
import { afterAll, describe, expect, test } from '@jest/globals';
import { act, render, waitFor, within } from '@testing-library/react';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Component, createElement as h, memo, type ReactNode, StrictMode, Suspense } from 'react';
import { createCryptoPool, Discret, MemoryNetwork, memoryTransport, silentLogger, type Transport } from '@discret/core';
import { DiscretProvider, useQuery, useSuspenseQuery } from '@discret/react';

const root = mkdtempSync(join(tmpdir(), 'discret-react-'));
const pool = createCryptoPool({ parallelism: 1 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const MODEL = 'chat { Message { text: String } }';
const open = (transport: Transport | 'none' = 'none', fill = 5) =>
  Discret.open({ dataModel: MODEL, appKey: 'test.react', keyMaterial: new Uint8Array(32).fill(fill), dataFolder: join(root, String(n++)), transport, logger: silentLogger, cryptoPool: pool, config: { enableMulticast: false } });

type Messages = { m: { id: string; text: string }[] };
const MESSAGES = 'query { m: chat.Message(room_id = $r, order_by(text asc)) { id text } }';
const renders = new Map<string, number>();

const Row = memo(function Row({ message }: { message: { id: string; text: string } }) {
  renders.set(message.text, (renders.get(message.text) ?? 0) + 1);
  return h('li', null, message.text);
});

function Chat({ room }: { room: string }): ReactNode {
  const { data, loading, error } = useQuery<Messages>(MESSAGES, { r: room });
  if (error) return h('p', null, `error: ${(error as { code?: string }).code}`);
  if (loading) return h('p', null, 'loading');
  return h('ul', null, data!.m.map((message) => h(Row, { key: message.id, message })));
}

function Count({ room }: { room: string }): ReactNode {
  const { m } = useSuspenseQuery<Messages>(MESSAGES, { r: room });
  return h('p', null, `${m.length} message(s)`);
}

let waited = 0;
function Waiting(): ReactNode {
  waited++;
  return h('p', null, 'waiting');
}

class Boundary extends Component<{ children: ReactNode }, { error: unknown }> {
  override state = { error: null as unknown };
  static getDerivedStateFromError(error: unknown) {
    return { error };
  }
  override render() {
    const e = this.state.error as { code?: string; line?: number } | null;
    return e ? h('p', null, `${e.code} at line ${e.line}`) : this.props.children;
  }
}

function Broken(): ReactNode {
  useQuery('query {\n m: chat.Mesage { text } }');
  return null;
}

const inApp = (app: Discret, child: ReactNode) => h(StrictMode, null, h(DiscretProvider, { app }, child));
const write = (app: Discret, text: string) => act(async () => {
  await app.mutate('mutate { chat.Message { room_id: $r text: $t } }', { r: app.privateRoom, t: text });
});
// Testing Library's `screen` binds to the document when it loads, before jsdom-globals made one.
const screen = { get: () => within(document.body) };
const texts = () => screen.get().queryAllByRole('listitem').map((li) => li.textContent);

describe('@discret/react', () => {
  test('the screen follows local writes, and rows that did not change are not rendered again (StrictMode)', async () => {
    const app = await open();
    try {
      await app.mutate('mutate { chat.Message { room_id: $r text: "b" } }', { r: app.privateRoom });
      const view = render(inApp(app, h(Chat, { room: app.privateRoom })));
      await waitFor(() => expect(texts()).toEqual(['b']));
      const bRenders = renders.get('b')!;
      await write(app, 'a');
      await waitFor(() => expect(texts()).toEqual(['a', 'b']));
      await write(app, 'c');
      await waitFor(() => expect(texts()).toEqual(['a', 'b', 'c']));
      // "b" kept its object through both results: memo skipped it.
      expect(renders.get('b')).toBe(bRenders);
      expect(renders.get('a')).toBeGreaterThan(0);
      view.unmount();
    } finally {
      await app.close();
    }
  });

  test("a synced peer's writes appear on screen", async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const a = await open(memoryTransport(net, 'a'), 6);
    const b = await open(memoryTransport(net, 'b'), 6);
    try {
      const view = render(inApp(b, h(Chat, { room: b.privateRoom })));
      await act(async () => {
        await b.connect(a.addresses()[0]!);
      });
      await write(a, 'from a');
      await waitFor(() => expect(texts()).toEqual(['from a']), { timeout: 4000 });
      view.unmount();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('useSuspenseQuery suspends until the first result', async () => {
    const app = await open();
    try {
      await app.mutate('mutate { chat.Message { room_id: $r text: "hello" } }', { r: app.privateRoom });
      waited = 0;
      let view: ReturnType<typeof render> | undefined;
      await act(async () => {
        view = render(inApp(app, h(Suspense, { fallback: h(Waiting) }, h(Count, { room: app.privateRoom }))));
      });
      await waitFor(() => expect(screen.get().getByText('1 message(s)')).toBeTruthy());
      expect(waited).toBeGreaterThan(0); // the first render suspended: no result yet
      view = view!;
      view.unmount();
    } finally {
      await app.close();
    }
  });

  test('a language error reaches the error boundary with its code and line', async () => {
    const app = await open();
    const quiet = console.error;
    console.error = () => {}; // React reports the caught error too
    try {
      const view = render(inApp(app, h(Boundary, null, h(Broken))));
      expect(screen.get().getByText('UNKNOWN_ENTITY at line 2')).toBeTruthy();
      view.unmount();
    } finally {
      console.error = quiet;
      await app.close();
    }
  });
});
