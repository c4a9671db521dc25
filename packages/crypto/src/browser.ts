/**
 * @discret/crypto for web browsers and other runtimes without Node's built-ins: the portable
 * primitives (@noble, argon2id from hash-wasm), the same bytes as on Node.
 */
export * from './portable.js';
import { InlineCryptoPool, type CryptoPool, type CryptoPoolOptions } from './pool.js';

export const backend = 'noble' as const;

/** The calling thread's pool (Web Workers come with the browser runtime). */
export function createCryptoPool(_options: CryptoPoolOptions = {}): CryptoPool {
  return new InlineCryptoPool();
}
