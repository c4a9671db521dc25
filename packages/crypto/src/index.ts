/**
 * @discret/crypto for Node — every secret and every signature of Discret goes through here.
 * libsodium (sodium-native) when it loads, @noble otherwise: same bytes either way. The
 * `browser` export condition gives browser.ts instead.
 */
// First: it installs the Node primitives before anything else of the package runs.
export { backend } from './node-platform.js';
export * from './portable.js';
export { ThreadCryptoPool } from './thread-pool.js';
export { startWorker } from './worker.js';
import type { CryptoPool, CryptoPoolOptions } from './pool.js';
import { ThreadCryptoPool } from './thread-pool.js';

/** Node's pool: `parallelism` worker threads (default: the available cores). */
export function createCryptoPool(options: CryptoPoolOptions = {}): CryptoPool {
  return new ThreadCryptoPool(options);
}
