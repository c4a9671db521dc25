// An admitted peer floods an honest one with requests over real libp2p sockets on 127.0.0.1:
// six connections (device keys of one invited user), each sending 200 requests for a full
// answer of records without reading any answer, and one more asking as fast as it can while
// reading. (Before requests that come ahead of their answer were refused, this held 600 MiB
// of buffers in A in some runs, and A acknowledged a local write 10 s late.) The honest peer A and an honest member C run in their own processes, so the memory
// measured is A's own and the hostile peer (this process) cannot slow them down. A must drop
// the connections that do not read, in time; its memory stays bounded; and C keeps receiving
// A's writes meanwhile.
import { describe, expect, test } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SigningKey } from '@discret/crypto';
import { Discret, libp2pTransport, silentLogger } from '@discret/core';
import { SyncService } from '@discret/sync';
import type { DiscretComponents } from '../src/components.js';
import { DiscretSyncHost } from '../src/sync-host.js';
import { nextEvent, within } from './waits.js';
import { scratch } from './scratch.js';

const { root, pool } = scratch('discret-flood-');
const MiB = 2 ** 20;
/** Connections that ask and never read, and how many pages each asks for. */
const FLOODING = 6;
const ASKED = 200;
const loopback = () => libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });

/** An honest peer's process: `ask` sends a command and resolves with the words of the answer line that starts with `reply`. */
function honestPeer(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [join(import.meta.dirname, 'fixtures', 'flood-peer.ts'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const waiting: { prefix: string; resolve: (words: string[]) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const at = waiting.findIndex((w) => line.startsWith(`${w.prefix} `));
    if (at >= 0) waiting.splice(at, 1)[0]!.resolve(line.split(' ').slice(1));
  });
  const next = (prefix: string) => within(new Promise<string[]>((resolve) => waiting.push({ prefix, resolve })), 60_000, `no "${prefix}" from ${args[0]}`);
  const ask = (command: string, prefix: string) => {
    const answer = next(prefix);
    child.stdin!.write(`${command}\n`);
    return answer;
  };
  const stop = async () => {
    child.stdin!.end();
    await within(new Promise((resolve) => child.once('exit', resolve)), 10_000, 'an honest peer did not exit').catch(() => child.kill('SIGKILL'));
  };
  return { next, ask, stop };
}

/** One hostile connection of B: its own device key, B's user key, B's data answering. */
async function hostileConnection(b: Discret, address: string) {
  const parts = (b as unknown as { parts: DiscretComponents }).parts;
  const host = new DiscretSyncHost(parts, { autoAcceptLocalDevice: true, autoAllowNewPeers: false }, silentLogger);
  const service = new SyncService({ transport: loopback(), host, deviceKey: SigningKey.generate(), logger: silentLogger });
  await service.start();
  // libp2p refuses new inbound connections past a rate per address: a refused dial is tried
  // again a little later (10 tries at most).
  let remote = null;
  for (let tries = 0; remote === null && tries < 10; tries++) {
    remote = await service.connect(address).catch(async (error: { code?: string }) => {
      if (error.code !== 'DIAL_FAILED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 300));
      return null;
    });
  }
  expect(remote).not.toBeNull();
  const [session] = (service as unknown as { sessions: Set<{ connection: { onClose(f: () => void): void } }> }).sessions;
  // The session's own requester (sync's requester.ts): its channel, to send without reading.
  const inner = (session as unknown as {
    requester_: { channel: { send(message: { type: string; body: unknown }): Promise<void> }; request(type: string, body: unknown): Promise<unknown> };
  }).requester_;
  const closed = new Promise<void>((resolve) => session!.connection.onClose(resolve));
  return { service, inner, closed };
}

/** Asks `peer` whether it holds the thread `title`, every 100 ms for at most `ms`. */
async function holds(peer: ReturnType<typeof honestPeer>, title: string, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  do {
    if ((await peer.ask(`has ${title}`, 'has'))[0] === '1') return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  } while (Date.now() < end);
  return false;
}

describe('a flood of requests from an admitted peer', () => {
  test('connections that never read are dropped in time, memory stays bounded, and honest sync goes on', async () => {
    const a = honestPeer([join(root, 'a')]);
    const [address, room] = (await a.next('ready')) as [string, string];
    const c = honestPeer([join(root, 'c'), address, (await a.ask('invite', 'invite'))[0]!]);
    const b = await Discret.open({ transport: 'none',
      dataModel: 'chat { Thread { title: String } }', appKey: 'test.flood', keyMaterial: new Uint8Array(32).fill(42), dataFolder: join(root, 'b'),
      cryptoPool: pool, logger: silentLogger, config: { enableMulticast: false },
    });
    const hostile: Awaited<ReturnType<typeof hostileConnection>>[] = [];
    try {
      expect(await c.next('ready')).toEqual([room]);
      await b.acceptInvite((await a.ask('invite', 'invite'))[0]!);
      const bSynced = nextEvent(b, 'RoomSynchronized', (e) => e.room === room, 60_000);
      hostile.push(await hostileConnection(b, address)); // uses the invite, then syncs honestly once
      await bSynced;
      for (let i = 0; i < FLOODING; i++) hostile.push(await hostileConnection(b, address));
      const [rssBefore] = (await a.ask('rss', 'rss')).map(Number) as [number];

      // FLOODING connections ask ASKED full pages of records each and never read; one more asks
      // and reads as fast as it can, 50 times.
      const fetchAll = { type: 'fetchAll', body: { room, phase: 'data', cursor: null } };
      for (const { inner } of hostile.slice(1)) for (let i = 0; i < ASKED; i++) void inner.channel.send(fetchAll).catch(() => {});
      const reader = (async () => {
        let pages = 0;
        for (let i = 0; i < 50; i++) {
          if (!(await hostile[0]!.inner.request('fetchAll', fetchAll.body).catch(() => null))) break;
          pages++;
        }
        return pages;
      })();

      // The honest member still gets A's writes during the flood.
      await a.ask('write during the flood', 'ack');
      expect(await holds(c, 'during the flood', 20_000)).toBe(true);
      // Each connection that asks ahead of its answers is dropped at its first answer.
      await within(Promise.all(hostile.slice(1).map((h) => h.closed)), 20_000, 'a connection that never reads was not dropped in 20 s');
      expect(await reader).toBeGreaterThan(0);
      const [, peak] = (await a.ask('rss', 'rss')).map(Number) as [number, number];
      // Bounded: the pages asked for (about 0.75 MiB each, 900 MiB if they were all held) cost
      // A less than this.
      expect(peak - rssBefore).toBeLessThan(250 * MiB);
      await a.ask('write after the flood', 'ack');
      expect(await holds(c, 'after the flood', 20_000)).toBe(true);
    } finally {
      await Promise.all(hostile.map((h) => h.service.stop()));
      await b.close();
      await Promise.all([a.stop(), c.stop()]);
    }
  });
});
