import {
  base64url, edgeSigningBytes, fromBase64url, nodeSigningBytes, uid, verify, type CryptoPool, type SigningKey,
} from '@discret/crypto';
import {
  checkParameters, DataModel, validateDeletion, validateMutation, validateQuery,
  type EntityDef, type FieldDef, type JsonValue, type Operand, type Parameters, type ResolvedMutationEntity, type ResolvedQuery,
} from '@discret/lang';
import type { Row, SqlConnection, SqlValue, StoreDriver } from './driver.js';
import { sqlcipherDriver } from './drivers/sqlcipher.js';
import { StoreError } from './errors.js';
import { fieldPath, SCHEMA } from './schema.js';
import { bindValues, compileQuery } from './sql-query.js';
import type { BatchSigner, WriteTransaction } from './transaction.js';
import { GroupCommitWriter } from './writer.js';

const DAY = 86_400_000;

/** A write about to happen, handed to the `authorize` hook before anything is stored. */
export interface WriteCheck {
  action: 'insert' | 'update' | 'delete';
  entity: EntityDef;
  /** Room of the entity after the write (before it, for a delete); null for local data. */
  roomId: Uint8Array | null;
  /** Room before an update that moves the entity. */
  previousRoomId?: Uint8Array | null;
  /** Author of the existing row, for updates and deletes. */
  previousAuthor?: Uint8Array;
  verifyingKey: Uint8Array;
  date: number;
}

/** Rooms, entities and days (epoch ms at 00:00 UTC) touched by committed writes. */
export type ChangedDays = Map<string, Map<string, Set<number>>>;

export interface StoreOptions {
  /** Database file path. */
  path: string;
  /** 32-byte database key (ignored by unencrypted drivers). */
  key: Uint8Array;
  /** Signs every row this store writes. */
  signingKey: SigningKey;
  /** Storage engine; SQLCipher by default. */
  driver?: StoreDriver;
  /** Built-in namespaces (the `sys` model) placed before the app's data model. */
  builtins?: DataModel;
  maxObjectSizeInKb?: number;
  writeBufferLength?: number;
  /** Signs large write batches on worker threads; without it, signing stays on this thread. */
  cryptoPool?: CryptoPool;
  /**
   * Throws to refuse a write (e.g. AUTHORISATION_DENIED); runs inside the transaction and
   * reads through `reader`, which sees the transaction's earlier writes.
   */
  authorize?: (check: WriteCheck, reader: Pick<SqlConnection, 'all'>) => Promise<void> | void;
  /** Told after each commit which rooms, entities (full names) and days changed. */
  onChange?: (changes: ChangedDays) => void;
}

type WriteOutcome<T> = { result: T; changes: ChangedDays; textQueued?: boolean };

/** How long written text may wait before it enters the full-text index (search() never waits for it). */
const TEXT_INDEX_DELAY_MS = 250;
/** Index at once when this many writes have queued text. */
const TEXT_INDEX_BATCH = 4096;

/**
 * The encrypted, signed graph store. Entities are nodes, relations are edges; both are
 * signed with the user's key when written. Requests are validated by @discret/lang and
 * queries are compiled to one SQL statement per alias.
 */
export class Store {
  private model: DataModel;
  private closed = false;
  /** Whether _fts_pending may hold text (true at open: a crash may have left some). */
  private textPending = true;
  private textQueuedSinceIndex = 0;
  private textTimer: ReturnType<typeof setTimeout> | null = null;

  private constructor(
    private readonly options: StoreOptions,
    private readonly writerConn: SqlConnection,
    private readonly reader: SqlConnection,
    private readonly writer: GroupCommitWriter,
    model: DataModel,
  ) {
    this.model = model;
  }

