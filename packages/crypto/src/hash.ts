import { primitives } from './primitives.js';

/**
 * BLAKE2b-256. Chosen by measurement (see BENCHMARKS.md): libsodium's BLAKE2b hashes 100 B
 * ~1.4M/s per core, far ahead of pure-JS blake3 (~44k/s for 1 KiB) and on par with native
 * sha-256, and every runtime has it (libsodium native or WASM, @noble) with identical output.
 */
export function hash(data: Uint8Array): Uint8Array {
  return primitives().blake2b256(data);
}

/** BLAKE2b-256 with a key (a MAC); used for keyed derivations. */
export function keyedHash(key: Uint8Array, data: Uint8Array): Uint8Array {
  return primitives().blake2b256(data, key);
}
