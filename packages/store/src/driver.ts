import { base64url } from '@discret/crypto';
import { LRUCache } from 'lru-cache';
import type { Checkpointer } from './checkpointer.js';
import { storageError } from './errors.js';
import { planSteps } from './insert-groups.js';
/**
 * The storage seam: the few operations the store needs from an SQLite engine. Async at the
 * boundary so that an async engine (a browser SQLite, a worker) fits; native drivers do the
 * work synchronously inside. Values are SQLite values: null, number, bigint, string, Uint8Array.
 */
export type SqlValue = null | number | bigint | string | Uint8Array;
export type Row = Record<string, SqlValue>;

export interface RunResult {
  changes: number;
  lastInsertRowid: number;
}

export interface SqlConnection {
  /** Runs one or more statements without parameters (DDL, BEGIN/COMMIT). */
  exec(sql: string): Promise<void>;
  /** Runs a statement and returns its rows. Statements are prepared once and cached by text. */
  all(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement that returns no rows. */
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Runs many writes in one go (one call across the boundary, not one per statement). */
  batch(steps: readonly { sql: string; params: readonly SqlValue[] }[]): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Path of the database file. */
  path: string;
  /** 32-byte encryption key; drivers without encryption ignore it. */
  key?: Uint8Array;
  readonly?: boolean;
  /** Page cache of this connection, in KiB (SQLite `cache_size`); the engine's default if unset. */
  cacheSizeKb?: number;
}

/** A storage engine: opens connections to a database file. */
export interface StoreDriver {
  readonly name: string;
  /** Whether files written by this driver are encrypted at rest. */
  readonly encrypted: boolean;
  /** Opens a connection; throws StoreError WRONG_KEY when the key does not open the file. */
  open(options: OpenOptions): Promise<SqlConnection>;
  /**
   * Optional: a helper that checkpoints the file's write-ahead log off the writer's thread
   * (see checkpointer.ts). The store starts it at its first large transaction; a driver
   * without one leaves checkpoints to SQLite on the writing connection.
   */
  openCheckpointer?(options: OpenOptions, onFailure: (reason: string) => void): Checkpointer;
  /**
   * Holds the database exclusively while a store has it open, or throws StoreError LOCKED:
   * two writers on one file would wait on each other for ever. Node's drivers use a lock file
   * (file-lock.ts); a browser's uses navigator.locks. A driver without one leaves it to the app.
   */
  lock?(path: string): Promise<DatabaseLock>;
  /**
   * The size of the database file, undefined when there is none. An existing empty file is
   * a failed copy or restore: the store refuses it rather than start over in it.
   */
  fileSize?(path: string): Promise<number | undefined>;
  /** Prepares the engine before the first open (a browser's driver starts its worker and compiles SQLite). */
  warm?(): void;
}

/** An exclusive hold on a database, released when the store closes. */
export interface DatabaseLock {
  release(): void;
}

/** Renders a binary value as base64url; the drivers register it as SQL function `b64u`. */
export function b64u(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return base64url(value);
  return String(value);
}

/** The synchronous SQLite handle both bundled drivers wrap (better-sqlite3 and node:sqlite). */
export interface SyncDatabase {
  exec(sql: string): void;
  prepare(sql: string): {
    all(...params: never[]): unknown[];
    run(...params: never[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  };
  close(): void;
}

/**
 * The `SqlConnection` over a synchronous SQLite handle: statements prepared once per text,
 * parameters passed through `toParams` (a driver's own value conversions).
 */
export function syncConnection(db: SyncDatabase, toParams: (params: readonly SqlValue[]) => unknown[]): SqlConnection {
  // Bounded, least recently used out: every distinct SQL text is a prepared statement held by
  // SQLite (20,000 distinct queries grew RSS by 80-140 MB when this was unbounded).
  const cache = new LRUCache<string, ReturnType<SyncDatabase['prepare']>>({ max: 500 });
  const prepare = (sql: string) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      cache.set(sql, statement);
    }
    return statement;
  };
  // A full disk, a damaged file or a busy database gets its own code (see storageError).
  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw storageError(err) ?? err;
    }
  };
  return {
    async exec(sql) {
      guard(() => db.exec(sql));
    },
    async all(sql, params = []) {
      return guard(() => prepare(sql).all(...(toParams(params) as never[])) as Row[]);
    },
    async run(sql, params = []) {
      const result = guard(() => prepare(sql).run(...(toParams(params) as never[])));
      return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
    },
    async batch(steps) {
      guard(() => {
        for (const item of planSteps(steps)) {
          if ('step' in item) {
            prepare(item.step.sql).run(...(toParams(item.step.params) as never[]));
            continue;
          }
          const params: SqlValue[] = [];
          for (const row of item.rows) for (const value of row) params.push(value);
          prepare(item.sql).run(...(toParams(params) as never[]));
        }
      });
    },
    async close() {
      cache.clear();
      db.close();
    },
  };
}