  /** Opens (creating if needed) a store. Throws StoreError WRONG_KEY for a wrong key. */
  static async open(options: StoreOptions): Promise<Store> {
    const driver = options.driver ?? sqlcipherDriver();
    const writerConn = await driver.open({ path: options.path, key: options.key });
    let reader: SqlConnection | undefined;
    try {
      await writerConn.exec(SCHEMA);
      reader = await driver.open({ path: options.path, key: options.key, readonly: true });
      const rows = await writerConn.all('SELECT text FROM _data_model ORDER BY version DESC LIMIT 1');
      const text = rows[0] ? String(rows[0].text) : '';
      const model = DataModel.parse(text, { builtins: options.builtins });
      let store!: Store;
      const { cryptoPool, signingKey } = options;
      const signer: BatchSigner = cryptoPool
        ? (messages) => cryptoPool.signAll(signingKey, messages)
        : async (messages) => messages.map((m) => signingKey.sign(m));
      const writer = new GroupCommitWriter(writerConn, options.writeBufferLength ?? 1024, signer, (committed) => store.notify(committed));
      store = new Store(options, writerConn, reader, writer, model);
      return store;
    } catch (err) {
      await reader?.close();
      await writerConn.close();
      throw err;
    }
  }

  get dataModel(): DataModel {
    return this.model;
  }

  /** Counters for diagnostics: transactions committed by the writer so far. */
  get stats(): { transactions: number } {
    return { transactions: this.writer.commits };
  }

  /**
   * Installs or updates the app's data model. The first call sets it; later calls must be
   * safe updates (see `DataModel.update`). The same text again is a no-op.
   */
  async setDataModel(text: string): Promise<DataModel> {
    this.assertOpen();
    return this.writer.write(async (tx) => {
      if (text === this.model.text) return this.model;
      const next = this.model.text === '' && this.model.namespaces.every((ns) => ns.builtin)
        ? DataModel.parse(text, { builtins: this.options.builtins })
        : this.model.update(text);
      await tx.execute('INSERT INTO _data_model (version, text, date) VALUES ((SELECT coalesce(max(version), 0) + 1 FROM _data_model), ?, ?)', [text, Date.now()]);
      for (const entity of next.entities.values()) {
        for (const fields of entity.indexes) {
          // (_entity, fields...): queries always pin _entity, so with it first the planner
          // takes this index for both the filter and the order (a partial index on the
          // expression alone lost to _node_entity_mdate and sorted every row).
          const name = `_idx_${entity.shortId.replace('.', '_')}_${fields.join('_')}`;
          const columns = fields.map((f) => {
            const field = entity.fieldsByName.get(f);
            return field ? `(_json ->> ${fieldPath(field.shortId)})` : f;
          });
          await tx.execute(`CREATE INDEX IF NOT EXISTS "${name}" ON _node (_entity, ${columns.join(', ')})`);
        }
      }
      this.model = next;
      return next;
    });
  }

  /** Runs a query: `{ alias: rows[] }`, each row shaped by its projection. */
  async query(text: string | ResolvedQuery, params?: Parameters): Promise<Record<string, unknown[]>> {
    this.assertOpen();
    const resolved = typeof text === 'string' ? validateQuery(this.model, text) : text;
    checkParameters(resolved.parameters, params);
    const compiled = compileQuery(resolved);
    if (compiled.usesFullText && this.textPending) await this.indexText();
    const result: Record<string, unknown[]> = {};
    for (const statement of compiled.statements) {
      const rows = await this.reader.all(statement.sql, bindValues(statement.binders, params));
      result[statement.alias] = rows.map((row) => JSON.parse(row.r as string) as unknown);
    }
    return result;
  }

  /** Runs a mutation, all-or-nothing; returns the written tuples keyed by alias. */
  async mutate(text: string, params?: Parameters): Promise<Record<string, Record<string, unknown>>> {
    this.assertOpen();
    const resolved = validateMutation(this.model, text);
    checkParameters(resolved.parameters, params);
    const outcome = await this.writer.write(async (tx): Promise<WriteOutcome<Record<string, Record<string, unknown>>>> => {
      const ctx = new WriteContext(tx, this.options, params ?? {});
      const result: Record<string, Record<string, unknown>> = {};
      for (const entity of resolved.entities) result[entity.alias] = await ctx.writeEntity(entity, null);
      return { result, changes: ctx.changes, textQueued: ctx.textQueued };
    });
    return outcome.result;
  }

