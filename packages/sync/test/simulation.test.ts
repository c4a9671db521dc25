// 200 peers in one room on the in-memory network: each connected to a few random others, all
// writing concurrently while random partitions cut and heal the network, for a bounded time.
// Then the network heals for good and every peer must end with the same room digest. The
// peers run the real sync sessions and services; only the database is an in-memory map
// (newest version wins, as the store's import does), so hundreds fit in one test.
import { describe, expect, test } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { base64url, SigningKey, uid } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import type { NodeRecord, RecordBatch, RecordRef, RoomItem } from '@discret/store';
import { type HostImportReport, MemoryNetwork, proveIdentity, type RemotePeer, type SyncHost, type SyncPhase, SyncService } from '@discret/sync';

const ROOM = 'ROOM';
const PEERS = 200;
const LINKS = 3;

/** A peer's database: the room's rows in a map, newest version kept. */
class MapHost implements SyncHost {
  readonly rows = new Map<string, NodeRecord>();
  service!: SyncService;
  private readonly peer: NodeRecord;

  constructor(private readonly user: SigningKey) {
    this.peer = { id: uid(), roomId: null, entity: 'peer', cdate: 0, mdate: 0, json: null, binary: null, verifyingKey: user.publicKey, signature: new Uint8Array(64) };
  }

  write(text: string): void {
    const now = Date.now();
    const id = uid(now);
    const r = { id, roomId: null, entity: 'note', cdate: now, mdate: now, json: JSON.stringify({ text }), binary: null, verifyingKey: this.user.publicKey, signature: randomBytes(64) };
    this.keep(r);
    this.service.roomsChanged([ROOM], undefined, new Map([[ROOM, [item(r)]]]));
  }

  /** Newest mdate wins; at the same millisecond the larger signature. */
  private keep(r: NodeRecord): boolean {
    const key = base64url(r.id);
    const old = this.rows.get(key);
    if (old && (old.mdate > r.mdate || (old.mdate === r.mdate && Buffer.compare(old.signature, r.signature) >= 0))) return false;
    this.rows.set(key, r);
    return true;
  }

  digest(): string {
    const h = createHash('sha256');
    for (const key of [...this.rows.keys()].sort()) h.update(key).update(this.rows.get(key)!.signature);
    return h.digest('hex');
  }

  proveIdentity(challenge: Uint8Array, prover: Uint8Array, verifier: Uint8Array) {
    return proveIdentity(this.user, challenge, prover, verifier);
  }
  async peerRecord() {
    return this.peer;
  }
  async inviteClaims() {
    return [];
  }
  async admit() {
    return { allowed: true } as const;
  }
  async hasRoom() {
    return true;
  }
  async roomsFor() {
    return [ROOM];
  }
  async items(_room: string, phase: SyncPhase): Promise<RoomItem[]> {
    if (phase === 'definition') return [];
    return [...this.rows.values()].map(item);
  }
  phaseOf(): SyncPhase {
    return 'data';
  }
  async lacks(_room: string, items: RoomItem[]) {
    return items.filter((it) => it.ref.kind === 'node' && (this.rows.get(base64url(it.ref.id))?.mdate ?? -1) < it.date);
  }
  async countItems() {
    return this.rows.size;
  }
  async page(_room: string, phase: SyncPhase) {
    // A test database: the whole room in one page.
    return { batch: { nodes: phase === 'data' ? [...this.rows.values()] : [], edges: [], nodeDeletions: [], edgeDeletions: [] }, next: null };
  }
  async read(_room: string, refs: readonly RecordRef[]): Promise<Required<RecordBatch>> {
    const nodes = refs.flatMap((ref) => (ref.kind === 'node' ? [this.rows.get(base64url(ref.id))].filter((r): r is NodeRecord => r !== undefined) : []));
    return { nodes, edges: [], nodeDeletions: [], edgeDeletions: [] };
  }
  async import(_room: string, _phase: SyncPhase, batch: Required<RecordBatch>, remote: RemotePeer): Promise<HostImportReport> {
    const applied = batch.nodes.filter((r) => this.keep(r));
    // As the store reports a commit: what changed, and where from (not echoed to its source).
    if (applied.length) this.service.roomsChanged([ROOM], new Map([[ROOM, new Set([remote.connectionId])]]), new Map([[ROOM, applied.length <= 256 ? applied.map(item) : null]]));
    return { applied: applied.length, ignored: batch.nodes.length - applied.length, rejected: 0 };
  }
  async roomPeers() {
    return [];
  }
  async learnPeers() {}
}

const item = (r: NodeRecord): RoomItem => ({ kind: 'node', ref: { kind: 'node', id: r.id }, entity: r.entity, date: r.mdate, signature: r.signature });

/** A deterministic generator (mulberry32), so a failure replays. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
    } finally {
      await Promise.all(hosts.map((h) => h.service.stop()));
    }
  }, 120_000);
});
