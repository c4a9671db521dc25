/**
 * @discret/crypto for web browsers and other runtimes without Node's built-ins: the same bytes
 * as on Node. Signing and verifying go to a pool of Web Workers running libsodium's WebAssembly
 * build (see web-pool.ts); the page's own thread hashes with hash-wasm's BLAKE2b, loaded at once
 * (no top-level await, so any bundler target works), and signs the odd single message with
 * @noble, so libsodium is downloaded once, in the worker script. argon2id comes from hash-wasm.
 */
import { loadPagePrimitives } from './page-primitives.js';
import { installPrimitives, primitives } from './primitives.js';

export * from './portable.js';
export { createWebCryptoPool as createCryptoPool } from './web-pool.js';

/** The page thread's primitives: 'noble+hash-wasm' once loaded, 'noble' before or without WebAssembly (a live binding). */
export let backend: string = primitives().name;

/** Resolves when the page's primitives are loaded (or known to be unavailable here), with their name. */
export const primitivesReady: Promise<string> = loadPagePrimitives().then((loaded) => {
  installPrimitives({ primitives: loaded });
  backend = loaded.name;
  return backend;
});
