/** Stable codes of every rejection the language can produce. */
export type LanguageErrorCode =
  | 'PARSE_ERROR'
  | 'INVALID_DATA_MODEL'
  | 'DATA_MODEL_UPDATE'
  | 'UNKNOWN_NAMESPACE'
  | 'UNKNOWN_ENTITY'
  | 'UNKNOWN_FIELD'
  | 'TYPE_MISMATCH'
  | 'MISSING_PARAMETER'
  | 'NOT_NULLABLE'
  | 'INVALID_QUERY'
  | 'INVALID_MUTATION'
  | 'DEPRECATED'
  /** Beyond the language's limits (text size, nesting, number of items): see `LIMITS`. */
  | 'TOO_COMPLEX';

/** A position in the source text, 1-based. */
export interface Position {
  line: number;
  column: number;
}

/**
 * The only error the language package throws. `line` and `column` point at the offending
 * token (1-based); for problems found in parameters they point at the `$name` that uses them.
 */
export class LanguageError extends Error {
  override readonly name = 'LanguageError';
  readonly code: LanguageErrorCode;
  readonly line: number;
  readonly column: number;

  constructor(code: LanguageErrorCode, message: string, position: Position = { line: 1, column: 1 }) {
    super(`${message} (line ${position.line}, column ${position.column})`);
    this.code = code;
    this.line = position.line;
    this.column = position.column;
  }
}
