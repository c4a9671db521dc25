import {
  base64url, edgeDeletionSigningBytes, edgeSigningBytes, fromBase64url, nodeDeletionSigningBytes, nodeSigningBytes, uid,
} from '@discret/crypto';
import type { EntityDef, FieldDef, JsonValue, Operand, Parameters, ResolvedMutationEntity } from '@discret/lang';
import type { Row } from './driver.js';
import { StoreError } from './errors.js';
import { ALLOWED, type WriteDecision, type WriteQuestion } from './policy.js';
import type { RoomItem } from './room-items.js';
import type { SignatureSlot, WriteTransaction } from './transaction.js';
import type { ChangedDays, StoreOptions } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A question as the write context asks it: it fills in the facts it knows (author and date unless given). */
type Ask = DistributiveOmit<WriteQuestion, 'imported' | 'roomCreatedByRequest' | 'author' | 'date'> & { author?: Uint8Array; date?: number };

export const DAY = 86_400_000;

export function toId(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : fromBase64url(String(value));
}

/** Most records a commit reports per room for sync's live path; past it, peers reconcile. */
export const MAX_ITEMS_PER_ROOM = 256;

/** A record written, as `RoomItem` but with a signature that may still be a pending slot. */
export type PendingItem = Omit<RoomItem, 'signature'> & { signature: Uint8Array | SignatureSlot };

export function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** The state of one write request while it runs in the writer's transaction. */
export class WriteContext {
  readonly changes: ChangedDays = new Map();
  /** Records written, per room, for sync's live path (a signature is a slot until it is signed). */
  readonly items = new Map<string, PendingItem[] | null>();
  /** Whether this write queued text for the full-text index. */
  textQueued = false;
  private readonly now = Date.now();
  private readonly author: Uint8Array;
  /** Ids (base64url) of the rows this request inserted: a room created by the request itself. */
  private readonly inserted = new Set<string>();

  constructor(
    private readonly tx: WriteTransaction,
    private readonly options: StoreOptions,
    private readonly params: Parameters,
    /** What the caller judged before this request; handed to the policy with every question. */
    private readonly grant: unknown = undefined,
    /** True for records received from peers. */
    private readonly imported = false,
  ) {
    this.author = options.signingKey.publicKey;
  }

  /** Asks the store's policy; throws AUTHORISATION_DENIED with its reason when refused. */
  ask(question: Ask): void {
    const decision = this.decide(question);
    if (!decision.allowed) throw new StoreError('AUTHORISATION_DENIED', decision.reason);
  }

  /** Whether the policy allows a write (for imports that weigh a deletion against a row). */
  allows(question: Ask): boolean {
    return this.decide(question).allowed;
  }

  private decide(question: Ask): WriteDecision {
    const policy = this.options.policy;
    if (!policy) return ALLOWED;
    const room = 'roomId' in question ? question.roomId : null;
    const full = {
      author: this.author,
      date: this.now,
      ...question,
      imported: this.imported,
      roomCreatedByRequest: room !== null && this.inserted.has(base64url(room)),
    } as WriteQuestion;
    return policy.decide(full, this.grant);
  }

  private read(operand: Operand): unknown {
    return operand.kind === 'value' ? operand.value : this.params[operand.name];
  }

  private readRoom(operand: Operand): Uint8Array | null {
    const value = this.read(operand);
    return value === null ? null : toId(value);
  }

  /** Notes a record written in a room; past MAX_ITEMS_PER_ROOM the room's list is dropped (null: too many, reconcile). */
  recordItem(roomId: Uint8Array | null, item: PendingItem): void {
    if (!roomId) return;
    const room = base64url(roomId);
    const list = this.items.get(room);
    if (list === undefined) this.items.set(room, [item]);
    else if (list !== null) {
      if (list.length >= MAX_ITEMS_PER_ROOM) this.items.set(room, null);
      else list.push(item);
    }
  }

