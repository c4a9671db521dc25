// One write at a time in a room of many peers on the in-memory network: every write reaches
// every peer, and links whose notices keep bringing only what a peer already holds go off the
// eager path (PeerSession.lazy), so a write costs fewer frames than flooding every link
// (flooding measured 3.5-3.7 frames per write per peer here; the lazy links 2.5-2.9).
import { describe, expect, test } from '@jest/globals';
import { SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { MemoryNetwork, SyncService } from '@discret/sync';
import { MapHost, random } from './map-host.js';

const PEERS = 50;
const WRITES = 30;

describe('gossip', () => {
  test(`${PEERS} peers, ${WRITES} writes one at a time: each reaches every peer, at most 3 frames per write per peer`, async () => {
    const rand = random(11);
    const net = new MemoryNetwork({ latencyMs: 1 });
    const user = SigningKey.generate();
    const hosts = Array.from({ length: PEERS }, () => new MapHost(user));
    await Promise.all(hosts.map(async (host, i) => {
      host.service = new SyncService({ transport: net.transport(`p${i}`), host, deviceKey: SigningKey.generate(), logger: silentLogger, limits: { requestTimeoutMs: 5000 } });
      await host.service.start();
    }));
    try {
      // A ring (connected) plus two random links per peer.
      const links: [number, number][] = [];
      for (let i = 0; i < PEERS; i++) links.push([i, (i + 1) % PEERS], [i, Math.floor(rand() * PEERS)], [i, Math.floor(rand() * PEERS)]);
      await Promise.all(links.filter(([i, j]) => i !== j).map(([i, j]) => hosts[i]!.service.connect(`memory:p${j}`).catch(() => null)));
      // Each write must reach every peer within 10 s (a lazy link delivers within 1.5 s).
      const settle = async (count: number) => {
        const end = Date.now() + 10_000;
        while (hosts.some((h) => h.rows.size < count) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
        expect(hosts.filter((h) => h.rows.size < count).length).toBe(0);
      };
      hosts[0]!.write('first');
      await settle(1);
      const before = net.stats.writes;
      for (let w = 0; w < WRITES; w++) {
        hosts[Math.floor(rand() * PEERS)]!.write(`write ${w}`);
        await settle(w + 2);
      }
      await new Promise((r) => setTimeout(r, 1600)); // the lazy notices still waiting go out
      const frames = (net.stats.writes - before) / WRITES / PEERS;
      expect(frames).toBeLessThanOrEqual(3);
      expect(frames).toBeGreaterThan(0.9); // every peer was told at least once per write
    } finally {
      await Promise.all(hosts.map((h) => h.service.stop()));
    }
  }, 120_000);
});
