import {
  base64url, equalBytes, edgeDeletionSigningBytes, edgeSigningBytes, fromBase64url, nodeDeletionSigningBytes, nodeSigningBytes, uid, utf8Length,
} from '@discret/crypto';
import type { EntityDef, FieldDef, JsonValue, Operand, Parameters, ResolvedMutationEntity } from '@discret/lang';
import type { Row } from './driver.js';
import { newRowJson, newRowLayout } from './new-row-json.js';
import { StoreError } from './errors.js';
import type { WriteTransaction } from './transaction.js';
import type { StoreOptions } from './types.js';
import { WriteEffects } from './write-effects.js';

export function toId(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : fromBase64url(String(value));
}


/** A row about to be written: a new one, or an existing one read back for an update. */
interface RowState {
  id: Uint8Array;
  json: Record<string, JsonValue>;
  roomId: Uint8Array | null;
  cdate: number;
  mdate: number;
  binary: Uint8Array | null;
  /** Its old full-text rowid, forgotten when the row is rewritten. */
  previousFts: number | null;
  /** False for an update that only adds relations: the row itself stays as it was. */
  rewrite: boolean;
  /** Who signs the row as it will be (the old author when it is not rewritten). */
  author: Uint8Array;
  isNew: boolean;
  /** The stored JSON text and room before this request (null for a new row), for live queries. */
  previousJson: string | null;
  previousRoomId: Uint8Array | null;
}

/**
 * Whether a mutation only inserts new rows (no update, no reference to a stored row, no
 * relation set to null), so that `WriteContext.insertEntity` can write it without reading.
 */
export function insertsOnly(m: ResolvedMutationEntity): boolean {
  return !m.id && !m.reference && m.relations.every(({ value }) => value !== null && (Array.isArray(value) ? value : [value]).every(insertsOnly));
}

/**
 * The mutation interpreter: writes one request's rows (and relations, and deletions) in the
 * writer's transaction, signing each, and records what it did in its `effects`.
 */
export class WriteContext {
  readonly effects: WriteEffects;
  private readonly now: number;
  private readonly author: Uint8Array;
  private readonly maxObjectSize: number;

  constructor(
    private readonly tx: WriteTransaction,
    private readonly options: StoreOptions,
    /** The request's parameters; a bulk insert sets them anew for each of its rows. */
    public params: Parameters,
    /** What the caller judged before this request; handed to the policy with every question. */
    grant: unknown = undefined,
  ) {
    this.effects = new WriteEffects(tx, options, grant);
    this.now = this.effects.now;
    this.author = this.effects.author;
    this.maxObjectSize = (options.maxObjectSizeInKb ?? 256) * 1024;
  }

  private read(operand: Operand): unknown {
    return operand.kind === 'value' ? operand.value : this.params[operand.name];
  }

  private readRoom(operand: Operand): Uint8Array | null {
    const value = this.read(operand);
    return value === null ? null : toId(value);
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
    const row = m.id ? await this.existingRow(m) : this.newRow(m, inheritedRoom);
    const result = this.writeRow(m, row);

    for (const { field, value } of m.relations) {
      if (value === null) {
        await this.removeEdges(row.id, entity, field, row.roomId, row.author, null);
        result[field.name] = field.kind === 'array' ? [] : null;
        continue;
      }
      const targets = Array.isArray(value) ? value : [value];
      const written: Record<string, unknown>[] = [];
      // A link that already exists is not rewritten: it keeps its author and date (rewriting
      // it would date a room's authorisation link to whoever last added a user to it). A single
      // relation set to another row drops its old link.
      const existing = row.isNew ? new Set<string>() : new Set((await this.tx.read('SELECT dest FROM _edge WHERE src = ? AND label = ?', [row.id, field.shortId])).map((r) => base64url(r.dest as Uint8Array)));
      for (const target of targets) {
        const child = await this.writeEntity(target, row.roomId);
        const dest = toId(child.id);
        if (field.kind === 'entity') {
          const others = [...existing].filter((d) => d !== child.id).map(fromBase64url);
          if (others.length) await this.removeEdges(row.id, entity, field, row.roomId, row.author, others);
        }
        if (!existing.has(String(child.id))) this.addEdge(row.id, entity, field, dest, row.roomId, row.author);
        written.push(child);
      }
      result[field.name] = Array.isArray(value) ? written : written[0];
    }
    return result;
  }

