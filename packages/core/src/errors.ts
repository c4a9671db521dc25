/** Stable codes of every error `@discret/core` throws. */
export type DiscretErrorCode =
  | 'PARSE_ERROR' | 'INVALID_DATA_MODEL' | 'DATA_MODEL_UPDATE' | 'UNKNOWN_NAMESPACE' | 'UNKNOWN_ENTITY' | 'UNKNOWN_FIELD'
  | 'TYPE_MISMATCH' | 'MISSING_PARAMETER' | 'NOT_NULLABLE' | 'INVALID_QUERY' | 'INVALID_MUTATION' | 'DEPRECATED'
  | 'AUTHORISATION_DENIED' | 'INVALID_SIGNATURE' | 'WRONG_KEY' | 'OBJECT_TOO_LARGE' | 'NOT_FOUND' | 'INVALID_INVITE'
  | 'INVALID_KEY' | 'INVALID_INPUT' | 'INVALID_CONFIGURATION' | 'NOT_IMPLEMENTED' | 'STORAGE' | 'CLOSED';

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

  /** Wraps anything thrown below into a DiscretError (unknown failures become STORAGE). */
  static from(err: unknown): DiscretError {
    if (err instanceof DiscretError) return err;
    const e = err as { code?: unknown; message?: string; line?: number; column?: number };
    const code = typeof e?.code === 'string' && !e.code.startsWith('SQLITE') ? (e.code as DiscretErrorCode) : 'STORAGE';
    return new DiscretError(code, e?.message ?? String(err), { line: e?.line, column: e?.column, cause: err });
  }
}

export async function wrap<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw DiscretError.from(err);
  }
}
