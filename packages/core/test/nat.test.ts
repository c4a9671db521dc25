// Two homes behind NAT routers (iptables MASQUERADE plus a home router's firewall, inside
// network namespaces this test creates and removes) and a beacon on the "internet" between them.
// The homes have no route to each other's private network: the users meet through the beacon.
// Behind port-preserving NATs, WebRTC (ICE with the beacon's STUN server) connects them
// directly; behind address-dependent ones (`--random-fully`) it cannot, and they sync through
// the beacon's relay.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { natTopology, stopAll } from './netns.js';
import { natPeer } from './fixtures/nat-peers.js';

const root = mkdtempSync(join(tmpdir(), 'discret-nat-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('through NAT routers (namespaces made by the test)', () => {
  test.each([
    ['port-preserving NAT (MASQUERADE): directly, by WebRTC', false, 'direct'],
    ['address-dependent NAT (MASQUERADE --random-fully): through the beacon relay', true, 'relayed'],
  ])('%s', async (_name, randomFully, path) => {
    const net = natTopology(randomFully);
    const started = natPeer(net, root, `${randomFully}`);
    try {
      const { invitee } = await started.pair('inviter', 'invitee', 'through the NAT');
      expect(await invitee.line(/^synced /)).toBe('synced [{"text":"through the NAT"}]');
      const connections = JSON.parse((await invitee.line(/^connections /)).slice('connections '.length)) as { address: string; path: string }[];
      expect(connections.length).toBeGreaterThan(0);
      // the homes cannot reach each other's private addresses: the path is WebRTC or the relay
      expect(connections.map((c) => c.path)).toEqual(connections.map(() => path));
      if (path === 'direct') expect(connections.every((c) => c.address.includes('/webrtc'))).toBe(true);
    } finally {
      await stopAll(started.children);
      net.remove();
    }
  }, 120_000);
});