  private logChange(roomId: Uint8Array | null, entity: EntityDef, date: number): void {
    if (!roomId) return;
    const room = base64url(roomId);
    const entities = this.changes.get(room) ?? new Map<string, Set<number>>();
    this.changes.set(room, entities);
    const days = entities.get(entity.fullName) ?? new Set<number>();
    entities.set(entity.fullName, days);
    days.add(Math.floor(date / DAY) * DAY);
  }

  async dailyLog(roomId: Uint8Array | null, entity: EntityDef, date: number): Promise<void> {
    if (!roomId) return;
    this.logChange(roomId, entity, date);
    const day = Math.floor(date / DAY) * DAY;
    this.tx.queueOnce(`${base64url(roomId)}/${entity.shortId}/${day}`, 'INSERT OR IGNORE INTO _daily_log (room_id, entity, day) VALUES (?, ?, ?)', [roomId, entity.shortId, day]);
  }

  /** Removes a row's text from the full-text index, wherever it is yet. */
  forgetText(rowid: number): void {
    this.tx.queue('DELETE FROM _fts_pending WHERE id = ?', [rowid]);
    this.tx.queue('DELETE FROM _fts WHERE rowid = ?', [rowid]);
  }

  /** Queues an entity's String fields for the full-text index; returns the FTS rowid. */
  async queueText(entity: EntityDef, json: Record<string, JsonValue>): Promise<number | null> {
    if (!entity.fullTextIndex) return null;
    const text = entity.fields.filter((f) => f.scalar === 'String' && typeof json[f.shortId] === 'string').map((f) => json[f.shortId]).join('\n');
    if (!text) return null;
    const rowid = await this.tx.ftsRowid();
    this.tx.queue('INSERT INTO _fts_pending (id, text) VALUES (?, ?)', [rowid, text]);
    this.textQueued = true;
    return rowid;
  }

