// libsodium through sodium-native: the fast path in Node, loaded by the Node entry point.
// Imports only packages and types (see noble-primitives.ts for why).
import { createRequire } from 'node:module';
import type { Primitives } from './primitive-types.js';

// The functions we call. sodium-native takes any Uint8Array (checked in this package's tests);
// @types/sodium-native says Buffer, so it is not used.
interface Sodium {
  crypto_generichash(out: Uint8Array, data: Uint8Array, key?: Uint8Array): void;
  crypto_sign_seed_keypair(publicKey: Uint8Array, secretKey: Uint8Array, seed: Uint8Array): void;
  crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  crypto_scalarmult_base(out: Uint8Array, secret: Uint8Array): void;
  crypto_scalarmult(out: Uint8Array, secret: Uint8Array, theirs: Uint8Array): void;
}

/** libsodium's primitives, or null when sodium-native's binary does not load here. */
export function loadSodiumPrimitives(): Primitives | null {
  let sodium: Sodium;
  try {
    sodium = createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return null;
  }
  return {
    name: 'sodium',
    blake2b256(data, key) {
      const out = new Uint8Array(32);
      if (key) sodium.crypto_generichash(out, data, key);
      else sodium.crypto_generichash(out, data);
      return out;
    },
    signingKeyPair(seed) {
      const publicKey = new Uint8Array(32);
      const secretKey = new Uint8Array(64);
      sodium.crypto_sign_seed_keypair(publicKey, secretKey, seed);
      return { publicKey, secretKey };
    },
    sign(message, secretKey) {
      const signature = new Uint8Array(64);
      sodium.crypto_sign_detached(signature, message, secretKey);
      return signature;
    },
    verify(signature, message, publicKey) {
      if (publicKey.length !== 32 || signature.length !== 64) return false;
      return sodium.crypto_sign_verify_detached(signature, message, publicKey);
    },
    x25519Public(secret) {
      const out = new Uint8Array(32);
      sodium.crypto_scalarmult_base(out, secret);
      return out;
    },
    x25519(secret, theirs) {
      const out = new Uint8Array(32);
      sodium.crypto_scalarmult(out, secret, theirs);
      // noble throws for a low-order key (shared secret zero); libsodium returns zeroes.
      if (out.every((b) => b === 0)) throw new Error('low order public key');
      return out;
    },
  };
}
