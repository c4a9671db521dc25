/**
 * @discret/crypto for web browsers and other runtimes without Node's built-ins: the same bytes
 * as on Node. libsodium's WebAssembly build is loaded at once and used as soon as it is ready
 * (no top-level await, so any bundler target works); until then, and where WebAssembly is
 * missing, @noble computes the same results. argon2id comes from hash-wasm.
 */
import { libsodiumOrNoble } from './libsodium-or-noble.js';
import { installPrimitives, primitives } from './primitives.js';

export * from './portable.js';
export { createWebCryptoPool as createCryptoPool } from './web-pool.js';

/** Which primitives are in use: 'libsodium' once loaded, 'noble' before or without it (a live binding). */
export let backend: string = primitives().name;

/** Resolves when libsodium is in use (or known to be unavailable here), with the backend's name. */
export const primitivesReady: Promise<string> = libsodiumOrNoble().then((loaded) => {
  installPrimitives({ primitives: loaded });
  backend = loaded.name;
  return backend;
});
