// The database worker of the browser driver: SQLite3MultipleCiphers in WebAssembly over OPFS
// (OPFSCoopSyncVFS, whose synchronous access handles exist only in a dedicated worker), with
// the same cipher settings as the Node driver, so a file moves between them unchanged. One
// worker serves every database of a driver (starting one, with its WebAssembly, costs more
// than opening a file).
//
// The store opens a writer and a reader connection per file; here both share one SQLite
// connection (exclusive locking: the WASM VFS has no shared memory for WAL readers). So that a
// reader never sees a transaction in progress, a connection's requests wait while another
// connection's transaction is open on the same file (the gate below).
import * as SQLite from '@journeyapps/wa-sqlite';
import SQLiteESMFactory from '@journeyapps/wa-sqlite/dist/mc-wa-sqlite.mjs';
import { OPFSCoopSyncVFS } from '@journeyapps/wa-sqlite/src/examples/OPFSCoopSyncVFS.js';
import type { Row, SqlValue } from '../driver.js';
import type { OpenBody, WorkerFailure, WorkerReply, WorkerRequest } from './worker-protocol.js';

type Api = ReturnType<typeof SQLite.Factory>;

/**
 * base64url for the `b64u` SQL function, from the browser's own codecs: importing
 * @discret/crypto here would bundle its primitives into this worker (6x its size, measured).
 */
function base64url(bytes: Uint8Array): string {
  const standard = (bytes as Uint8Array & { toBase64?: (o: object) => string }).toBase64;
  if (standard) return standard.call(bytes, { alphabet: 'base64url', omitPadding: true });
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Prepared statements kept per SQL text and file (as the Node drivers keep theirs). */
const STATEMENT_CACHE = 256;

/** One open file: its SQLite connection, statements, and who holds its transaction. */
interface Database {
  path: string;
  keyHex: string;
  handle: number;
  statements: Map<string, number>;
  connections: Set<number>;
  owner: number | null;
  queue: WorkerRequest[];
  running: boolean;
}

/** SQLite's result code for a full disk. */
const SQLITE_FULL = 13;

/**
 * The VFS answers any failed write with an I/O error; a write refused by the origin's storage
 * quota is reported as SQLITE_FULL instead, so that the store says DISK_FULL (and SQLite rolls
 * the transaction back), as on Node when the disk is full.
 */
function fullWhenOverQuota(vfs: SQLiteVFS): SQLiteVFS {
  const file = vfs as SQLiteVFS & { jWrite(...args: unknown[]): number; jTruncate(...args: unknown[]): number; lastError: unknown };
  for (const method of ['jWrite', 'jTruncate'] as const) {
    const original = file[method].bind(file);
    file[method] = (...args: unknown[]) => {
      const rc = original(...args);
      return rc !== 0 && (file.lastError as { name?: string } | null)?.name === 'QuotaExceededError' ? SQLITE_FULL : rc;
    };
  }
  return vfs;
}

let loading: Promise<Api> | null = null;
const byPath = new Map<string, Database>();
const byConnection = new Map<number, Database>();

/** SQLite and the cipher-wrapped OPFS VFS, once per worker. */
function sqlite(wasmUrl: string): Promise<Api> {
  loading ??= (async () => {
    const module = await SQLiteESMFactory({ locateFile: () => wasmUrl });
    const api = SQLite.Factory(module);
    api.vfs_register(fullWhenOverQuota(await OPFSCoopSyncVFS.create('discret-opfs', module)), true);
    // Wraps the VFS with the cipher layer (SQLite3MultipleCiphers).
    module.ccall('sqlite3mc_vfs_create', 'number', ['string', 'number'], ['discret-opfs', 1]);
    return api;
  })();
  return loading;
}

async function open(api: Api, { path, keyHex }: OpenBody): Promise<Database> {
  const handle = await api.open_v2(path);
  try {
    // Exclusive, and the file's lock taken before the key: the VFS lends the file's access handle
    // only to a locked connection, and the cipher reads the file's salt when keyed. Keyed
    // before, it read no salt: files made here had a constant one, and files made by Node did
    // not open (measured). The first read fails on an existing (encrypted) file, as it should.
    // Exclusive also before WAL: the WASM build has no shared memory (SQLite3MultipleCiphers#129, #213).
    await api.exec(handle, 'PRAGMA locking_mode=EXCLUSIVE');
    await api.exec(handle, 'SELECT count(*) FROM sqlite_master').catch(() => {});
    await api.exec(handle, `PRAGMA cipher='sqlcipher'; PRAGMA legacy=4; PRAGMA key="x'${keyHex}'";`);
    await api.exec(handle, 'SELECT count(*) FROM sqlite_master');
    await api.exec(handle, 'PRAGMA journal_mode=WAL; PRAGMA temp_store=MEMORY;');
  } catch (error) {
    await api.close(handle);
    throw error;
  }
  api.create_function(handle, 'b64u', 1, SQLite.SQLITE_UTF8 | SQLite.SQLITE_DETERMINISTIC, 0, (context, values) => {
    const value = api.value(values[0]!);
    if (value === null) api.result_null(context);
    else api.result_text(context, value instanceof Uint8Array ? base64url(value) : String(value));
  });
  return { path, keyHex, handle, statements: new Map(), connections: new Set(), owner: null, queue: [], running: false };
}

async function prepare(api: Api, db: Database, sql: string): Promise<number> {
  const cached = db.statements.get(sql);
  if (cached !== undefined) {
    db.statements.delete(sql); // most recently used last
    db.statements.set(sql, cached);
    return cached;
  }
  let prepared: number | undefined;
  for await (const stmt of api.statements(db.handle, sql, { unscoped: true })) {
    if (prepared !== undefined) throw Object.assign(new Error('One statement at a time'), { code: 1 });
    prepared = stmt;
  }
  if (prepared === undefined) throw Object.assign(new Error(`No statement in ${sql.slice(0, 40)}`), { code: 1 });
  db.statements.set(sql, prepared);
  if (db.statements.size > STATEMENT_CACHE) {
    const [oldest, stmt] = db.statements.entries().next().value as [string, number];
    db.statements.delete(oldest);
    await api.finalize(stmt);
  }
  return prepared;
}

async function runStatement(api: Api, db: Database, sql: string, params: readonly SqlValue[], rows: Row[] | null): Promise<void> {
  const stmt = await prepare(api, db, sql);
  try {
    api.bind_collection(stmt, params as (number | string | Uint8Array | bigint | null)[]);
    const columns = rows ? api.column_names(stmt) : [];
    while ((await api.step(stmt)) === SQLite.SQLITE_ROW) {
      if (!rows) continue;
      const values = api.row(stmt);
      const row: Row = {};
      for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i] as SqlValue;
      rows.push(row);
    }
  } finally {
    await api.reset(stmt);
    api.clear_bindings(stmt);
  }
}

