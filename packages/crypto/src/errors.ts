export type CryptoErrorCode = 'INVALID_SIGNATURE' | 'INVALID_KEY' | 'INVALID_INPUT' | 'POOL_CLOSED' | 'POOL_FAILED';

/** Every failure of @discret/crypto. */
export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}
