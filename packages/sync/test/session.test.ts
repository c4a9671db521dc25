// One connection's sync session (session.ts and its roles: requester, responder, puller,
// fetcher) over the in-memory transport, with hosts that keep a room in a map (map-host.ts):
// the handshake, the first pull of an empty side, reconciliation, the live path, refusals,
// both sides pulling at once, and a peer that breaks the protocol.
import { describe, expect, test } from '@jest/globals';
import { SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { MessageChannel } from '@discret/sync';
import { hostPair, MapHost, ROOM } from './map-host.js';

/** Two users' services on one in-memory network, each with its map host. */
const pair = (options: { latencyMs?: number } = {}) => hostPair((user) => new MapHost(user), options);

/** Waits (bounded) until `done()` holds. */
async function until(done: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error(`not done within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a sync session', () => {
  test('handshake, then an empty side gets the room by pages and a side with some reconciles the rest', async () => {
    const { a, b, stop } = await pair();
    try {
      for (let i = 0; i < 300; i++) a.write(`a${i}`);
      // b holds nothing: it streams the room (fetchAll), no item sets exchanged.
      expect(await b.service.connect('memory:a')).not.toBeNull();
      await until(() => b.rows.size === 300);
      expect(b.digest()).toBe(a.digest());
      // Both write apart, then meet again: reconciliation finds the difference both ways.
      for (let i = 0; i < 20; i++) a.write(`later a${i}`);
      for (let i = 0; i < 7; i++) b.write(`later b${i}`);
      await until(() => a.rows.size === 327 && b.rows.size === 327);
      expect(b.digest()).toBe(a.digest());
    } finally {
      await stop();
    }
  });

  test('the live path: one new row costs one frame (a notice, not answered, that carries the row)', async () => {
    const { net, a, b, stop } = await pair({ latencyMs: 1 });
    try {
      for (let i = 0; i < 50; i++) a.write(`t${i}`);
      await b.service.connect('memory:a');
      await until(() => b.rows.size === 50);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = net.stats.writes;
      a.write('live');
      await until(() => b.rows.size === 51);
      await new Promise((resolve) => setTimeout(resolve, 200)); // an echo back would show here
      expect(net.stats.writes - before).toBe(1);
    } finally {
      await stop();
    }
  });

  test('a remote the host refuses: neither side syncs, the connection closes', async () => {
    const { a, b, stop } = await pair();
    try {
      a.write('secret');
      a.admission = { allowed: false, reason: 'not invited' };
      expect(await b.service.connect('memory:a')).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(b.rows.size).toBe(0);
      expect(a.service.peers()).toEqual([]);
    } finally {
      await stop();
    }
  });

  test('a room that is not shared is neither listed nor sent; once shared, new rows come live', async () => {
    const { a, b, stop } = await pair();
    try {
      a.write('only for members');
      a.shared = []; // b may read nothing of a
      expect(await b.service.connect('memory:a')).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(b.rows.size).toBe(0);
      // The connection stays: a refused request is an answer, not a fault.
      expect(b.service.peers()).toHaveLength(1);
      a.shared = [ROOM];
      a.write('now shared');
      await until(() => b.rows.size === 1);
      expect([...b.rows.values()].map((r) => JSON.parse(r.json!).text)).toEqual(['now shared']);
    } finally {
      await stop();
    }
  });

  test('both sides pulling the same room at once: one goes first, the other retries, both end equal', async () => {
    const { a, b, stop } = await pair({ latencyMs: 1 });
    try {
      for (let i = 0; i < 400; i++) a.write(`a${i}`);
      for (let i = 0; i < 300; i++) b.write(`b${i}`);
      await Promise.all([a.service.connect('memory:b'), b.service.connect('memory:a')]);
      await until(() => a.rows.size === 700 && b.rows.size === 700, 10_000);
      expect(a.digest()).toBe(b.digest());
    } finally {
      await stop();
    }
  });

  test('a peer that sends a malformed request is dropped (PROTOCOL), and the next connection works', async () => {
    const { net, a, b, stop } = await pair();
    try {
      a.write('x');
      const raw = net.transport('raw');
      await raw.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
      const connection = await raw.dial('memory:a');
      const closed = new Promise<void>((resolve) => connection.onClose(resolve));
      const channel = new MessageChannel(await connection.openStream(), { logger: silentLogger });
      await channel.send({ type: 'hello', body: { challenge: new Uint8Array(5), invites: [] } });
      await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('not dropped within 2 s')), 2000))]);
      await raw.stop();
      expect(await b.service.connect('memory:a')).not.toBeNull();
      await until(() => b.rows.size === 1);
    } finally {
      await stop();
    }
  });
});