  async writeEntity(m: ResolvedMutationEntity, inheritedRoom: Uint8Array | null): Promise<Record<string, unknown>> {
    const entity = m.entity;
    if (m.reference) {
      const id = toId(this.read(m.id!));
      const rows = await this.tx.read('SELECT _entity FROM _node WHERE id = ?', [id]);
      if (!rows[0] || rows[0]._entity !== entity.shortId) {
        throw new StoreError('NOT_FOUND', `No ${entity.fullName} with id ${base64url(id)}`);
      }
      return { id: base64url(id) };
    }

    let id: Uint8Array;
    let json: Record<string, JsonValue>;
    let roomId: Uint8Array | null;
    let cdate = this.now;
    let mdate = this.now;
    let previousFts: number | null = null;
    let binary: Uint8Array | null = null;
    const result: Record<string, unknown> = {};
    // An update that only adds relations leaves the row as it is: its author, date and
    // signature stay (adding a pet to Bob's Person must not make me its author). Only the new
    // links are written, signed by me.
    let rewrite = true;
    let rowAuthor = this.author;

    if (m.id) {
      id = toId(this.read(m.id));
      const rows = await this.tx.read('SELECT * FROM _node WHERE id = ?', [id]);
      const old = rows[0];
      if (!old || old._entity !== entity.shortId) throw new StoreError('NOT_FOUND', `No ${entity.fullName} with id ${base64url(id)} to update`);
      json = old._json ? (JSON.parse(String(old._json)) as Record<string, JsonValue>) : {};
      const previousRoom = (old.room_id as Uint8Array | null) ?? null;
      roomId = m.roomId ? this.readRoom(m.roomId) : previousRoom;
      cdate = Number(old.cdate);
      mdate = Math.max(this.now, Number(old.mdate) + 1);
      binary = (old._binary as Uint8Array | null) ?? null;
      previousFts = (old._fts as number | null) ?? null;
      rewrite = m.values.length > 0 || m.binary !== undefined || !sameBytes(previousRoom, roomId);
      rowAuthor = rewrite ? this.author : (old.verifying_key as Uint8Array);
      if (rewrite) this.ask({ kind: 'update', id, entity, roomId, previousRoomId: previousRoom, previousAuthor: old.verifying_key as Uint8Array });
      if (!sameBytes(previousRoom, roomId)) await this.dailyLog(previousRoom, entity, mdate);
    } else {
      id = uid(this.now);
      json = {};
      for (const field of entity.fields) if (field.default !== undefined) json[field.shortId] = field.default;
      // The policy may place a new row in a room of its own (core: a new sys.Room is its own
      // room); otherwise it is in its parent's room. Its sub-rows inherit it.
      roomId = m.roomId ? this.readRoom(m.roomId) : (this.options.policy?.roomOfNewRow?.(entity, id) ?? inheritedRoom);
      this.ask({ kind: 'insert', id, entity, roomId });
      this.inserted.add(base64url(id));
    }
    result.id = base64url(id);
    if (m.roomId) result.room_id = roomId ? base64url(roomId) : null;

    for (const { field, operand } of m.values) {
      const value = this.read(operand);
      json[field.shortId] = storedValue(field, value);
      result[field.name] = json[field.shortId];
    }
    if (m.binary) {
      const value = this.read(m.binary);
      binary = value === null ? null : toId(value);
    }
    const jsonText = JSON.stringify(json);
    const size = Buffer.byteLength(jsonText) + (binary?.length ?? 0);
    const max = (this.options.maxObjectSizeInKb ?? 256) * 1024;
    if (size > max) throw new StoreError('OBJECT_TOO_LARGE', `${entity.fullName} is ${Math.ceil(size / 1024)} KiB, over the ${max / 1024} KiB limit`);

    if (rewrite) {
      if (previousFts !== null) this.forgetText(previousFts);
      const fts = await this.queueText(entity, json);
      const signature = this.tx.sign(
        nodeSigningBytes({ id, roomId, entity: entity.shortId, cdate, mdate, json: jsonText, binary, verifyingKey: this.author }),
      );
      this.tx.queue(
        'INSERT OR REPLACE INTO _node (id, room_id, _entity, cdate, mdate, _json, _binary, verifying_key, _signature, _fts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [id, roomId, entity.shortId, cdate, mdate, jsonText, binary, this.author, signature, fts],
      );
      this.recordItem(roomId, { kind: 'node', ref: { kind: 'node', id }, entity: entity.shortId, date: mdate, signature });
    }
    await this.dailyLog(roomId, entity, rewrite ? mdate : this.now);

    const isNew = !m.id;
    for (const { field, value } of m.relations) {
      if (value === null) {
        await this.removeEdges(id, entity, field, roomId, rowAuthor, null);
        result[field.name] = field.kind === 'array' ? [] : null;
        continue;
      }
      const targets = Array.isArray(value) ? value : [value];
      const written: Record<string, unknown>[] = [];
      // A link that already exists is not rewritten: it keeps its author and date (rewriting
      // it would date a room's authorisation link to whoever last added a user to it). A single
      // relation set to another row drops its old link.
      const existing = isNew ? new Set<string>() : new Set((await this.tx.read('SELECT dest FROM _edge WHERE src = ? AND label = ?', [id, field.shortId])).map((r) => base64url(r.dest as Uint8Array)));
      for (const target of targets) {
        const child = await this.writeEntity(target, roomId);
        const dest = toId(child.id);
        if (field.kind === 'entity') {
          const others = [...existing].filter((d) => d !== child.id).map(fromBase64url);
          if (others.length) await this.removeEdges(id, entity, field, roomId, rowAuthor, others);
        }
        if (!existing.has(String(child.id))) await this.addEdge(id, entity, field, dest, roomId, rowAuthor);
        written.push(child);
      }
      result[field.name] = Array.isArray(value) ? written : written[0];
    }
    return result;
  }

  private async addEdge(src: Uint8Array, entity: EntityDef, field: FieldDef, dest: Uint8Array, roomId: Uint8Array | null, srcAuthor: Uint8Array): Promise<void> {
    this.ask({ kind: 'edgeAdded', src, entity, field, dest, roomId, srcAuthor });
    const signature = this.tx.sign(
      edgeSigningBytes({ src, srcEntity: entity.shortId, label: field.shortId, dest, cdate: this.now, verifyingKey: this.author }),
    );
    this.tx.queue(
      'INSERT OR REPLACE INTO _edge (src, src_entity, label, dest, cdate, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [src, entity.shortId, field.shortId, dest, this.now, this.author, signature],
    );
    this.recordItem(roomId, { kind: 'edge', ref: { kind: 'edge', src, label: field.shortId, dest }, entity: entity.shortId, date: this.now, signature });
  }

