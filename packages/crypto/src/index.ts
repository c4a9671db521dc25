/**
 * @discret/crypto for Node — every secret and every signature of Discret goes through here.
 * libsodium (sodium-native) when it loads, @noble otherwise: same bytes either way. The
 * `browser` export condition gives browser.ts instead.
 */
// First: it installs the Node primitives before anything else of the package runs.
export { backend } from './node-platform.js';
export * from './portable.js';
export { startWorker } from './worker.js';
/** Node's pool: `parallelism` worker threads (default: the available cores). */
export { createNodeCryptoPool as createCryptoPool } from './node-pool.js';
import { backend as nodeBackend } from './node-platform.js';

/** Resolves with the backend in use (on Node it is chosen at load: at once). */
export const primitivesReady: Promise<string> = Promise.resolve(nodeBackend);
