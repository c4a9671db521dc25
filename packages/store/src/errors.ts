export type StoreErrorCode =
  | 'WRONG_KEY'
  | 'OBJECT_TOO_LARGE'
  | 'NOT_FOUND'
  | 'INVALID_SIGNATURE'
  | 'AUTHORISATION_DENIED'
  | 'CLOSED'
  | 'ABORTED'
  | 'INVALID_RECORD'
  /** The disk (or the file system's quota) is full: nothing of the failed write was kept. */
  | 'DISK_FULL'
  /** The database file is damaged; the store stops writing once it sees this. */
  | 'CORRUPT_DATABASE'
  /** Another process holds the database. */
  | 'LOCKED'
  /** A caller's mistake in how the store is used (no driver for this runtime, say). */
  | 'INVALID_ARGUMENT'
  | 'STORAGE';

/** Every failure of @discret/store that is not a language error. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Throws ABORTED when the signal was aborted: an aborted request has no effect. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new StoreError('ABORTED', 'The request was aborted before it ran');
}

/** SQLite's primary result codes that have a code of their own here. */
const SQLITE_KINDS: Record<number, StoreErrorCode> = { 5: 'LOCKED', 6: 'LOCKED', 11: 'CORRUPT_DATABASE', 13: 'DISK_FULL', 26: 'CORRUPT_DATABASE' };
const SQLITE_NAMES: Record<string, StoreErrorCode> = {
  SQLITE_BUSY: 'LOCKED', SQLITE_LOCKED: 'LOCKED', SQLITE_CORRUPT: 'CORRUPT_DATABASE', SQLITE_FULL: 'DISK_FULL', SQLITE_NOTADB: 'CORRUPT_DATABASE',
};

/**
 * The StoreError for an SQLite failure that the caller can act on (a full disk, a damaged
 * file, a database held by another process), or undefined for the others. Understands both
 * bundled engines: better-sqlite3 names the code (`SQLITE_FULL`, extended ones too), node:sqlite
 * gives the number (`errcode`).
 */
export function storageError(err: unknown): StoreError | undefined {
  if (err instanceof StoreError) return err;
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown };
  let code: StoreErrorCode | undefined;
  if (typeof e?.code === 'string' && e.code.startsWith('SQLITE_')) {
    code = SQLITE_NAMES[e.code] ?? SQLITE_NAMES[e.code.split('_').slice(0, 2).join('_')];
  } else if (typeof e?.errcode === 'number') {
    code = SQLITE_KINDS[e.errcode & 0xff];
  }
  if (!code) return undefined;
  const message = String(e.message ?? err);
  const advice = {
    DISK_FULL: 'The disk is full: free some space; nothing of this write was kept',
    CORRUPT_DATABASE: 'The database file is damaged: restore it from a backup (the store writes nothing more to it)',
    LOCKED: 'Another process is using this database',
  }[code as 'DISK_FULL' | 'CORRUPT_DATABASE' | 'LOCKED'];
  const error = new StoreError(code, `${advice} (${message})`);
  (error as { cause?: unknown }).cause = err;
  return error;
}
