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
}

/** A storage engine: opens connections to a database file. */
export interface StoreDriver {
  readonly name: string;
  /** Whether files written by this driver are encrypted at rest. */
  readonly encrypted: boolean;
  /** Opens a connection; throws StoreError WRONG_KEY when the key does not open the file. */
  open(options: OpenOptions): Promise<SqlConnection>;
}

/** Renders a binary value as base64url; the drivers register it as SQL function `b64u`. */
export function b64u(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64url');
  return String(value);
}

/** Prepares each SQL text once per connection; drivers share this instead of each keeping a map. */
export function statementCache<S>(prepare: (sql: string) => S): { get(sql: string): S; clear(): void } {
  const cache = new Map<string, S>();
  return {
    get(sql) {
      let statement = cache.get(sql);
      if (statement === undefined) {
        statement = prepare(sql);
        cache.set(sql, statement);
      }
      return statement;
    },
    clear: () => cache.clear(),
  };
}
