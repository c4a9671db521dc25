// The database worker of the browser driver: SQLite3MultipleCiphers in WebAssembly over OPFS
// (OPFSCoopSyncVFS, whose synchronous access handles exist only in a dedicated worker), with
// the same cipher settings as the Node driver, so a file moves between them unchanged.
//
// The store opens a writer and a reader connection; here both share the one SQLite connection
// (exclusive locking: the WASM VFS has no shared memory for WAL readers). So that a reader
// never sees a transaction in progress, a connection's requests wait while another
// connection's transaction is open (the gate below).
import * as SQLite from '@journeyapps/wa-sqlite';
import SQLiteESMFactory from '@journeyapps/wa-sqlite/dist/mc-wa-sqlite.mjs';
import { OPFSCoopSyncVFS } from '@journeyapps/wa-sqlite/src/examples/OPFSCoopSyncVFS.js';
import { base64url } from '@discret/crypto';
import type { Row, SqlValue } from '../driver.js';
import type { OpenBody, WorkerFailure, WorkerReply, WorkerRequest } from './worker-protocol.js';

type Api = ReturnType<typeof SQLite.Factory>;

/** Prepared statements kept per SQL text (as the Node drivers keep theirs). */
const STATEMENT_CACHE = 256;

let api: Api | null = null;
let db = 0;
const statements = new Map<string, number>();
/** The connection whose transaction is open, if any. */
let owner: number | null = null;
const queue: WorkerRequest[] = [];
let running = false;

async function open({ path, keyHex, wasmUrl }: OpenBody): Promise<null> {
  if (api) return null; // the second connection (the reader) shares the first one's
  const module = await SQLiteESMFactory({ locateFile: () => wasmUrl });
  const sqlite = SQLite.Factory(module);
  const vfs = await OPFSCoopSyncVFS.create('discret-opfs', module);
  sqlite.vfs_register(vfs, true);
  // Wraps the VFS with the cipher layer (SQLite3MultipleCiphers).
  module.ccall('sqlite3mc_vfs_create', 'number', ['string', 'number'], ['discret-opfs', 1]);
  const handle = await sqlite.open_v2(path);
  try {
    // Exclusive, and the file's lock taken before the key: the VFS lends the file's access handle
    // only to a locked connection, and the cipher reads the file's salt when keyed. Keyed
    // before, it read no salt: files made here had a constant one, and files made by Node did
    // not open (measured). The first read fails on an existing (encrypted) file, as it should.
    // Exclusive also before WAL: the WASM build has no shared memory (SQLite3MultipleCiphers#129, #213).
    await sqlite.exec(handle, 'PRAGMA locking_mode=EXCLUSIVE');
    await sqlite.exec(handle, 'SELECT count(*) FROM sqlite_master').catch(() => {});
    await sqlite.exec(handle, `PRAGMA cipher='sqlcipher'; PRAGMA legacy=4; PRAGMA key="x'${keyHex}'";`);
    await sqlite.exec(handle, 'SELECT count(*) FROM sqlite_master');
    await sqlite.exec(handle, 'PRAGMA journal_mode=WAL; PRAGMA temp_store=MEMORY;');
  } catch (error) {
    await sqlite.close(handle);
    throw error;
  }
  sqlite.create_function(handle, 'b64u', 1, SQLite.SQLITE_UTF8 | SQLite.SQLITE_DETERMINISTIC, 0, (context, values) => {
    const value = sqlite.value(values[0]!);
    if (value === null) sqlite.result_null(context);
    else sqlite.result_text(context, value instanceof Uint8Array ? base64url(value) : String(value));
  });
  api = sqlite;
  db = handle;
  return null;
}

async function prepare(sql: string): Promise<number> {
  const cached = statements.get(sql);
  if (cached !== undefined) {
    statements.delete(sql); // most recently used last
    statements.set(sql, cached);
    return cached;
  }
  let prepared: number | undefined;
  for await (const stmt of api!.statements(db, sql, { unscoped: true })) {
    if (prepared !== undefined) throw Object.assign(new Error('One statement at a time'), { code: 1 });
    prepared = stmt;
  }
  if (prepared === undefined) throw Object.assign(new Error(`No statement in ${sql.slice(0, 40)}`), { code: 1 });
  statements.set(sql, prepared);
  if (statements.size > STATEMENT_CACHE) {
    const [oldest, stmt] = statements.entries().next().value as [string, number];
    statements.delete(oldest);
    await api!.finalize(stmt);
  }
  return prepared;
}

async function runStatement(sql: string, params: readonly SqlValue[], rows: Row[] | null): Promise<void> {
  const stmt = await prepare(sql);
  try {
    api!.bind_collection(stmt, params as SqlValue[] as (number | string | Uint8Array | bigint | null)[]);
    const columns = rows ? api!.column_names(stmt) : [];
    while ((await api!.step(stmt)) === SQLite.SQLITE_ROW) {
      if (!rows) continue;
      const values = api!.row(stmt);
      const row: Row = {};
      for (let i = 0; i < columns.length; i++) row[columns[i]!] = values[i] as SqlValue;
      rows.push(row);
    }
  } finally {
    await api!.reset(stmt);
    api!.clear_bindings(stmt);
  }
}

async function perform(request: WorkerRequest): Promise<unknown> {
  if (request.op === 'open') return open(request.body);
  if (!api) throw new Error('The database is not open');
  switch (request.op) {
    case 'exec':
      await api.exec(db, request.body.sql);
      return null;
    case 'all': {
      const rows: Row[] = [];
      await runStatement(request.body.sql, request.body.params, rows);
      return rows;
    }
    case 'run':
      await runStatement(request.body.sql, request.body.params, null);
      return { changes: api.changes(db), lastInsertRowid: api.last_insert_id(db) };
    case 'batch':
      for (const step of request.body.steps) await runStatement(step.sql, step.params, null);
      return null;
    case 'close':
      return close();
  }
}

async function close(): Promise<null> {
  if (!api) return null;
  for (const stmt of statements.values()) await api.finalize(stmt);
  statements.clear();
  await api.close(db);
  api = null;
  db = 0;
  return null;
}

/** The first queued request that may run now: any, unless a transaction is open. */
function nextRunnable(): WorkerRequest | undefined {
  const index = queue.findIndex((r) => owner === null || r.connection === owner);
  return index < 0 ? undefined : queue.splice(index, 1)[0];
}

async function drain(): Promise<void> {
  if (running) return;
  running = true;
  try {
    for (let request = nextRunnable(); request; request = nextRunnable()) {
      let reply: WorkerReply;
      try {
        reply = { id: request.id, ok: true, answer: await perform(request) };
      } catch (error) {
        const e = error as { message?: string; code?: unknown };
        const failure: WorkerFailure = { message: String(e?.message ?? error) };
        if (typeof e?.code === 'number') failure.errcode = e.code;
        reply = { id: request.id, ok: false, error: failure };
      }
      // Who holds the transaction now (SQLite says whether one is open).
      owner = api && api.get_autocommit(db) === 0 ? request.connection : null;
      postMessage(reply);
    }
  } finally {
    running = false;
  }
}

addEventListener('message', (event: MessageEvent<WorkerRequest>) => {
  queue.push(event.data);
  void drain();
});
