// The primitives of a browser page's own thread. Signing and verifying in bulk happen in the
// pool's Web Workers (WebCrypto's Ed25519, or libsodium's WebAssembly build where it is
// missing: see web-pool.ts); the page itself hashes with hash-wasm's BLAKE2b (WebAssembly, ~1M
// short hashes/s, which sync needs for every row it reconciles) and does its rare single
// signatures and key agreements with @noble. So the page never downloads libsodium itself.
import { noblePrimitives } from './noble-primitives.js';
import type { Primitives } from './primitive-types.js';

/** @noble with hash-wasm's BLAKE2b for unkeyed hashes; @noble alone where WebAssembly is missing. */
export async function loadPagePrimitives(): Promise<Primitives> {
  try {
    const { createBLAKE2b } = await import('hash-wasm');
    const hasher = await createBLAKE2b(256);
    return {
      ...noblePrimitives,
      name: 'noble+hash-wasm',
      blake2b256(data, key) {
        // Keyed hashes are rare (one per derived key): @noble's is enough for them.
        if (key) return noblePrimitives.blake2b256(data, key);
        hasher.init();
        hasher.update(data);
        // 'binary' returns a copy of the digest, not a view into the WebAssembly memory.
        return hasher.digest('binary');
      },
    };
  } catch {
    return noblePrimitives;
  }
}