  /** Runs a deletion: entities (with their outgoing edges) or only the named edges. */
  async delete(text: string, params?: Parameters): Promise<void> {
    this.assertOpen();
    const resolved = validateDeletion(this.model, text);
    checkParameters(resolved.parameters, params);
    await this.writer.write(async (tx): Promise<WriteOutcome<void>> => {
      const ctx = new WriteContext(tx, this.options, params ?? {});
      for (const entity of resolved.entities) await ctx.deleteEntity(entity.entity, params![entity.id], entity.relations.map((r) => ({ field: r.field, ids: r.ids.map((name) => params![name]) })));
      return { result: undefined, changes: ctx.changes };
    });
  }

  /** Verifies the signature of every stored node and edge; returns the ids that fail. */
  async checkIntegrity(): Promise<{ nodes: string[]; edges: string[] }> {
    this.assertOpen();
    const nodes = (await this.reader.all('SELECT * FROM _node')).filter((row) => !verifyNodeRow(row)).map((row) => base64url(row.id as Uint8Array));
    const edges = (await this.reader.all('SELECT * FROM _edge')).filter((row) => !verifyEdgeRow(row)).map((row) => `${base64url(row.src as Uint8Array)}:${row.label}`);
    return { nodes, edges };
  }

  /** Low-level read access for the packages that build on the store (rooms, sync). */
  async readRows(sql: string, params: SqlValue[] = []): Promise<Row[]> {
    this.assertOpen();
    return this.reader.all(sql, params);
  }

  /**
   * Moves queued text into the full-text index. Runs by itself shortly after writes and
   * before any search(); callers never need it for correctness.
   */
  async indexText(): Promise<void> {
    if (this.textTimer) clearTimeout(this.textTimer);
    this.textTimer = null;
    this.textQueuedSinceIndex = 0;
    this.textPending = false;
    await this.writer.write(async (tx) => {
      await tx.execute('INSERT INTO _fts (rowid, text) SELECT id, text FROM _fts_pending');
      await tx.execute('DELETE FROM _fts_pending');
    });
  }

  /** Flushes pending writes and closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.textPending) await this.indexText().catch(() => {}); // left pending, it is indexed at the next search
    this.closed = true;
    await this.writer.close();
    await this.reader.close();
    await this.writerConn.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('CLOSED', 'The store is closed');
  }

  /** After a commit that queued text: index it soon, or now if much has piled up. */
  private scheduleTextIndex(count: number): void {
    this.textPending = true;
    this.textQueuedSinceIndex += count;
    if (this.closed) return;
    if (this.textQueuedSinceIndex >= TEXT_INDEX_BATCH) {
      void this.indexText().catch(() => {});
      return;
    }
    if (this.textTimer) return;
    this.textTimer = setTimeout(() => {
      this.textTimer = null;
      if (!this.closed) void this.indexText().catch(() => {});
    }, TEXT_INDEX_DELAY_MS);
    this.textTimer.unref?.();
  }

  private notify(committed: unknown[]): void {
    const texts = committed.filter((o) => (o as Partial<WriteOutcome<unknown>> | undefined)?.textQueued).length;
    if (texts) this.scheduleTextIndex(texts);
    if (!this.options.onChange) return;
    const merged: ChangedDays = new Map();
    for (const outcome of committed) {
      const changes = (outcome as Partial<WriteOutcome<unknown>> | undefined)?.changes;
      if (!changes) continue;
      for (const [room, entities] of changes) {
        const into = merged.get(room) ?? new Map<string, Set<number>>();
        merged.set(room, into);
        for (const [entity, days] of entities) {
          const set = into.get(entity) ?? new Set<number>();
          into.set(entity, set);
          for (const d of days) set.add(d);
        }
      }
    }
    if (merged.size) this.options.onChange(merged);
  }
}