  /** Removes edges of `src` on `field` (all of them, or only those to `dests`), logging them for sync. */
  private async removeEdges(src: Uint8Array, entity: EntityDef, field: FieldDef, roomId: Uint8Array | null, srcAuthor: Uint8Array | null, dests: Uint8Array[] | null): Promise<void> {
    let rows: Row[] = [];
    if (!dests) rows = await this.tx.read('SELECT dest FROM _edge WHERE src = ? AND label = ?', [src, field.shortId]);
    else for (const d of dests) rows.push(...(await this.tx.read('SELECT dest FROM _edge WHERE src = ? AND label = ? AND dest = ?', [src, field.shortId, d])));
    for (const row of rows) {
      const dest = row.dest as Uint8Array;
      // Null author: the row itself is being deleted, which the policy already allowed.
      if (srcAuthor) this.ask({ kind: 'edgeRemoved', src, entity, field, dest, roomId, srcAuthor });
      this.tx.queue('DELETE FROM _edge WHERE src = ? AND label = ? AND dest = ?', [src, field.shortId, dest]);
      if (roomId) {
        const signature = this.tx.sign(
          edgeDeletionSigningBytes({ roomId, src, label: field.shortId, dest, deletionDate: this.now, verifyingKey: this.author }),
        );
        this.tx.queue(
          'INSERT OR REPLACE INTO _edge_deletion_log (room_id, src, label, dest, deletion_date, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [roomId, src, field.shortId, dest, this.now, this.author, signature],
        );
        this.recordItem(roomId, { kind: 'edgeDeletion', ref: { kind: 'edgeDeletion', src, label: field.shortId, dest, deletionDate: this.now }, entity: '', date: this.now, signature });
        await this.dailyLog(roomId, entity, this.now);
      }
    }
  }

  async deleteEntity(entity: EntityDef, idValue: unknown, relations: { field: FieldDef; ids: unknown[] }[]): Promise<void> {
    const id = toId(idValue);
    const rows = await this.tx.read('SELECT room_id, _entity, _fts, verifying_key FROM _node WHERE id = ?', [id]);
    const row = rows[0];
    // Deleting what is not there is not an error: the result is the same.
    if (!row || row._entity !== entity.shortId) return;
    const roomId = (row.room_id as Uint8Array | null) ?? null;
    const author = row.verifying_key as Uint8Array;
    if (relations.length) {
      for (const r of relations) await this.removeEdges(id, entity, r.field, roomId, author, r.ids.map(toId));
      return;
    }
    this.ask({ kind: 'delete', id, entity, roomId, previousAuthor: author });
    for (const field of entity.fields) if (field.kind !== 'scalar') await this.removeEdges(id, entity, field, roomId, null, null);
    this.tx.queue('DELETE FROM _node WHERE id = ?', [id]);
    if (row._fts !== null) this.forgetText(row._fts as number);
    if (roomId) {
      const signature = this.tx.sign(
        nodeDeletionSigningBytes({ roomId, id, entity: entity.shortId, deletionDate: this.now, verifyingKey: this.author }),
      );
      this.tx.queue(
        'INSERT OR REPLACE INTO _node_deletion_log (room_id, id, entity, deletion_date, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?)',
        [roomId, id, entity.shortId, this.now, this.author, signature],
      );
      this.recordItem(roomId, { kind: 'nodeDeletion', ref: { kind: 'nodeDeletion', id, deletionDate: this.now }, entity: entity.shortId, date: this.now, signature });
      await this.dailyLog(roomId, entity, this.now);
    }
  }
}

function storedValue(field: FieldDef, value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (field.scalar === 'Base64' && value instanceof Uint8Array) return base64url(value);
  if (typeof value === 'bigint') return Number(value);
  return value as JsonValue;
}