  /**
   * `writeEntity` for a mutation that only inserts (see `insertsOnly`): nothing needs reading,
   * so it runs without awaiting, which is what lets a bulk insert go at the database's pace.
   */
  insertEntity(m: ResolvedMutationEntity, inheritedRoom: Uint8Array | null): Record<string, unknown> {
    const row = this.newRow(m, inheritedRoom);
    const result = this.writeRow(m, row);
    for (const { field, value } of m.relations) {
      const targets = Array.isArray(value) ? value : [value!];
      const written = targets.map((target) => {
        const child = this.insertEntity(target, row.roomId);
        this.addEdge(row.id, m.entity, field, toId(child.id), row.roomId, row.author);
        return child;
      });
      result[field.name] = Array.isArray(value) ? written : written[0];
    }
    return result;
  }

  /** A new row: a fresh id, its defaults, and its room (given, the policy's, or its parent's). */
  private newRow(m: ResolvedMutationEntity, inheritedRoom: Uint8Array | null): RowState {
    const entity = m.entity;
    const id = uid(this.now);
    // Its defaults are in its layout (see writeRow); the object is only for a model without one.
    const json: Record<string, JsonValue> = {};
    if (!newRowLayout(m)) for (const field of entity.fields) if (field.default !== undefined) json[field.shortId] = field.default;
    // The policy may place a new row in a room of its own (core: a new sys.Room is its own
    // room); otherwise it is in its parent's room. Its sub-rows inherit it.
    const roomId = m.roomId ? this.readRoom(m.roomId) : (this.options.policy?.roomOfNewRow?.(entity, id) ?? inheritedRoom);
    this.effects.ask({ kind: 'insert', id, entity, roomId });
    this.effects.noteInserted(id);
    return { id, json, roomId, cdate: this.now, mdate: this.now, binary: null, previousFts: null, rewrite: true, author: this.author, isNew: true, previousJson: null, previousRoomId: roomId };
  }

  /** The stored row an update names, read back; NOT_FOUND when there is none of this entity. */
  private async existingRow(m: ResolvedMutationEntity): Promise<RowState> {
    const entity = m.entity;
    const id = toId(this.read(m.id!));
    const rows = await this.tx.read('SELECT * FROM _node WHERE id = ?', [id]);
    const old = rows[0];
    if (!old || old._entity !== entity.shortId) throw new StoreError('NOT_FOUND', `No ${entity.fullName} with id ${base64url(id)} to update`);
    const previousRoom = (old.room_id as Uint8Array | null) ?? null;
    const roomId = m.roomId ? this.readRoom(m.roomId) : previousRoom;
    const mdate = Math.max(this.now, Number(old.mdate) + 1);
    // An update that only adds relations leaves the row as it is: its author, date and
    // signature stay (adding a pet to Bob's Person must not make me its author). Only the new
    // links are written, signed by me.
    const rewrite = m.values.length > 0 || m.binary !== undefined || !equalBytes(previousRoom, roomId);
    if (rewrite) this.effects.ask({ kind: 'update', id, entity, roomId, previousRoomId: previousRoom, previousAuthor: old.verifying_key as Uint8Array });
    if (!equalBytes(previousRoom, roomId)) this.effects.dailyLog(previousRoom, entity, mdate);
    return {
      id,
      json: old._json ? (JSON.parse(String(old._json)) as Record<string, JsonValue>) : {},
      roomId,
      cdate: Number(old.cdate),
      mdate,
      binary: (old._binary as Uint8Array | null) ?? null,
      previousFts: (old._fts as number | null) ?? null,
      rewrite,
      author: rewrite ? this.author : (old.verifying_key as Uint8Array),
      isNew: false,
      previousJson: old._json ? String(old._json) : null,
      previousRoomId: previousRoom,
    };
  }