/** Verifies a stored node row's signature against its own verifying key. */
export function verifyNodeRow(row: Row): boolean {
  const bytes = nodeSigningBytes({
    id: row.id as Uint8Array,
    roomId: (row.room_id as Uint8Array | null) ?? null,
    entity: String(row._entity),
    cdate: Number(row.cdate),
    mdate: Number(row.mdate),
    json: (row._json as string | null) ?? null,
    binary: (row._binary as Uint8Array | null) ?? null,
    verifyingKey: row.verifying_key as Uint8Array,
  });
  return verify(row.verifying_key as Uint8Array, bytes, row._signature as Uint8Array);
}

/** Verifies a stored edge row's signature. */
export function verifyEdgeRow(row: Row): boolean {
  const bytes = edgeSigningBytes({
    src: row.src as Uint8Array,
    srcEntity: String(row.src_entity),
    label: String(row.label),
    dest: row.dest as Uint8Array,
    cdate: Number(row.cdate),
    verifyingKey: row.verifying_key as Uint8Array,
  });
  return verify(row.verifying_key as Uint8Array, bytes, row._signature as Uint8Array);
}

function toId(value: unknown): Uint8Array {
  return value instanceof Uint8Array ? value : fromBase64url(String(value));
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

/** The state of one write request while it runs in the writer's transaction. */
class WriteContext {
  readonly changes: ChangedDays = new Map();
  /** Whether this write queued text for the full-text index. */
  textQueued = false;
  private readonly now = Date.now();
  private readonly author: Uint8Array;

  constructor(
    private readonly tx: WriteTransaction,
    private readonly options: StoreOptions,
    private readonly params: Parameters,
  ) {
    this.author = options.signingKey.publicKey;
  }

  private read(operand: Operand): unknown {
    return operand.kind === 'value' ? operand.value : this.params[operand.name];
  }

  private readRoom(operand: Operand): Uint8Array | null {
    const value = this.read(operand);
    return value === null ? null : toId(value);
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

  private async dailyLog(roomId: Uint8Array | null, entity: EntityDef, date: number): Promise<void> {
    if (!roomId) return;
    this.logChange(roomId, entity, date);
    const day = Math.floor(date / DAY) * DAY;
    this.tx.queueOnce(`${base64url(roomId)}/${entity.shortId}/${day}`, 'INSERT OR IGNORE INTO _daily_log (room_id, entity, day) VALUES (?, ?, ?)', [roomId, entity.shortId, day]);
  }

  private async authorize(check: Omit<WriteCheck, 'verifyingKey' | 'date'>): Promise<void> {
    await this.options.authorize?.({ ...check, verifyingKey: this.author, date: this.now }, this.tx.reader);
  }

  /** Removes a row's text from the full-text index, wherever it is yet. */
  private forgetText(rowid: number): void {
    this.tx.queue('DELETE FROM _fts_pending WHERE id = ?', [rowid]);
    this.tx.queue('DELETE FROM _fts WHERE rowid = ?', [rowid]);
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
      await this.authorize({ action: 'update', entity, roomId, previousRoomId: previousRoom, previousAuthor: old.verifying_key as Uint8Array });
      if (!sameBytes(previousRoom, roomId)) await this.dailyLog(previousRoom, entity, mdate);
    } else {
      id = uid(this.now);
      json = {};
      for (const field of entity.fields) if (field.default !== undefined) json[field.shortId] = field.default;
      roomId = m.roomId ? this.readRoom(m.roomId) : inheritedRoom;
      await this.authorize({ action: 'insert', entity, roomId });
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

    let fts: number | null = null;
    if (previousFts !== null) this.forgetText(previousFts);
    if (entity.fullTextIndex) {
      const text = entity.fields.filter((f) => f.scalar === 'String' && typeof json[f.shortId] === 'string').map((f) => json[f.shortId]).join('\n');
      if (text) {
        fts = await this.tx.ftsRowid();
        this.tx.queue('INSERT INTO _fts_pending (id, text) VALUES (?, ?)', [fts, text]);
        this.textQueued = true;
      }
    }
    const signature = this.tx.sign(
      nodeSigningBytes({ id, roomId, entity: entity.shortId, cdate, mdate, json: jsonText, binary, verifyingKey: this.author }),
    );
    this.tx.queue(
      'INSERT OR REPLACE INTO _node (id, room_id, _entity, cdate, mdate, _json, _binary, verifying_key, _signature, _fts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [id, roomId, entity.shortId, cdate, mdate, jsonText, binary, this.author, signature, fts],
    );
    await this.dailyLog(roomId, entity, mdate);

    for (const { field, value } of m.relations) {
      if (value === null || field.kind === 'entity') await this.removeEdges(id, entity, field, roomId, null);
      if (value === null) {
        result[field.name] = field.kind === 'array' ? [] : null;
        continue;
      }
      const targets = Array.isArray(value) ? value : [value];
      const written: Record<string, unknown>[] = [];
      for (const target of targets) {
        const child = await this.writeEntity(target, roomId);
        await this.addEdge(id, entity, field, toId(child.id));
        written.push(child);
      }
      result[field.name] = Array.isArray(value) ? written : written[0];
    }
    return result;
  }

  private async addEdge(src: Uint8Array, entity: EntityDef, field: FieldDef, dest: Uint8Array): Promise<void> {
    const signature = this.tx.sign(
      edgeSigningBytes({ src, srcEntity: entity.shortId, label: field.shortId, dest, cdate: this.now, verifyingKey: this.author }),
    );
    this.tx.queue(
      'INSERT OR REPLACE INTO _edge (src, src_entity, label, dest, cdate, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [src, entity.shortId, field.shortId, dest, this.now, this.author, signature],
    );
  }

  /** Removes edges of `src` on `field` (all of them, or only those to `dests`), logging them for sync. */
  private async removeEdges(src: Uint8Array, entity: EntityDef, field: FieldDef, roomId: Uint8Array | null, dests: Uint8Array[] | null): Promise<void> {
    let rows: Row[] = [];
    if (!dests) rows = await this.tx.read('SELECT dest FROM _edge WHERE src = ? AND label = ?', [src, field.shortId]);
    else for (const d of dests) rows.push(...(await this.tx.read('SELECT dest FROM _edge WHERE src = ? AND label = ? AND dest = ?', [src, field.shortId, d])));
    for (const row of rows) {
      const dest = row.dest as Uint8Array;
      this.tx.queue('DELETE FROM _edge WHERE src = ? AND label = ? AND dest = ?', [src, field.shortId, dest]);
      if (roomId) {
        const signature = this.tx.sign(
          edgeSigningBytes({ src, srcEntity: entity.shortId, label: field.shortId, dest, cdate: this.now, verifyingKey: this.author }),
        );
        this.tx.queue(
          'INSERT OR REPLACE INTO _edge_deletion_log (room_id, src, label, dest, deletion_date, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [roomId, src, field.shortId, dest, this.now, this.author, signature],
        );
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
    await this.authorize({ action: relations.length ? 'update' : 'delete', entity, roomId, previousAuthor: row.verifying_key as Uint8Array });
    if (relations.length) {
      for (const r of relations) await this.removeEdges(id, entity, r.field, roomId, r.ids.map(toId));
      return;
    }
    for (const field of entity.fields) if (field.kind !== 'scalar') await this.removeEdges(id, entity, field, roomId, null);
    this.tx.queue('DELETE FROM _node WHERE id = ?', [id]);
    if (row._fts !== null) this.forgetText(row._fts as number);
    if (roomId) {
      const signature = this.tx.sign(
        nodeSigningBytes({ id, roomId, entity: entity.shortId, cdate: this.now, mdate: this.now, json: null, binary: null, verifyingKey: this.author }),
      );
      this.tx.queue(
        'INSERT OR REPLACE INTO _node_deletion_log (room_id, id, entity, deletion_date, verifying_key, _signature) VALUES (?, ?, ?, ?, ?, ?)',
        [roomId, id, entity.shortId, this.now, this.author, signature],
      );
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

