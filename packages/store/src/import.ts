import {
  base64url, equalBytes, edgeDeletionSigningBytes, edgeSigningBytes, nodeDeletionSigningBytes, nodeSigningBytes, utf8Length, verify,
  type CryptoPool, type SignedMessage,
} from '@discret/crypto';
import type { DataModel, EntityDef, JsonValue } from '@discret/lang';
import type { Row } from './driver.js';
import { StoreError, type StoreErrorCode } from './errors.js';
import type { EdgeDeletionRecord, EdgeRecord, NodeDeletionRecord, NodeRecord, RecordBatch, RecordKind } from './records.js';
import { supersedes } from './versions.js';
import type { WriteTransaction } from './transaction.js';
import type { StoreOptions } from './types.js';
import { WriteEffects } from './write-effects.js';


export interface RejectedRecord {
  kind: RecordKind;
  /** base64url id of the node (or `src:label:dest` of an edge). */
  id: string;
  code: StoreErrorCode | 'UNKNOWN_ENTITY';
  message: string;
}

/** What an import did with each record. */
export interface ImportReport {
  /** Written (new, or newer than ours). */
  applied: number;
  /** Already known, older than ours, or deleted: nothing to do. */
  ignored: number;
  /** Refused: bad signature, no right, unknown entity, malformed. Nothing of these was written. */
  rejected: RejectedRecord[];
}

class Rejection extends Error {
  constructor(
    readonly code: RejectedRecord['code'],
    message: string,
  ) {
    super(message);
  }
}

const nodeName = (r: { id: Uint8Array }) => safeId(r.id);
const edgeName = (r: { src: Uint8Array; label: string; dest: Uint8Array }) => `${safeId(r.src)}:${r.label}:${safeId(r.dest)}`;

function safeId(bytes: unknown): string {
  return bytes instanceof Uint8Array ? base64url(bytes) : '?';
}

/**
 * Checks signatures before anything touches the database: invalid records are rejected here,
 * the others go on. Uses the worker pool for large batches.
 */
export async function verifyRecords(batch: RecordBatch, pool: CryptoPool | undefined): Promise<{ valid: Required<RecordBatch>; rejected: RejectedRecord[] }> {
  const rejected: RejectedRecord[] = [];
  const valid: Required<RecordBatch> = { nodes: [], edges: [], nodeDeletions: [], edgeDeletions: [] };
  const items: { kind: RecordKind; record: unknown; message: SignedMessage | null; name: string }[] = [];
  const add = <R extends { verifyingKey: Uint8Array; signature: Uint8Array }>(kind: RecordKind, records: R[] | undefined, bytes: (r: R) => Uint8Array, name: (r: R) => string) => {
    for (const record of records ?? []) {
      let message: SignedMessage | null = null;
      try {
        message = { publicKey: record.verifyingKey, message: bytes(record), signature: record.signature };
      } catch {
        message = null; // malformed: wrong lengths or types
      }
      items.push({ kind, record, message, name: name(record) });
    }
  };
  add('node', batch.nodes, nodeSigningBytes, nodeName);
  add('edge', batch.edges, edgeSigningBytes, edgeName);
  add('nodeDeletion', batch.nodeDeletions, nodeDeletionSigningBytes, nodeName);
  add('edgeDeletion', batch.edgeDeletions, edgeDeletionSigningBytes, edgeName);

  const checkable = items.filter((it) => it.message !== null);
  const results = pool
    ? await pool.verifyAll(checkable.map((it) => it.message!))
    : checkable.map((it) => verify(it.message!.publicKey, it.message!.message, it.message!.signature));
  const ok = new Set(checkable.filter((_, i) => results[i]).map((it) => it.record));
  for (const it of items) {
    if (it.message === null) rejected.push({ kind: it.kind, id: it.name, code: 'INVALID_RECORD', message: 'Malformed record' });
    else if (!ok.has(it.record)) rejected.push({ kind: it.kind, id: it.name, code: 'INVALID_SIGNATURE', message: 'The signature does not match the record' });
    else {
      const into = { node: valid.nodes, edge: valid.edges, nodeDeletion: valid.nodeDeletions, edgeDeletion: valid.edgeDeletions }[it.kind] as unknown[];
      into.push(it.record);
    }
  }
  return { valid, rejected };
}

/**
 * Writes verified records received from peers, inside one writer transaction. Rules:
 * - a node replaces ours only if it is newer (mdate), ties broken by the larger signature,
 *   so every peer converges on the same version whatever the order of arrival;
 * - a node whose id was deleted (by someone allowed to delete it) stays deleted;
 * - every write is judged by the store's write policy with the record's own author and
 *   date, exactly as the author's own device judged it;
 * - local data (no room) is never imported.
 * Each record is accepted or rejected alone; a rejection writes nothing of that record.
 */
