// Live sync across two NAT routers for more than two minutes and 128 KiB (the circuit relay's
// default limits, which the beacon lifts): 14 writes of 20 KiB, one every 10 s, each seen by the
// other home before the next one, over one connection all along. Behind port-preserving NATs
// that connection is direct (WebRTC); behind address-dependent ones it is the beacon's relay.
// A file of its own so that jest runs it beside the rest: it mostly waits.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natTopology, stopAll } from './netns.js';
import { natPeer } from './fixtures/nat-peers.js';

const root = mkdtempSync(join(tmpdir(), 'discret-nat-live-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('live sync through NAT routers (namespaces made by the test)', () => {
  test.each([
    ['port-preserving NAT: over one direct WebRTC connection', false, 'direct'],
    ['address-dependent NAT: over one relayed connection, past the relay defaults', true, 'relayed'],
  ])('%s, for over two minutes and 280 KiB', async (_name, randomFully, path) => {
    const net = natTopology(randomFully);
    const started = natPeer(net, root, `live-${randomFully}`);
    try {
      const { invitee } = await started.pair('live-inviter', 'live-invitee', 'first note');
      const done = JSON.parse((await invitee.line(/^done /, 200_000)).slice('done '.length)) as { connects: number; seconds: number; connections: { address: string; path: string }[] };
      // every write arrived on its own, before the next one was made: the sync was live all along
      const counts = (await invitee.lines()).filter((l) => l.startsWith('count ')).map((l) => Number(l.slice(6)));
      expect(counts).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(done.seconds).toBeGreaterThan(125);
      expect(done.connects).toBe(0); // the same connection all along
      expect(done.connections.length).toBeGreaterThan(0);
      expect(done.connections.map((c) => c.path)).toEqual(done.connections.map(() => path));
    } finally {
      await stopAll(started.children);
      net.remove();
    }
  }, 240_000);
});