async function perform(api: Api, db: Database, request: WorkerRequest): Promise<unknown> {
  switch (request.op) {
    case 'open':
      return null; // done before queueing
    case 'exec':
      await api.exec(db.handle, request.body.sql);
      return null;
    case 'all': {
      const rows: Row[] = [];
      await runStatement(api, db, request.body.sql, request.body.params, rows);
      return rows;
    }
    case 'run':
      await runStatement(api, db, request.body.sql, request.body.params, null);
      return { changes: api.changes(db.handle), lastInsertRowid: api.last_insert_id(db.handle) };
    case 'batch':
      for (const step of request.body.steps) await runStatement(api, db, step.sql, step.params, null);
      return null;
    case 'close':
      db.connections.delete(request.connection);
      byConnection.delete(request.connection);
      if (db.connections.size === 0) await closeDatabase(api, db);
      return null;
  }
}

async function closeDatabase(api: Api, db: Database): Promise<void> {
  for (const stmt of db.statements.values()) await api.finalize(stmt);
  db.statements.clear();
  byPath.delete(db.path);
  await api.close(db.handle);
}

/** The first queued request that may run now: any, unless a transaction is open. */
function nextRunnable(db: Database): WorkerRequest | undefined {
  const index = db.queue.findIndex((r) => db.owner === null || r.connection === db.owner);
  return index < 0 ? undefined : db.queue.splice(index, 1)[0];
}

async function drain(api: Api, db: Database): Promise<void> {
  if (db.running) return;
  db.running = true;
  try {
    for (let request = nextRunnable(db); request; request = nextRunnable(db)) {
      let reply: WorkerReply;
      try {
        reply = { id: request.id, ok: true, answer: await perform(api, db, request) };
      } catch (error) {
        reply = failed(request.id, error);
      }
      // Who holds the transaction now (SQLite says whether one is open).
      db.owner = byPath.get(db.path) === db && api.get_autocommit(db.handle) === 0 ? request.connection : null;
      postMessage(reply);
    }
  } finally {
    db.running = false;
  }
}

function failed(id: number, error: unknown): WorkerReply {
  const e = error as { message?: string; code?: unknown };
  const failure: WorkerFailure = { message: String(e?.message ?? error) };
  if (typeof e?.code === 'number') failure.errcode = e.code;
  return { id, ok: false, error: failure };
}

/** Opens are serialised: two connections to a new file must not open it twice. */
let opening: Promise<unknown> = Promise.resolve();

async function received(request: WorkerRequest): Promise<void> {
  if (request.op === 'warm') {
    try {
      await sqlite(request.body.wasmUrl);
      postMessage({ id: request.id, ok: true, answer: null } satisfies WorkerReply);
    } catch (error) {
      postMessage(failed(request.id, error));
    }
    return;
  }
  if (request.op === 'open') {
    const body = request.body;
    opening = opening.then(async () => {
      try {
        const api = await sqlite(body.wasmUrl);
        let db = byPath.get(body.path);
        if (!db) {
          db = await open(api, body);
          byPath.set(body.path, db);
        } else if (db.keyHex !== body.keyHex) {
          throw Object.assign(new Error('file is not a database'), { code: 26 }); // as SQLite says for a wrong key
        }
        db.connections.add(request.connection);
        byConnection.set(request.connection, db);
        postMessage({ id: request.id, ok: true, answer: null } satisfies WorkerReply);
      } catch (error) {
        postMessage(failed(request.id, error));
      }
    });
    return;
  }
  await opening;
  const db = byConnection.get(request.connection);
  if (!db || !loading) {
    postMessage(failed(request.id, new Error('The connection is not open')));
    return;
  }
  db.queue.push(request);
  await drain(await loading, db);
}

addEventListener('message', (event: MessageEvent<WorkerRequest>) => void received(event.data));
