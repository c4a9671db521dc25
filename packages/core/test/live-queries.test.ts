// Live queries through the public API on real SQLCipher files: the first result, one new
// result per change, re-runs only for writes that could change the result (entity, room),
// unchanged rows keeping their objects, language errors at the call, writes received by sync.
import { describe, expect, test } from '@jest/globals';
import { join } from 'node:path';
import { Discret, type LiveQuery, MemoryNetwork, memoryTransport, silentLogger, type Transport } from '@discret/core';
import { nextEvent, readUntil } from './waits.js';
import { scratch } from './scratch.js';

const { root, pool } = scratch('discret-live-');
let n = 0;
const MODEL = `chat {
  Thread { title: String, messages: [Message] nullable }
  Message { text: String }
  Draft { text: String }
}`;
const open = (keyFill = 3, transport: Transport | 'none' = 'none') =>
  Discret.open({ dataModel: MODEL, appKey: 'test.live', keyMaterial: new Uint8Array(32).fill(keyFill), dataFolder: join(root, String(n++)), transport, logger: silentLogger, cryptoPool: pool, config: { enableMulticast: false } });

type Threads = { t: { id: string; title: string }[] };
const THREADS = 'query { t: chat.Thread(room_id = $r, order_by(title asc)) { id title } }';

/** Resolves when `live` has been announced `count` more times, or rejects after `ms`. */
function announced<T>(live: LiveQuery<T>, count = 1, ms = 4000): Promise<T> {
  return new Promise((resolve, reject) => {
    let seen = 0;
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`${seen} of ${count} announcements in ${ms} ms`));
    }, ms);
    const stop = live.subscribe(() => {
      if (++seen < count) return;
      clearTimeout(timer);
      stop();
      resolve(live.current!);
    });
  });
}
const settle = () => new Promise((r) => setTimeout(r, 100));

