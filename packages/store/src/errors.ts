export type StoreErrorCode =
  | 'WRONG_KEY'
  | 'OBJECT_TOO_LARGE'
  | 'NOT_FOUND'
  | 'INVALID_SIGNATURE'
  | 'AUTHORISATION_DENIED'
  | 'CLOSED'
  | 'ABORTED'
  | 'INVALID_RECORD'
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