  /** Sets the request's values on the row and queues it, signed (relations aside); returns the written tuple. */
  private writeRow(m: ResolvedMutationEntity, row: RowState): Record<string, unknown> {
    const entity = m.entity;
    const { id, json, roomId, cdate, mdate } = row;
    const result: Record<string, unknown> = { id: base64url(id) };
    if (m.roomId) result.room_id = roomId ? base64url(roomId) : null;
    const layout = row.isNew ? newRowLayout(m) : null;
    const values: JsonValue[] = [];
    for (const { field, operand } of m.values) {
      const value = storedValue(field, this.read(operand));
      if (layout) values.push(value);
      else json[field.shortId] = value;
      result[field.name] = value;
    }
    let binary = row.binary;
    if (m.binary) {
      const value = this.read(m.binary);
      binary = value === null ? null : toId(value);
    }
    // A new row's text is written from its values; an update's from the stored object, which
    // may hold fields this data model does not name.
    const laidOut = layout ? newRowJson(layout, values) : null;
    const jsonText = laidOut ? laidOut.json : JSON.stringify(json);
    const binaryLength = binary?.length ?? 0;
    // A UTF-8 byte count only when the text could be over the limit: it costs more than the rest of a small row.
    const size = (jsonText.length * 3 + binaryLength <= this.maxObjectSize ? jsonText.length : utf8Length(jsonText)) + binaryLength;
    if (size > this.maxObjectSize) throw new StoreError('OBJECT_TOO_LARGE', `${entity.fullName} is ${Math.ceil(size / 1024)} KiB, over the ${this.maxObjectSize / 1024} KiB limit`);

    if (row.rewrite) {
      if (row.previousFts !== null) this.effects.forgetText(row.previousFts);
      const fts = laidOut ? this.effects.queueIndexText(entity, laidOut.text) : this.effects.queueText(entity, json);
      const signature = this.tx.sign(
        nodeSigningBytes({ id, roomId, entity: entity.shortId, cdate, mdate, json: jsonText, binary, verifyingKey: this.author }),
      );
      this.tx.queue(
        'INSERT OR REPLACE INTO _node (id, room_id, _entity, cdate, mdate, _json, _binary, verifying_key, _signature, _fts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        [id, roomId, entity.shortId, cdate, mdate, jsonText, binary, this.author, signature, fts],
      );
      this.effects.recordItem(roomId, { kind: 'node', ref: { kind: 'node', id }, entity: entity.shortId, date: mdate, signature });
      this.effects.noteRow(entity, roomId, row.isNew ? null : row.previousJson, jsonText, row.previousRoomId);
    }
    this.effects.dailyLog(roomId, entity, row.rewrite ? mdate : this.now);
    return result;
  }

  private addEdge(src: Uint8Array, entity: EntityDef, field: FieldDef, dest: Uint8Array, roomId: Uint8Array | null, srcAuthor: Uint8Array): void {
    this.effects.ask({ kind: 'edgeAdded', src, entity, field, dest, roomId, srcAuthor });
    const signature = this.tx.sign(
      edgeSigningBytes({ src, srcEntity: entity.shortId, label: field.shortId, dest, cdate: this.now, verifyingKey: this.author }),
    );
    this.tx.queue(
      'INSERT OR REPLACE INTO _edge (src, src_entity, label, dest, cdate, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [src, entity.shortId, field.shortId, dest, this.now, this.author, signature],
    );
    this.effects.recordItem(roomId, { kind: 'edge', ref: { kind: 'edge', src, label: field.shortId, dest }, entity: entity.shortId, date: this.now, signature });
  }