describe('live queries', () => {
  test('watch(): the current result first, then one per change, and it ends when the signal aborts', async () => {
    const app = await open();
    try {
      await app.mutate('mutate { chat.Thread { room_id: $r title: "a" } }', { r: app.privateRoom });
      const abort = new AbortController();
      const seen: string[][] = [];
      const reader = (async () => {
        for await (const result of app.watch<Threads>(THREADS, { r: app.privateRoom }, { signal: abort.signal })) {
          seen.push(result.t.map((t) => t.title));
          if (seen.length === 1) await app.mutate('mutate { chat.Thread { room_id: $r title: "b" } }', { r: app.privateRoom });
          if (seen.length === 2) abort.abort();
        }
      })();
      await reader;
      expect(seen).toEqual([['a'], ['a', 'b']]);
    } finally {
      await app.close();
    }
  });

  test('a write to another entity, or to another room, re-runs nothing; one to the entity read does', async () => {
    const app = await open();
    try {
      const other = await app.mutate<{ r: { id: string } }>(
        'mutate { r: sys.Room { admin: [{ verif_key: $me }] authorisations: [{ name: "w" rights: [{ entity: "chat.Thread" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }] } }',
        { me: app.verifyingKey },
      );
      const live = app.liveQuery<Threads>(THREADS, { r: app.privateRoom });
      const stop = live.subscribe(() => {});
      await live.ready;
      await settle();
      const runs = live.runs;
      await app.mutate('mutate { chat.Message { room_id: $r text: "unrelated entity" } }', { r: app.privateRoom });
      await app.mutate('mutate { chat.Draft { text: "local data" } }');
      await app.mutate('mutate { chat.Thread { room_id: $r title: "another room" } }', { r: other.r.id });
      await settle();
      expect(live.runs).toBe(runs);
      const next = announced(live);
      await app.mutate('mutate { chat.Thread { room_id: $r title: "mine" } }', { r: app.privateRoom });
      expect((await next).t.map((t) => t.title)).toEqual(['mine']);
      expect(live.runs).toBe(runs + 1);
      stop();
    } finally {
      await app.close();
    }
  });

  test('nested relations and local data wake the queries that read them', async () => {
    const app = await open();
    try {
      const nested = app.liveQuery<{ t: { messages: { text: string }[] }[] }>('query { t: chat.Thread(nullable(messages)) { messages { text } } }');
      const drafts = app.liveQuery<{ d: { text: string }[] }>('query { d: chat.Draft { text } }');
      // Subscribed: a live query nobody listens to does not re-run (it catches up when subscribed).
      const stops = [nested.subscribe(() => {}), drafts.subscribe(() => {})];
      const { t } = await app.mutate<{ t: { id: string } }>('mutate { t: chat.Thread { room_id: $r title: "x" } }', { r: app.privateRoom });
      await readUntil(async () => nested.current?.t.length ?? 0, (count) => count === 1, 4000);
      await drafts.ready;
      const message = announced(nested);
      await app.mutate('mutate { chat.Thread { id: $t messages: [{ room_id: $r text: "hello" }] } }', { t: t.id, r: app.privateRoom });
      expect((await message).t[0]!.messages.map((m) => m.text)).toEqual(['hello']);
      const draft = announced(drafts);
      await app.mutate('mutate { chat.Draft { text: "note" } }');
      expect((await draft).d.map((d) => d.text)).toEqual(['note']);
      for (const stop of stops) stop();
    } finally {
      await app.close();
    }
  });

  test('rows that did not change keep their objects; an unchanged result is not announced', async () => {
    const app = await open();
    try {
      await app.mutate('mutate { chat.Thread { room_id: $r title: "b" } }', { r: app.privateRoom });
      const live = app.liveQuery<Threads>(THREADS, { r: app.privateRoom });
      const before = await live.ready;
      const next = announced(live);
      await app.mutate('mutate { chat.Thread { room_id: $r title: "a" } }', { r: app.privateRoom });
      const after = await next;
      expect(after.t.map((t) => t.title)).toEqual(['a', 'b']);
      expect(after.t[1]).toBe(before.t[0]); // "b", moved by the sort, is the same object
      // A write the query reads but whose result is the same: re-run, not announced.
      let calls = 0;
      const stop = live.subscribe(() => calls++);
      const runs = live.runs;
      await app.mutate('mutate { chat.Thread { id: $id title: "a" } }', { id: after.t[0]!.id });
      await readUntil(async () => live.runs, (r) => r > runs, 4000);
      await settle();
      expect(calls).toBe(0);
      expect(live.current).toBe(after);
      stop();
    } finally {
      await app.close();
    }
  });

  test('the same text and parameters share one evaluation; language errors throw at the call with a position', async () => {
    const app = await open();
    try {
      const one = app.liveQuery(THREADS, { r: app.privateRoom });
      expect(app.liveQuery(THREADS, { r: app.privateRoom })).toBe(one);
      expect(app.liveQuery(THREADS, { r: 'AAAAAAAAAAAAAAAAAAAAAA' })).not.toBe(one);
      expect(() => app.liveQuery('query {\n  t: chat.Thred { title } }')).toThrow(expect.objectContaining({ code: 'UNKNOWN_ENTITY', line: 2 }));
      expect(() => app.watch('query { t: chat.Thread(room_id = $r) { title } }')).toThrow(expect.objectContaining({ code: 'MISSING_PARAMETER' }));
    } finally {
      await app.close();
    }
    expect(() => app.liveQuery(THREADS)).toThrow(expect.objectContaining({ code: 'CLOSED' }));
  });

  test('closing the app ends watch() iterators', async () => {
    const app = await open();
    const reading = (async () => {
      let count = 0;
      for await (const _ of app.watch(THREADS, { r: app.privateRoom })) count++;
      return count;
    })();
    await settle();
    await app.close();
    expect(await reading).toBe(1);
  });

  test("a peer's writes received by sync reach the live query", async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const a = await open(9, memoryTransport(net, 'a'));
    const b = await open(9, memoryTransport(net, 'b'));
    try {
      const live = b.liveQuery<Threads>(THREADS, { r: b.privateRoom });
      const stop = live.subscribe(() => {});
      await live.ready;
      const synced = nextEvent(b, 'RoomSynchronized', (e) => e.room === b.privateRoom, 4000);
      await b.connect(a.addresses()[0]!);
      await synced;
      await a.mutate('mutate { chat.Thread { room_id: $r title: "from a" } }', { r: a.privateRoom });
      const seen = await readUntil(async () => live.current!, (v) => v.t.length === 1, 4000);
      expect(seen.t[0]!.title).toBe('from a');
      stop();
    } finally {
      await a.close();
      await b.close();
    }
  });

  test("a row the filters exclude, before and after the write, re-runs nothing; one entering or leaving them does", async () => {
    const app = await open();
    try {
      const live = app.liveQuery<{ m: { text: string }[] }>('query { m: chat.Message(room_id = $r, text = "mine") { text } }', { r: app.privateRoom });
      const stop = live.subscribe(() => {});
      await live.ready;
      await settle();
      const runs = live.runs;
      const { m } = await app.mutate<{ m: { id: string } }>('mutate { m: chat.Message { room_id: $r text: "other" } }', { r: app.privateRoom });
      await app.mutate('mutate { chat.Message { id: $id text: "still other" } }', { id: m.id });
      await settle();
      expect(live.runs).toBe(runs);
      const entered = announced(live);
      await app.mutate('mutate { chat.Message { id: $id text: "mine" } }', { id: m.id });
      expect((await entered).m).toEqual([{ text: 'mine' }]);
      const left = announced(live);
      await app.mutate('mutate { chat.Message { id: $id text: "not mine any more" } }', { id: m.id });
      expect((await left).m).toEqual([]);
      const unchanged = live.runs;
      await app.mutate('mutate { chat.Message { id: $id text: "not mine any more" } }', { id: m.id }); // the same value again
      await settle();
      expect(live.runs).toBe(unchanged);
      const deleted = live.runs;
      await app.delete('delete { chat.Message { $id } }', { id: m.id });
      await settle();
      expect(live.runs).toBe(deleted); // it was not in the filter when deleted
      stop();
    } finally {
      await app.close();
    }
  });

  test('a pull of 10,000 rows in several commits gives the live query one new result, with all of them', async () => {
    const net = new MemoryNetwork({ latencyMs: 1 });
    const a = await open(12, memoryTransport(net, 'a'));
    const b = await open(12, memoryTransport(net, 'b'));
    try {
      for (let first = 0; first < 10_000; first += 5_000) {
        await a.mutateMany('mutate { chat.Message { room_id: $r text: $t } }', Array.from({ length: 5_000 }, (_, i) => ({ r: a.privateRoom, t: `m${first + i}` })));
      }
      const live = b.liveQuery<{ m: { n: number }[] }>('query { m: chat.Message(room_id = $r) { n: count() } }', { r: b.privateRoom });
      const results: number[] = [];
      const stop = live.subscribe(() => results.push(live.current!.m[0]?.n ?? 0));
      await live.ready;
      await settle();
      results.length = 0;
      const synced = nextEvent(b, 'RoomSynchronized', (e) => e.room === b.privateRoom, 30_000);
      let commits = 0;
      const counting = b.on('DataChanged', () => commits++);
      await b.connect(a.addresses()[0]!);
      await synced;
      await readUntil(async () => results.length, (count) => count > 0, 4000);
      await settle();
      expect(commits).toBeGreaterThan(1); // the pull wrote in several commits...
      expect(results).toEqual([10_000]); // ...and the query heard once, with every row
      counting();
      stop();
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);
});
