export type StoreErrorCode =
  | 'WRONG_KEY'
  | 'OBJECT_TOO_LARGE'
  | 'NOT_FOUND'
  | 'INVALID_SIGNATURE'
  | 'AUTHORISATION_DENIED'
  | 'CLOSED'
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
