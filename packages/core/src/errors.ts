import type { CryptoErrorCode } from '@discret/crypto';
import type { LanguageErrorCode } from '@discret/lang';
import type { StoreErrorCode } from '@discret/store';
import type { SyncErrorCode } from '@discret/sync';
import type { BeaconErrorCode } from '@discret/beacon';

/** Codes that only core raises. */
export type CoreErrorCode =
  | 'INVALID_INVITE'
  | 'INVALID_CONFIGURATION'
  | 'NOT_IMPLEMENTED'
  | 'ABORTED'
  /** An argument of the wrong shape given to a method (not a request's text or parameters, which have language codes). */
  | 'INVALID_ARGUMENT'
  /** A failure that is neither the caller's nor the database engine's: a defect of Discret, please report it. */
  | 'INTERNAL';

/**
 * Stable codes of every error `@discret/core` throws: the codes of the packages below it
 * (language, store, crypto, sync, beacon) and its own; `error-codes.test.ts` checks that each
 * package's union is in it. Failures of the database engine are STORAGE.
 */
export type DiscretErrorCode = LanguageErrorCode | StoreErrorCode | CryptoErrorCode | SyncErrorCode | BeaconErrorCode | CoreErrorCode;

/**
 * The one error class of the public API. Errors of the lower packages keep their `code`,
 * and language errors their `line` and `column`; the original is the `cause`.
 */
export class DiscretError extends Error {
  override readonly name = 'DiscretError';
  readonly code: DiscretErrorCode;
  readonly line?: number;
  readonly column?: number;

  constructor(code: DiscretErrorCode, message: string, options: { line?: number; column?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    if (options.line !== undefined) this.line = options.line;
    if (options.column !== undefined) this.column = options.column;
  }

  /**
   * Wraps anything thrown below into a DiscretError: the packages' own codes are kept; the
   * database engine's errors (SQLite's, and the file system's: `E...` codes) are STORAGE; an
   * error with no code is a defect of ours, INTERNAL (never blamed on the storage or the caller).
   */
  static from(err: unknown): DiscretError {
    if (err instanceof DiscretError) return err;
    const e = err as { code?: unknown; name?: unknown; message?: string; line?: number; column?: number };
    const given = typeof e?.code === 'string' ? e.code : undefined;
    const engine = given !== undefined && (given.startsWith('SQLITE') || /^E[A-Z]+$/.test(given));
    const code: DiscretErrorCode = engine || e?.name === 'SqliteError' ? 'STORAGE' : given !== undefined ? (given as DiscretErrorCode) : 'INTERNAL';
    return new DiscretError(code, e?.message ?? String(err), { line: e?.line, column: e?.column, cause: err });
  }
}

/** Runs `fn` unless `signal` was aborted (then ABORTED and no effect); errors become DiscretErrors. */
export async function wrap<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    if (signal?.aborted) throw new DiscretError('ABORTED', 'The request was aborted before it ran', { cause: signal.reason });
    return await fn();
  } catch (err) {
    throw DiscretError.from(err);
  }
}