  /** Removes edges of `src` on `field` (all of them, or only those to `dests`), logging them for sync. */
  private async removeEdges(src: Uint8Array, entity: EntityDef, field: FieldDef, roomId: Uint8Array | null, srcAuthor: Uint8Array | null, dests: Uint8Array[] | null): Promise<void> {
    let rows: Row[] = [];
    if (!dests) rows = await this.tx.read('SELECT dest FROM _edge WHERE src = ? AND label = ?', [src, field.shortId]);
    else for (const d of dests) rows.push(...(await this.tx.read('SELECT dest FROM _edge WHERE src = ? AND label = ? AND dest = ?', [src, field.shortId, d])));
    for (const row of rows) {
      const dest = row.dest as Uint8Array;
      // Null author: the row itself is being deleted, which the policy already allowed.
      if (srcAuthor) this.effects.ask({ kind: 'edgeRemoved', src, entity, field, dest, roomId, srcAuthor });
      this.tx.queue('DELETE FROM _edge WHERE src = ? AND label = ? AND dest = ?', [src, field.shortId, dest]);
      if (roomId) {
        const signature = this.tx.sign(
          edgeDeletionSigningBytes({ roomId, src, label: field.shortId, dest, deletionDate: this.now, verifyingKey: this.author }),
        );
        this.tx.queue(
          'INSERT OR REPLACE INTO _edge_deletion_log (room_id, src, label, dest, deletion_date, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [roomId, src, field.shortId, dest, this.now, this.author, signature],
        );
        this.effects.recordItem(roomId, { kind: 'edgeDeletion', ref: { kind: 'edgeDeletion', src, label: field.shortId, dest, deletionDate: this.now }, entity: '', date: this.now, signature });
        this.effects.dailyLog(roomId, entity, this.now);
      }
    }
  }

  async deleteEntity(entity: EntityDef, idValue: unknown, relations: { field: FieldDef; ids: unknown[] }[]): Promise<void> {
    const id = toId(idValue);
    const rows = await this.tx.read('SELECT room_id, _entity, _fts, verifying_key, _json FROM _node WHERE id = ?', [id]);
    const row = rows[0];
    // Deleting what is not there is not an error: the result is the same.
    if (!row || row._entity !== entity.shortId) return;
    const roomId = (row.room_id as Uint8Array | null) ?? null;
    const author = row.verifying_key as Uint8Array;
    if (relations.length) {
      for (const r of relations) await this.removeEdges(id, entity, r.field, roomId, author, r.ids.map(toId));
      return;
    }
    this.effects.ask({ kind: 'delete', id, entity, roomId, previousAuthor: author });
    for (const field of entity.fields) if (field.kind !== 'scalar') await this.removeEdges(id, entity, field, roomId, null, null);
    this.tx.queue('DELETE FROM _node WHERE id = ?', [id]);
    this.effects.noteRow(entity, roomId, row._json === null ? null : String(row._json), null);
    if (row._fts !== null) this.effects.forgetText(row._fts as number);
    if (roomId) {
      const signature = this.tx.sign(
        nodeDeletionSigningBytes({ roomId, id, entity: entity.shortId, deletionDate: this.now, verifyingKey: this.author }),
      );
      this.tx.queue(
        'INSERT OR REPLACE INTO _node_deletion_log (room_id, id, entity, deletion_date, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?)',
        [roomId, id, entity.shortId, this.now, this.author, signature],
      );
      this.effects.recordItem(roomId, { kind: 'nodeDeletion', ref: { kind: 'nodeDeletion', id, deletionDate: this.now }, entity: entity.shortId, date: this.now, signature });
      this.effects.dailyLog(roomId, entity, this.now);
    }
  }
}

function storedValue(field: FieldDef, value: unknown): JsonValue {
  if (value === null || value === undefined) return null;
  if (field.scalar === 'Base64' && value instanceof Uint8Array) return base64url(value);
  if (typeof value === 'bigint') return Number(value);
  return value as JsonValue;
}