export class RecordImporter {
  readonly report: ImportReport = { applied: 0, ignored: 0, rejected: [] };
  readonly ctx: WriteEffects;

  constructor(
    private readonly tx: WriteTransaction,
    private readonly options: StoreOptions,
    private readonly model: DataModel,
    grant: unknown = undefined,
    private readonly localEntities: ReadonlySet<string> = new Set(),
  ) {
    this.ctx = new WriteEffects(tx, options, grant, true);
  }

  /**
   * What the batch's node ids already are here (row, or null when absent) and their deletion
   * logs, read in a few queries up front: a read per record flushed the queued writes each time
   * and cost more than the writes. Kept up to date as the batch is applied.
   */
  private readonly nodes = new Map<string, Row | null>();
  private readonly deletions = new Map<string, Row[]>();

  private async prefetch(ids: Uint8Array[]): Promise<void> {
    const wanted = [...new Map(ids.map((id) => [base64url(id), id])).entries()].filter(([key]) => !this.nodes.has(key));
    for (let i = 0; i < wanted.length; i += 400) {
      const chunk = wanted.slice(i, i + 400);
      const marks = chunk.map(() => '?').join(',');
      const params = chunk.map(([, id]) => id);
      for (const [key] of chunk) {
        this.nodes.set(key, null);
        this.deletions.set(key, []);
      }
      for (const row of await this.tx.read(`SELECT id, room_id, _entity, mdate, verifying_key, _signature, _fts, _json FROM _node WHERE id IN (${marks})`, params)) {
        this.nodes.set(base64url(row.id as Uint8Array), row);
      }
      for (const row of await this.tx.read(`SELECT id, room_id, deletion_date, verifying_key FROM _node_deletion_log WHERE id IN (${marks})`, params)) {
        this.deletions.get(base64url(row.id as Uint8Array))!.push(row);
      }
    }
  }

  private async nodeRow(id: Uint8Array): Promise<Row | undefined> {
    const key = base64url(id);
    if (!this.nodes.has(key)) await this.prefetch([id]);
    return this.nodes.get(key) ?? undefined;
  }

  async run(batch: Required<RecordBatch>): Promise<void> {
    await this.prefetch([...batch.nodes.map((r) => r.id), ...batch.edges.map((r) => r.src), ...batch.nodeDeletions.map((r) => r.id)]);
    for (const r of batch.nodes) await this.one('node', nodeName(r), () => this.node(r));
    for (const r of batch.edges) await this.one('edge', edgeName(r), () => this.edge(r));
    for (const r of batch.nodeDeletions) await this.one('nodeDeletion', nodeName(r), () => this.nodeDeletion(r));
    for (const r of batch.edgeDeletions) await this.one('edgeDeletion', edgeName(r), () => this.edgeDeletion(r));
  }

  private async one(kind: RecordKind, id: string, apply: () => Promise<boolean>): Promise<void> {
    try {
      if (await apply()) this.report.applied++;
      else this.report.ignored++;
    } catch (error) {
      // Rejection, StoreError (the rights hook's AUTHORISATION_DENIED...): every coded error
      // refuses this record alone; anything else (the database failing) fails the import.
      if (error instanceof Error && 'code' in error && typeof error.code === 'string') {
        this.report.rejected.push({ kind, id, code: error.code as RejectedRecord['code'], message: error.message });
      } else throw error;
    }
  }

  private entity(shortId: string): EntityDef {
    const entity = this.model.entitiesByShortId.get(shortId);
    if (!entity) throw new Rejection('UNKNOWN_ENTITY', `Entity ${shortId} is not in this data model`);
    return entity;
  }

  /** Whether a recorded deletion of `id` may delete a node written by `author`. */
  private async deletedFor(id: Uint8Array, entity: EntityDef, author: Uint8Array): Promise<boolean> {
    if (!this.deletions.has(base64url(id))) await this.prefetch([id]);
    const rows = this.deletions.get(base64url(id))!;
    // A deletion counts only if its deleter could delete this author's node.
    return rows.some((row) => this.ctx.allows({
      kind: 'delete', id, entity, roomId: row.room_id as Uint8Array, previousAuthor: author,
      author: row.verifying_key as Uint8Array, date: Number(row.deletion_date),
    }));
  }

