import {
  checkParameters, DataModel, LanguageError, validateDeletion, validateMutation, validateQuery,
  type Parameters, type ResolvedMutation, type ResolvedQuery,
} from '@discret/lang';
import { componentLogger, type Logger, silentLogger } from '@discret/log';
import type { DatabaseLock, Row, SqlConnection, SqlValue } from './driver.js';
import { defaultDriver } from './default-driver.js';
import { StoreError, throwIfAborted } from './errors.js';
import { fieldPath, SCHEMA } from './schema.js';
import { bindValues, compileQuery } from './sql-query.js';
import { type ImportReport, RecordImporter, verifyRecords } from './import.js';
import { badSignatures } from './integrity.js';
import { nodeRecord, type NodeRecord, type RecordBatch } from './records.js';
import { lackedItems, listRoomItems, type PageFilter, readRoomPage, readRoomRecords, type RecordPage, type RecordRef, type RoomItem } from './room-items.js';
import { TextIndexer } from './text-index.js';
import { yieldToEventLoop } from './yield.js';
import type { BatchSigner } from './transaction.js';
import type { ChangedDays, ChangedItems, ChangedRow, ChangeSources, ImportOptions, RequestOptions, StoreOptions, TouchedEntities, WriteOutcome } from './types.js';
import { insertsOnly as insertsOnlyEntity, WriteContext } from './write-context.js';
import { BULK_STEP, MAX_CHANGED_ROWS, MAX_ITEMS_PER_ROOM } from './write-effects.js';
import { GroupCommitWriter } from './writer.js';
import { BLOB_SCHEMA, BlobTable } from './blobs.js';
import { InsertCoalescer } from './coalesced-inserts.js';

/** Whether a validated mutation only inserts (computed once per mutation, which the caches keep). */
const insertsOnly = new WeakMap<ResolvedMutation, boolean>();


/**
 * The encrypted, signed graph store. Entities are nodes, relations are edges; both are
 * signed with the user's key when written. Requests are validated by @discret/lang and
 * queries are compiled to one SQL statement per alias.
 */
export class Store<Grant = unknown> {
  private model: DataModel;
  private closed = false;
  private readonly text: TextIndexer;
  private readonly inserts: InsertCoalescer;
  /** Blob bytes (files), in this database. */
  readonly blobs: BlobTable;

  private constructor(
    private readonly options: StoreOptions<Grant>,
    private readonly writerConn: SqlConnection,
    private readonly reader: SqlConnection,
    private readonly writer: GroupCommitWriter,
    model: DataModel,
    /** Held while open: one process at a time per database file. */
    private readonly lock: DatabaseLock | undefined,
    log: Logger,
  ) {
    this.model = model;
    this.text = new TextIndexer(writer, log);
    this.blobs = new BlobTable(writer, reader);
    this.inserts = new InsertCoalescer(writer, options);
  }

