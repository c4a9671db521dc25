/**
 * @discret/crypto for web browsers and other runtimes without Node's built-ins: the same bytes
 * as on Node. Signing and verifying in bulk go to the pool (see web-pool.ts): the browser's
 * WebCrypto Ed25519 where it has one with libsodium's verdicts, else Web Workers running
 * libsodium's WebAssembly build, whose script is downloaded only then. The page's own thread
 * hashes with hash-wasm's BLAKE2b, loaded at once (no top-level await, so any bundler target
 * works), and signs the odd single message with @noble. argon2id comes from hash-wasm.
 */
import { loadPagePrimitives } from './page-primitives.js';
import { installPrimitives, primitives } from './primitives.js';

export * from './portable.js';
export { createWebCryptoPool as createCryptoPool, type WebCryptoPoolOptions, webCryptoInUse } from './web-pool.js';

/** The page thread's primitives: 'noble+hash-wasm' once loaded, 'noble' before or without WebAssembly (a live binding). */
export let backend: string = primitives().name;

/** Resolves when the page's primitives are loaded (or known to be unavailable here), with their name. */
export const primitivesReady: Promise<string> = loadPagePrimitives().then((loaded) => {
  installPrimitives({ primitives: loaded });
  backend = loaded.name;
  return backend;
});
