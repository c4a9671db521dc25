// A peer's database for sync tests without SQLite: one room's rows in a map, newest version
// kept (as the store's import does), and a host that admits everyone unless told otherwise.
// Used by the simulation of hundreds of peers, the session and blob stream tests, and the bench.
import { createHash, randomBytes } from 'node:crypto';
import { base64url, compareBytes, SigningKey, uid } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import type { NodeRecord, RecordBatch, RecordRef, RoomItem } from '@discret/store';
import { type Admission, type HostImportReport, MemoryNetwork, proveIdentity, type RemotePeer, type SyncHost, type SyncPhase, SyncService } from '@discret/sync';

export const ROOM = 'ROOM';

/** A peer's database: the room's rows in a map, newest version kept. */
export class MapHost implements SyncHost {
  readonly rows = new Map<string, NodeRecord>();
  service!: SyncService;
  private readonly peer: NodeRecord;

  /** What `admit` answers; everyone by default. */
  admission: Admission = { allowed: true };
  /** The rooms a remote may read. */
  shared: string[] = [ROOM];
  /** Every room synchronised, as the session reported it. */
  readonly synchronized: string[] = [];

  private readonly user: SigningKey;

  // No parameter property: the bench imports this file with Node's type stripping.
  constructor(user: SigningKey) {
    this.user = user;
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
    if (old && (old.mdate > r.mdate || (old.mdate === r.mdate && compareBytes(old.signature, r.signature) >= 0))) return false;
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
    return this.admission;
  }
  async hasRoom() {
    return true;
  }
  async roomsFor() {
    return this.shared;
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
  roomSynchronized(room: string) {
    this.synchronized.push(room);
  }
}



export const item = (r: NodeRecord): RoomItem => ({ kind: 'node', ref: { kind: 'node', id: r.id }, entity: r.entity, date: r.mdate, signature: r.signature });

/** A deterministic generator (mulberry32), so a simulation replays: shared by the simulation test and the bench. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Two users' services on one in-memory network, each with its host (made by `makeHost`). */
export async function hostPair<H extends MapHost>(makeHost: (user: SigningKey) => H, options: { latencyMs?: number } = {}) {
  const net = new MemoryNetwork({ latencyMs: options.latencyMs ?? 0 });
  const make = async (name: string) => {
    const host = makeHost(SigningKey.generate());
    host.service = new SyncService({ transport: net.transport(name), host, deviceKey: SigningKey.generate(), logger: silentLogger, limits: { requestTimeoutMs: 2000 } });
    await host.service.start();
    return host;
  };
  const [a, b] = [await make('a'), await make('b')];
  return { net, a, b, stop: () => Promise.all([a.service.stop(), b.service.stop()]) };
}

/**
 * `count` devices of one user on a new in-memory network, started and linked as a ring (so
 * connected) plus two random links per peer from `rand`: the room of many peers of the gossip
 * test and of the bench.
 */
export async function peerMesh(count: number, rand: () => number) {
  const net = new MemoryNetwork({ latencyMs: 1 });
  const user = SigningKey.generate();
  const hosts = Array.from({ length: count }, () => new MapHost(user));
  await Promise.all(hosts.map(async (host, i) => {
    host.service = new SyncService({ transport: net.transport(`p${i}`), host, deviceKey: SigningKey.generate(), logger: silentLogger, limits: { requestTimeoutMs: 5000 } });
    await host.service.start();
  }));
  const links: [number, number][] = [];
  for (let i = 0; i < count; i++) links.push([i, (i + 1) % count], [i, Math.floor(rand() * count)], [i, Math.floor(rand() * count)]);
  await Promise.all(links.filter(([i, j]) => i !== j).map(([i, j]) => hosts[i]!.service.connect(`memory:p${j}`).catch(() => null)));
  return { net, hosts, stop: () => Promise.all(hosts.map((h) => h.service.stop())) };
}
