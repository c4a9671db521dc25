// 200 peers in one room on the in-memory network: each connected to a few random others, all
// writing concurrently while random partitions cut and heal the network, for a bounded time.
// Then the network heals for good and every peer must end with the same room digest. The
// peers run the real sync sessions and services; only the database is an in-memory map
// (newest version wins, as the store's import does), so hundreds fit in one test.
import { describe, expect, test } from '@jest/globals';
import { SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { MemoryNetwork, SyncService } from '@discret/sync';
import { MapHost, random } from './map-host.js';

const PEERS = 200;
const LINKS = 3;

describe('simulation', () => {
  test(`${PEERS} peers in one room converge after random partitions and concurrent writes`, async () => {
    const rand = random(42);
    const net = new MemoryNetwork({ latencyMs: 1 });
    const user = SigningKey.generate();
    const names = Array.from({ length: PEERS }, (_, i) => `p${i}`);
    const hosts = names.map(() => new MapHost(user));
    await Promise.all(names.map(async (name, i) => {
      hosts[i]!.service = new SyncService({ transport: net.transport(name), host: hosts[i]!, deviceKey: SigningKey.generate(), logger: silentLogger, limits: { requestTimeoutMs: 5000 } });
      await hosts[i]!.service.start();
    }));
    // Each peer dials a few random others: a connected random graph (a ring keeps it connected).
    const links: [number, number][] = [];
    for (let i = 0; i < PEERS; i++) {
      links.push([i, (i + 1) % PEERS]);
      for (let k = 1; k < LINKS; k++) links.push([i, Math.floor(rand() * PEERS)]);
    }
    const connectAll = () => Promise.all(links.filter(([i, j]) => i !== j).map(([i, j]) => hosts[i]!.service.connect(`memory:${names[j]}`).catch(() => null)));
    try {
      await connectAll();
      const before = { ...net.stats };
      let writes = 0;
      // Chaos, bounded: 8 rounds of writes by random peers, with a random partition in half of them.
      for (let round = 0; round < 8; round++) {
        const cut = round % 2 === 0;
        if (cut) {
          const side = names.filter(() => rand() < 0.5);
          net.partition(side, names.filter((n) => !side.includes(n)));
        }
        for (let w = 0; w < 10; w++) {
          hosts[Math.floor(rand() * PEERS)]!.write(`round ${round} write ${w}`);
          writes++;
        }
        await new Promise((r) => setTimeout(r, 50));
        if (cut) {
          net.heal();
          await connectAll();
        }
      }
      // Converge: everyone reconnected; wait (bounded) until all digests agree.
      await connectAll();
      const deadline = Date.now() + 60_000;
      let distinct = new Set(hosts.map((h) => h.digest()));
      while (distinct.size > 1 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        distinct = new Set(hosts.map((h) => h.digest()));
      }
      expect(distinct.size).toBe(1);
      expect(hosts[0]!.rows.size).toBe(writes);
      const frames = net.stats.writes - before.writes;
      const bytes = net.stats.bytes - before.bytes;
      console.log(`${PEERS} peers, ${writes} writes: ${frames} frames (${(frames / writes / PEERS).toFixed(1)} per write per peer), ${(bytes / 1024).toFixed(0)} KiB`);

      // Then the flood itself, on the healed network: writes one at a time, each reaching
      // every peer before the next. What each costs is the live path alone.
      const steady = { ...net.stats };
      const ONE_BY_ONE = 10;
      for (let w = 0; w < ONE_BY_ONE; w++) {
        hosts[Math.floor(rand() * PEERS)]!.write(`one by one ${w}`);
        const end = Date.now() + 10_000;
        while (hosts.some((h) => h.rows.size < writes + w + 1) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      }
      expect(hosts.every((h) => h.rows.size === writes + ONE_BY_ONE)).toBe(true);
      await new Promise((r) => setTimeout(r, 200)); // the last notices
      const perWrite = (net.stats.writes - steady.writes) / ONE_BY_ONE / PEERS;
      console.log(`${PEERS} peers, one write at a time: ${perWrite.toFixed(2)} frames and ${((net.stats.bytes - steady.bytes) / ONE_BY_ONE / PEERS).toFixed(0)} bytes per write per peer`);
      // A bound that catches a regression of the flood (pnpm bench reports the figure).
      expect(perWrite).toBeLessThan(8);
    } finally {
      await Promise.all(hosts.map((h) => h.service.stop()));
    }
  }, 120_000);
});
