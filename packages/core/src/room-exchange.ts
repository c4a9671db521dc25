import { base64url, fromBase64url } from '@discret/crypto';
import type { Logger } from '@discret/log';
import type { NodeRecord, RecordBatch, RecordRef, RoomItem } from '@discret/store';
import type { HostImportReport, RemotePeer, RoomSink, RoomSource, SyncPhase } from '@discret/sync';
import type { DiscretComponents } from './components.js';
import { judgeDefinition, structureEntityIds } from './definition.js';
import { checkSignatures, strictImport } from './host-checks.js';
import { isMember } from './rooms.js';

/**
 * The rooms side of Discret's sync host: which rooms a remote may read, what this side serves
 * of them (the store's items, pages and records), and how received records are judged before
 * they are stored: definitions as a history (definition.ts), data through the store's import,
 * which checks every signature and every right at the row's own date.
 */
export class RoomExchange implements RoomSource, Omit<RoomSink, 'learnPeers'> {
  private readonly structure: Set<string>;

  constructor(
    private readonly parts: DiscretComponents,
    private readonly log: Logger,
  ) {
    this.structure = structureEntityIds(parts.store.dataModel);
  }

  private get me(): string {
    return this.parts.keys.signingKey.verifyingKey;
  }

  private get privateRoom(): string {
    return base64url(this.parts.keys.privateRoomId);
  }

  async hasRoom(room: string): Promise<boolean> {
    return room === this.privateRoom || this.parts.rooms.get(room) !== undefined;
  }

  async roomsFor(remote: RemotePeer): Promise<string[]> {
    const user = base64url(remote.userKey);
    if (user === this.me) return [this.privateRoom, ...this.parts.rooms.ids()];
    return this.parts.rooms.roomsOf(user);
  }

  phaseOf(item: RoomItem): SyncPhase {
    return (item.kind === 'node' || item.kind === 'edge') && this.structure.has(item.entity) ? 'definition' : 'data';
  }

  lacks(room: string, items: RoomItem[]): Promise<RoomItem[]> {
    return this.parts.store.lacks(fromBase64url(room), items);
  }

  async items(room: string, phase: SyncPhase): Promise<RoomItem[]> {
    const items = await this.parts.store.roomItems(fromBase64url(room));
    const definition = phase === 'definition';
    return items.filter((it) => (this.phaseOf(it) === 'definition') === definition);
  }

  countItems(room: string): Promise<number> {
    return this.parts.store.countRoomItems(fromBase64url(room));
  }

  page(room: string, phase: SyncPhase, cursor: Uint8Array | null, maxBytes: number, sizeOf: (record: unknown) => number) {
    const filter = { entities: [...this.structure], include: phase === 'definition' };
    return this.parts.store.readPage(fromBase64url(room), filter, cursor, maxBytes, sizeOf);
  }

  read(room: string, refs: readonly RecordRef[]): Promise<Required<RecordBatch>> {
    return this.parts.store.readRecords(fromBase64url(room), refs);
  }

  async import(room: string, phase: SyncPhase, batch: Required<RecordBatch>, remote: RemotePeer, signal: AbortSignal): Promise<HostImportReport> {
    const { store, rooms, events } = this.parts;
    const roomId = fromBase64url(room);
    let toImport = batch;
    let refused = 0;
    if (phase === 'definition') {
      // Nothing to judge (a private room has no definition): listing the room is not needed.
      if (!batch.nodes.length && !batch.edges.length) return { applied: 0, ignored: 0, rejected: 0 };
      // Authenticity first (all or nothing), then the history, then only what it accepts. The
      // stored definition is read by entity, not by listing the room (1M rows froze the event
      // loop for 12 s, and the remote dropped us).
      const stored = (await store.readPage(roomId, { entities: [...this.structure], include: true }, null, Number.MAX_SAFE_INTEGER, () => 1)).batch;
      checkSignatures(batch);
      const verdict = judgeDefinition(store.dataModel, room, stored, batch);
      const member = verdict.room !== undefined && (rooms.get(room) !== undefined || isMember(verdict.room, this.me, Date.now()));
      if (!member) {
        this.log.info({ room, peer: base64url(remote.userKey), rejected: Object.fromEntries(verdict.rejected), known: verdict.room !== undefined }, 'a room definition we are not part of: ignored');
        return { applied: 0, ignored: batch.nodes.length + batch.edges.length, rejected: 0 };
      }
      for (const [name, why] of verdict.rejected) this.log.warn({ room, record: name, reason: why, peer: base64url(remote.userKey) }, 'room definition row refused');
      refused = batch.nodes.length + batch.edges.length - verdict.accepted.nodes.length - verdict.accepted.edges.length;
      toImport = verdict.accepted;
    }
    const report = await strictImport(store.importRecords(toImport, { signal, strict: true, source: remote.connectionId, grant: phase === 'definition' ? { rooms: new Set([room]), newRooms: 0 } : undefined }));
    for (const r of report.rejected) this.log.warn({ room, record: r.id, kind: r.kind, code: r.code, reason: r.message, peer: base64url(remote.userKey) }, 'received row refused');
    if (phase === 'definition' && report.applied) {
      await rooms.reload(store, room);
      events.emit({ type: 'RoomModified', room });
    }
    return { applied: report.applied, ignored: report.ignored, rejected: report.rejected.length + refused };
  }

  async roomPeers(room: string): Promise<NodeRecord[]> {
    const state = this.parts.rooms.get(room);
    if (!state) return [];
    const members = new Set(this.parts.rooms.membersOf(room));
    const { p } = (await this.parts.store.query('query { p: sys.Peer { id verifying_key } }')) as { p: { id: string; verifying_key: string }[] };
    const out: NodeRecord[] = [];
    for (const row of p) {
      if (!members.has(row.verifying_key)) continue;
      const record = await this.parts.store.nodeRecord(fromBase64url(row.id));
      if (record) out.push(record);
    }
    return out;
  }
}
