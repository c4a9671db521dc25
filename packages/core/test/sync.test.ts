// Peers synchronising through the public API: real SQLCipher files, and real libp2p sockets on
// 127.0.0.1 (or the in-memory network where said). No multicast anywhere.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CryptoPool, Discret, type DiscretEvent, libp2pTransport, MemoryNetwork, memoryTransport, silentLogger, type Transport } from '@discret/core';

const root = mkdtempSync(join(tmpdir(), 'discret-sync-'));
const pool = new CryptoPool({ parallelism: 1 });
afterAll(async () => {
  await pool.close();
  rmSync(root, { recursive: true, force: true });
});
let n = 0;
const MODEL = `chat {
  Thread { title: String, messages: [Message] nullable }
  Message { text: String, author: String nullable }
}`;
const APP = 'test.sync';
const loopback = () => libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });

async function open(keyFill: number, transport: Transport, config = {}) {
  return Discret.open({
    dataModel: MODEL, appKey: APP, keyMaterial: new Uint8Array(32).fill(keyFill), dataFolder: join(root, String(n++)),
    transport, logger: silentLogger, cryptoPool: pool, config,
  });
}

/** Resolves with the first event matching, or rejects after `ms`. */
function next<T extends DiscretEvent['type']>(app: Discret, type: T, match: (e: Extract<DiscretEvent, { type: T }>) => boolean = () => true, ms = 4000) {
  return new Promise<Extract<DiscretEvent, { type: T }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${type} within ${ms} ms`));
    }, ms);
    const stop = app.on(type, (e) => {
      if (!match(e as Extract<DiscretEvent, { type: T }>)) return;
      clearTimeout(timer);
      stop();
      resolve(e as Extract<DiscretEvent, { type: T }>);
    });
  });
}

/** Polls a query on `app` until `ok` (bounded: at most `ms`). */
async function until<T>(app: Discret, read: () => Promise<T>, ok: (v: T) => boolean, ms = 4000): Promise<T> {
  const end = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

const THREADS = 'query { t: chat.Thread(order_by(title asc), nullable(messages)) { title messages(order_by(text asc)) { text author } } }';

describe('two installs of the same user', () => {
  test.each([
    ['libp2p on 127.0.0.1', () => loopback()],
    ['the memory network', (() => {
      const net = new MemoryNetwork({ latencyMs: 1 });
      let i = 0;
      return () => memoryTransport(net, `d${i++}`);
    })()],
  ])('the private room, with nested relations, is identical on both (%s)', async (_name, transport) => {
    const a = await open(7, transport());
    const b = await open(7, transport());
    try {
      await a.mutate('mutate { chat.Thread { room_id: $r title: "plans" messages: [{ text: "one" author: "a" }, { text: "two" }] } }', { r: a.privateRoom });
      await a.mutate('mutate { chat.Thread { room_id: $r title: "later" } }', { r: a.privateRoom });
      const synced = next(b, 'RoomSynchronized', (e) => e.room === a.privateRoom);
      expect(await b.connect(a.addresses()[0]!)).toBe(a.verifyingKey);
      await synced;
      const onA = await a.query(THREADS);
      expect((onA.t as unknown[]).length).toBe(2);
      expect(await until(b, () => b.query(THREADS), (v) => JSON.stringify(v) === JSON.stringify(onA))).toEqual(onA);

      // Live: a write on either side reaches the other without any new connect.
      await b.mutate('mutate { chat.Thread { room_id: $r title: "from b" } }', { r: a.privateRoom });
      const both = await until(a, () => a.query(THREADS), (v) => (v.t as unknown[]).length === 3);
      expect((both.t as { title: string }[]).map((t) => t.title)).toEqual(['from b', 'later', 'plans']);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