  /** Opens (creating if needed) a store. Throws StoreError WRONG_KEY for a wrong key. */
  static async open<Grant = unknown>(options: StoreOptions<Grant>): Promise<Store<Grant>> {
    const driver = options.driver ?? defaultDriver();
    const inMemory = options.path === ':memory:';
    const lock = inMemory ? undefined : await driver.lock?.(options.path);
    let writerConn: SqlConnection | undefined;
    let reader: SqlConnection | undefined;
    try {
      if (!inMemory) refuseEmptyFile(options.path, await driver.fileSize?.(options.path));
      writerConn = await driver.open({ path: options.path, key: options.key, cacheSizeKb: options.writeCacheSizeInKb ?? 2048 });
      await writerConn.exec(SCHEMA + BLOB_SCHEMA);
      reader = await driver.open({ path: options.path, key: options.key, readonly: true, cacheSizeKb: options.readCacheSizeInKb });
      const rows = await writerConn.all('SELECT text FROM _data_model ORDER BY version DESC LIMIT 1');
      const text = rows[0] ? String(rows[0].text) : '';
      const model = DataModel.parse(text, { builtins: options.builtins });
      let store!: Store<Grant>;
      const { cryptoPool, signingKey } = options;
      const signer: BatchSigner = cryptoPool
        ? (messages) => cryptoPool.signAll(signingKey, messages)
        : async (messages) => messages.map((m) => signingKey.sign(m));
      const log = componentLogger(options.logger ?? silentLogger, 'store');
      const openCheckpointer = driver.openCheckpointer && options.path !== ':memory:'
        ? () => driver.openCheckpointer!({ path: options.path, key: options.key }, (reason) => log.warn({ reason }, 'checkpoint thread failed; the writer checkpoints again'))
        : undefined;
      const writer = new GroupCommitWriter(writerConn, options.writeBufferLength ?? 1024, signer, (committed) => store.notify(committed), openCheckpointer);
      store = new Store(options, writerConn, reader, writer, model, lock, log);
      return store;
    } catch (err) {
      await reader?.close();
      await writerConn?.close();
      lock?.release();
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
    // Anything but a resolved query goes to the validator, which refuses what is not text.
    const resolved = isResolved(text, 'query') ? text : validateQuery(this.model, text);
    checkParameters(resolved.parameters, params);
    const compiled = compileQuery(resolved);
    if (compiled.usesFullText && this.text.hasPending) await this.text.indexNow();
    const result: Record<string, unknown[]> = {};
    for (const statement of compiled.statements) {
      let rows: Row[];
      try {
        rows = await this.reader.all(statement.sql, bindValues(statement.binders, params));
      } catch (err) {
        this.writer.noteFailure(err); // a damaged page found by a read stops the writes too
        throw err;
      }
      result[statement.alias] = rows.map((row) => JSON.parse(row.r as string) as unknown);
    }
    return result;
  }

  /**
   * Runs a mutation, all-or-nothing; returns the written tuples keyed by alias. Calls of the
   * same insert-only mutation issued together are written as one job (coalesced-inserts.ts).
   */
  async mutate(text: string | ResolvedMutation, params?: Parameters, options: RequestOptions<Grant> = {}): Promise<Record<string, Record<string, unknown>>> {
    this.assertOpen();
    throwIfAborted(options.signal);
    const resolved = isResolved(text, 'mutation') ? text : validateMutation(this.model, text);
    if (!this.insertsOnly(resolved)) return (await this.mutateMany(resolved, [params ?? {}], options))[0]!;
    checkParameters(resolved.parameters, params);
    return this.inserts.add(resolved, options.grant, params ?? {}, options.signal);
  }

  private insertsOnly(resolved: ResolvedMutation): boolean {
    let only = insertsOnly.get(resolved);
    if (only === undefined) {
      only = resolved.entities.every(insertsOnlyEntity);
      insertsOnly.set(resolved, only);
    }
    return only;
  }

  /**
   * Runs one mutation once per parameter set, all in one transaction: all are written, or
   * none (the first failure rejects the call and undoes the rest). The bulk-load path: the
   * request is validated once, every parameter set is checked before anything is written
   * (a `TYPE_MISMATCH` names its index), and a mutation that only inserts is written without
   * a read, so rows are built while the workers sign the ones before. Returns the written
   * tuples, in order. A call is never split between transactions; load a large data set in
   * calls of some thousands of rows, so that each commits and its memory is freed.
   */
  async mutateMany(text: string | ResolvedMutation, paramSets: readonly Parameters[], options: RequestOptions<Grant> = {}): Promise<Record<string, Record<string, unknown>>[]> {
    this.assertOpen();
    throwIfAborted(options.signal);
    const resolved = isResolved(text, 'mutation') ? text : validateMutation(this.model, text);
    if (paramSets.length === 1) checkParameters(resolved.parameters, paramSets[0]);
    else {
      paramSets.forEach((params, index) => {
        try {
          checkParameters(resolved.parameters, params);
        } catch (err) {
          if (!(err instanceof LanguageError)) throw err;
          const message = err.message.replace(/ \(line \d+, column \d+\)$/, '');
          throw new LanguageError(err.code, `parameter set ${index}: ${message}`, { line: err.line, column: err.column });
        }
      });
    }
    if (!paramSets.length) return [];
    const insertOnly = this.insertsOnly(resolved);
    const outcome = await this.writer.write(async (tx): Promise<WriteOutcome<Record<string, Record<string, unknown>>[]>> => {
      throwIfAborted(options.signal);
      await tx.loadFtsRowid();
      const ctx = new WriteContext(tx, this.options, paramSets[0]!, options.grant);
      const results: Record<string, Record<string, unknown>>[] = [];
      for (let i = 0; i < paramSets.length; i++) {
        ctx.params = paramSets[i]!;
        const result: Record<string, Record<string, unknown>> = {};
        for (const entity of resolved.entities) {
          result[entity.alias] = insertOnly ? ctx.insertEntity(entity, null) : await ctx.writeEntity(entity, null);
        }
        results.push(result);
        if (i % BULK_STEP === BULK_STEP - 1) {
          throwIfAborted(options.signal);
          // Write what is signed so far; let the workers' answers in.
          if (await tx.flushReady()) await yieldToEventLoop();
        }
      }
      return ctx.effects.outcome(results);
    }, paramSets.length);
    return outcome.result;
  }

  /** Runs a deletion: entities (with their outgoing edges) or only the named edges. */
  async delete(text: string, params?: Parameters, options: RequestOptions<Grant> = {}): Promise<void> {
    this.assertOpen();
    throwIfAborted(options.signal);
    const resolved = validateDeletion(this.model, text);
    checkParameters(resolved.parameters, params);
    await this.writer.write(async (tx): Promise<WriteOutcome<void>> => {
      throwIfAborted(options.signal);
      const ctx = new WriteContext(tx, this.options, params ?? {}, options.grant);
      for (const entity of resolved.entities) await ctx.deleteEntity(entity.entity, params![entity.id], entity.relations.map((r) => ({ field: r.field, ids: r.ids.map((name) => params![name]) })));
      return ctx.effects.outcome(undefined);
    });
  }

  /**
   * SQLite's check of the file's structure (`PRAGMA quick_check`): the problems found, none
   * when the file is sound. A damaged file also stops the store's writes from then on.
   */
  async checkFile(): Promise<string[]> {
    this.assertOpen();
    let problems: string[];
    try {
      problems = (await this.reader.all('PRAGMA quick_check(20)')).map((row) => String(Object.values(row)[0])).filter((text) => text !== 'ok');
    } catch (err) {
      if (!(err instanceof StoreError) || err.code !== 'CORRUPT_DATABASE') throw err;
      problems = [err.message];
    }
    if (problems.length) this.writer.noteFailure(new StoreError('CORRUPT_DATABASE', `The database file is damaged: ${problems[0]}`));
    return problems;
  }

  /**
   * Verifies the signature of every stored node, edge and deletion record; returns those that
   * fail (node ids; `src:label` for edges; `room:id` / `room:src:label` for deletions).
   */
  async checkIntegrity(): Promise<{ nodes: string[]; edges: string[]; deletions: string[] }> {
    this.assertOpen();
    return badSignatures(this.reader);
  }

  /**
   * Stores records received from a peer: each is verified (signature first, then rights at
   * its own date through `authorize`), newer versions replace older ones, deletions apply.
   * Every record is accepted or rejected alone; the report says which.
   */
  async importRecords(batch: RecordBatch, options: ImportOptions<Grant> = {}): Promise<ImportReport> {
    this.assertOpen();
    throwIfAborted(options.signal);
    const { valid, rejected } = await verifyRecords(batch, this.options.cryptoPool);
    if (options.strict && rejected.length) {
      const first = rejected[0]!;
      throw new StoreError(first.code === 'INVALID_SIGNATURE' ? 'INVALID_SIGNATURE' : 'INVALID_RECORD', `${rejected.length} record(s) refused, nothing imported; first: ${first.kind} ${first.id}: ${first.message}`);
    }
    const outcome = await this.writer.write(async (tx): Promise<WriteOutcome<ImportReport>> => {
      throwIfAborted(options.signal);
      await tx.loadFtsRowid();
      const importer = new RecordImporter(tx, this.options, this.model, options.grant, new Set(options.localEntities ?? []));
      await importer.run(valid);
      importer.report.rejected.unshift(...rejected);
      return importer.ctx.outcome(importer.report, options.source);
    });
    return outcome.result;
  }

  /**
   * Every record of a room as sync compares them (kind, entity, date, signature and a
   * reference to read it back), without payloads. One read transaction.
   */
  async roomItems(roomId: Uint8Array): Promise<RoomItem[]> {
    this.assertOpen();
    return listRoomItems(this.reader, roomId);
  }

  /** The items (announced by a peer) this store lacks: neither that version nor a newer one, nor a deletion since. */
  async lacks(roomId: Uint8Array, items: readonly RoomItem[]): Promise<RoomItem[]> {
    this.assertOpen();
    return lackedItems(this.reader, roomId, items);
  }

  /**
   * A page of a room's records from `cursor` (null: the start), about `maxBytes` of them
   * measured by `sizeOf`, and the next cursor (null at the end). No payload-free listing first:
   * what a new device needs.
   */
  async readPage(roomId: Uint8Array, filter: PageFilter, cursor: Uint8Array | null, maxBytes: number, sizeOf: (record: unknown) => number): Promise<RecordPage> {
    this.assertOpen();
    return readRoomPage(this.reader, roomId, filter, cursor, maxBytes, sizeOf);
  }

  /** How many records a room has (nodes, the edges leaving them, deletions), counted by SQLite. */
  async countRoomItems(roomId: Uint8Array): Promise<number> {
    this.assertOpen();
    const [row] = await this.reader.all(`SELECT
      (SELECT count(*) FROM _node WHERE room_id = ?)
      + (SELECT count(*) FROM _edge e JOIN _node n ON n.id = e.src WHERE n.room_id = ?)
      + (SELECT count(*) FROM _node_deletion_log WHERE room_id = ?)
      + (SELECT count(*) FROM _edge_deletion_log WHERE room_id = ?) AS n`, [roomId, roomId, roomId, roomId]);
    return Number(row?.n ?? 0);
  }

  /** The records behind references from `roomItems`, those still in the room. */
  async readRecords(roomId: Uint8Array, refs: readonly RecordRef[]): Promise<Required<RecordBatch>> {
    this.assertOpen();
    return readRoomRecords(this.reader, roomId, refs);
  }

  /** The signed record of one node, wherever it is (room or local data), or undefined. */
  async nodeRecord(id: Uint8Array): Promise<NodeRecord | undefined> {
    this.assertOpen();
    const [row] = await this.reader.all('SELECT * FROM _node WHERE id = ?', [id]);
    return row ? nodeRecord(row) : undefined;
  }

  /** A value of the database's private settings table (`_config`), or undefined. */
  async getConfig(key: string): Promise<SqlValue | undefined> {
    this.assertOpen();
    const rows = await this.reader.all('SELECT value FROM _config WHERE key = ?', [key]);
    return rows[0]?.value;
  }

  /** Sets a value of `_config` (encrypted like everything else; never synchronised). */
  async setConfig(key: string, value: SqlValue): Promise<void> {
    this.assertOpen();
    await this.writer.write((tx) => tx.execute('INSERT OR REPLACE INTO _config (key, value) VALUES (?, ?)', [key, value]));
  }

  /**
   * Moves queued text into the full-text index. Runs by itself shortly after writes and
   * before any search(); callers never need it for correctness.
   */
  indexText(): Promise<void> {
    this.assertOpen();
    return this.text.indexNow();
  }

  /** Flushes pending writes and closes both connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.text.stop();
    this.closed = true;
    await this.writer.close();
    await this.reader.close();
    await this.writerConn.close();
    this.lock?.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('CLOSED', 'The store is closed');
  }

  private notify(committed: unknown[]): void {
    const texts = committed.filter((o) => (o as Partial<WriteOutcome<unknown>> | undefined)?.textQueued).length;
    if (texts) this.text.queued(texts);
    if (!this.options.onChange) return;
    const merged: ChangedDays = new Map();
    const sources: ChangeSources = new Map();
    const items: ChangedItems = new Map();
    const touched: TouchedEntities = new Map();
    let rows: ChangedRow[] | null = [];
    for (const outcome of committed) {
      const changes = (outcome as Partial<WriteOutcome<unknown>> | undefined)?.changes;
      if (!changes) continue;
      const listed = (outcome as WriteOutcome<unknown>).rows;
      if (listed === null || rows === null || rows.length + (listed?.length ?? 0) > MAX_CHANGED_ROWS) rows = null;
      else if (listed) for (const row of listed) rows.push(row);
      for (const [room, entities] of (outcome as WriteOutcome<unknown>).touched ?? []) {
        const into = touched.get(room);
        if (into) for (const e of entities) into.add(e);
        else touched.set(room, new Set(entities));
      }
      const source = (outcome as Partial<WriteOutcome<unknown>>).source ?? null;
      for (const [room, written] of (outcome as WriteOutcome<unknown>).items ?? []) {
        const into = items.get(room);
        if (into === null) continue;
        if (written === null || (into?.length ?? 0) + written.length > MAX_ITEMS_PER_ROOM) {
          items.set(room, null);
          continue;
        }
        // Signatures were slots while queued; the commit filled them.
        const done = written.map((it): RoomItem => ({ ...it, signature: it.signature instanceof Uint8Array ? it.signature : it.signature.value! }));
        items.set(room, [...(into ?? []), ...done]);
      }
      for (const [room, entities] of changes) {
        const from = sources.get(room) ?? new Set<string | null>();
        sources.set(room, from.add(source));
        const into = merged.get(room) ?? new Map<string, Set<number>>();
        merged.set(room, into);
        for (const [entity, days] of entities) {
          const set = into.get(entity) ?? new Set<number>();
          into.set(entity, set);
          for (const d of days) set.add(d);
        }
      }
    }
    if (merged.size || touched.size) this.options.onChange(merged, sources, items, touched, rows);
  }
}

/**
 * A database file that exists but is empty is a failed copy or restore, not a new database:
 * opening it would silently start over with an empty database and a new identity. It is
 * refused. (No other store can be creating it right now: the caller holds the file's lock.)
 */
function refuseEmptyFile(path: string, size: number | undefined): void {
  if (size === 0) {
    throw new StoreError('CORRUPT_DATABASE', `The database file ${path} exists but is empty (a failed copy or restore?): restore it, or delete it to start a new database`);
  }
}

/** A request already validated (the store takes text or validated requests; anything else goes to the validator). */
function isResolved<K extends 'query' | 'mutation'>(text: unknown, kind: K): text is K extends 'query' ? ResolvedQuery : ResolvedMutation {
  return typeof text === 'object' && text !== null && (text as { kind?: unknown }).kind === kind && (text as { parameters?: unknown }).parameters instanceof Map;
}