  private async node(r: NodeRecord): Promise<boolean> {
    const entity = this.entity(r.entity);
    if (r.roomId === null && !this.localEntities.has(r.entity)) throw new Rejection('INVALID_RECORD', 'Local data (no room) is never synchronised');
    let json: Record<string, JsonValue> = {};
    if (r.json !== null) {
      const parsed = safeJson(r.json);
      if (parsed === undefined || parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Rejection('INVALID_RECORD', 'json is not an object');
      json = parsed as Record<string, JsonValue>;
    }
    const max = (this.options.maxObjectSizeInKb ?? 256) * 1024;
    if (utf8Length(r.json ?? '') + (r.binary?.length ?? 0) > max) throw new StoreError('OBJECT_TOO_LARGE', `${entity.fullName} is over the size limit`);

    const old = await this.nodeRow(r.id);
    if (old) {
      if (old._entity !== r.entity) throw new Rejection('INVALID_RECORD', 'The id belongs to another entity');
      if (!supersedes({ date: r.mdate, signature: r.signature }, { date: Number(old.mdate), signature: old._signature as Uint8Array })) return false;
    }
    if (await this.deletedFor(r.id, entity, r.verifyingKey)) return false;
    const previousRoom = old ? ((old.room_id as Uint8Array | null) ?? null) : null;
    const facts = { id: r.id, entity, roomId: r.roomId, author: r.verifyingKey, date: r.mdate };
    if (old) this.ctx.ask({ kind: 'update', ...facts, previousRoomId: previousRoom, previousAuthor: old.verifying_key as Uint8Array });
    else this.ctx.ask({ kind: 'insert', ...facts });
    if (old?._fts !== null && old?._fts !== undefined) this.ctx.forgetText(old._fts as number);
    const fts = this.ctx.queueText(entity, json);
    this.tx.queue(
      'INSERT OR REPLACE INTO _node (id, room_id, _entity, cdate, mdate, _json, _binary, verifying_key, _signature, _fts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [r.id, r.roomId, r.entity, r.cdate, r.mdate, r.json, r.binary, r.verifyingKey, r.signature, fts],
    );
    this.ctx.recordItem(r.roomId, { kind: 'node', ref: { kind: 'node', id: r.id }, entity: r.entity, date: r.mdate, signature: r.signature });
    this.ctx.noteRow(entity, r.roomId, old ? ((old._json as string | null) ?? null) : null, r.json, previousRoom ?? r.roomId);
    this.nodes.set(base64url(r.id), { id: r.id, room_id: r.roomId, _entity: r.entity, mdate: r.mdate, verifying_key: r.verifyingKey, _signature: r.signature, _fts: fts, _json: r.json });
    if (old && !equalBytes(previousRoom, r.roomId)) this.ctx.dailyLog(previousRoom, entity, Number(old.mdate));
    this.ctx.dailyLog(r.roomId, entity, r.mdate);
    return true;
  }

  private sourceOf(r: { src: Uint8Array }): Promise<Row | undefined> {
    return this.nodeRow(r.src);
  }

  private relation(entity: EntityDef, label: string) {
    const field = entity.fieldsByShortId.get(label);
    if (!field || field.kind === 'scalar') throw new Rejection('INVALID_RECORD', `${entity.fullName} has no relation ${label}`);
    return field;
  }

  private async edge(r: EdgeRecord): Promise<boolean> {
    const entity = this.entity(r.srcEntity);
    const field = this.relation(entity, r.label);
    const src = await this.sourceOf(r);
    // Sync sends nodes before their edges: a missing source was deleted, or is not ours to see.
    if (!src) return false;
    if (src._entity !== r.srcEntity) throw new Rejection('INVALID_RECORD', 'The source node is of another entity');
    const roomId = (src.room_id as Uint8Array | null) ?? null;
    if (roomId === null) throw new Rejection('INVALID_RECORD', 'Local data (no room) is never synchronised');
    const [old] = await this.tx.read('SELECT cdate FROM _edge WHERE src = ? AND label = ? AND dest = ?', [r.src, r.label, r.dest]);
    if (old && Number(old.cdate) >= r.cdate) return false;
    const deletions = await this.tx.read(
      'SELECT deletion_date, verifying_key FROM _edge_deletion_log WHERE src = ? AND label = ? AND dest = ? AND deletion_date >= ?',
      [r.src, r.label, r.dest, r.cdate],
    );
    const link = { src: r.src, entity, field, dest: r.dest, roomId, srcAuthor: src.verifying_key as Uint8Array };
    // A later removal keeps this link out, if its author was allowed to remove it.
    const removed = deletions.some((d) => this.ctx.allows({ kind: 'edgeRemoved', ...link, author: d.verifying_key as Uint8Array, date: Number(d.deletion_date) }));
    if (removed) return false;
    this.ctx.ask({ kind: 'edgeAdded', ...link, author: r.verifyingKey, date: r.cdate });
    this.tx.queue(
      'INSERT OR REPLACE INTO _edge (src, src_entity, label, dest, cdate, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [r.src, r.srcEntity, r.label, r.dest, r.cdate, r.verifyingKey, r.signature],
    );
    this.ctx.recordItem(roomId, { kind: 'edge', ref: { kind: 'edge', src: r.src, label: r.label, dest: r.dest }, entity: r.srcEntity, date: r.cdate, signature: r.signature });
    this.ctx.dailyLog(roomId, entity, r.cdate);
    return true;
  }

  private async nodeDeletion(r: NodeDeletionRecord): Promise<boolean> {
    const entity = this.entity(r.entity);
    const [known] = await this.tx.read('SELECT 1 AS x FROM _node_deletion_log WHERE room_id = ? AND id = ? AND deletion_date = ?', [r.roomId, r.id, r.deletionDate]);
    if (known) return false;
    const node = await this.nodeRow(r.id);
    // Without the node, judge the deleter as if deleting their own: the deletion then only
    // keeps out nodes it had the right to delete (see deletedFor).
    this.ctx.ask({
      kind: 'delete', id: r.id, entity, roomId: r.roomId, previousAuthor: node ? (node.verifying_key as Uint8Array) : r.verifyingKey,
      author: r.verifyingKey, date: r.deletionDate,
    });
    // A deletion is final, even over a version written after it somewhere else (as deletedFor
    // keeps such versions out when they arrive after the deletion): every peer ends the same.
    if (node && node._entity === r.entity && equalBytes((node.room_id as Uint8Array | null) ?? null, r.roomId)) {
      this.tx.queue('DELETE FROM _edge WHERE src = ?', [r.id]);
      this.tx.queue('DELETE FROM _node WHERE id = ?', [r.id]);
      this.nodes.set(base64url(r.id), null);
      this.ctx.noteRow(entity, r.roomId, (node._json as string | null) ?? null, null);
      if (node._fts !== null) this.ctx.forgetText(node._fts as number);
    }
    this.tx.queue(
      'INSERT OR IGNORE INTO _node_deletion_log (room_id, id, entity, deletion_date, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?)',
      [r.roomId, r.id, r.entity, r.deletionDate, r.verifyingKey, r.signature],
    );
    this.deletions.get(base64url(r.id))?.push({ id: r.id, room_id: r.roomId, deletion_date: r.deletionDate, verifying_key: r.verifyingKey });
    this.ctx.recordItem(r.roomId, { kind: 'nodeDeletion', ref: { kind: 'nodeDeletion', id: r.id, deletionDate: r.deletionDate }, entity: r.entity, date: r.deletionDate, signature: r.signature });
    this.ctx.dailyLog(r.roomId, entity, r.deletionDate);
    return true;
  }

  private async edgeDeletion(r: EdgeDeletionRecord): Promise<boolean> {
    const [known] = await this.tx.read(
      'SELECT 1 AS x FROM _edge_deletion_log WHERE room_id = ? AND src = ? AND label = ? AND dest = ? AND deletion_date = ?',
      [r.roomId, r.src, r.label, r.dest, r.deletionDate],
    );
    if (known) return false;
    const src = await this.sourceOf(r);
    const entity = src ? this.entity(String(src._entity)) : null;
    if (src && !equalBytes((src.room_id as Uint8Array | null) ?? null, r.roomId)) throw new Rejection('INVALID_RECORD', 'The source node is in another room');
    if (entity) {
      const field = this.relation(entity, r.label);
      this.ctx.ask({
        kind: 'edgeRemoved', src: r.src, entity, field, dest: r.dest, roomId: r.roomId, srcAuthor: src!.verifying_key as Uint8Array,
        author: r.verifyingKey, date: r.deletionDate,
      });
      this.tx.queue('DELETE FROM _edge WHERE src = ? AND label = ? AND dest = ? AND cdate <= ?', [r.src, r.label, r.dest, r.deletionDate]);
      this.ctx.dailyLog(r.roomId, entity, r.deletionDate);
    }
    this.tx.queue(
      'INSERT OR IGNORE INTO _edge_deletion_log (room_id, src, label, dest, deletion_date, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [r.roomId, r.src, r.label, r.dest, r.deletionDate, r.verifyingKey, r.signature],
    );
    this.ctx.recordItem(r.roomId, { kind: 'edgeDeletion', ref: { kind: 'edgeDeletion', src: r.src, label: r.label, dest: r.dest, deletionDate: r.deletionDate }, entity: '', date: r.deletionDate, signature: r.signature });
    return true;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
