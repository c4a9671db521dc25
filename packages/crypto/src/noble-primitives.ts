// The portable primitives: pure JS (@noble), the same bytes as libsodium on every runtime.
// This file imports only packages and types (no relative values), so the Node pool's worker
// can load it from dist/ (.js) and from src/ (.ts, by type stripping) alike.
//
// Peers must agree on whether a row is valid, or rooms diverge for ever. libsodium's rule is
// the strict one, and @noble's defaults differ from it (ZIP-215 accepts non-canonical
// encodings and checks the cofactored equation). So this file re-states libsodium's rule
// with noble's point arithmetic:
//   - S is canonical (S < L);
//   - A (the public key) and R are canonical encodings of curve points, and neither has small
//     order;
//   - the cofactorless equation [S]B = R + [k]A holds, k = SHA-512(R || A || M) mod L.
// Tested against RFC 8032, ZIP-215 and Wycheproof vectors: both paths give the same verdicts.
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { blake2b } from '@noble/hashes/blake2.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import type { Primitives } from './primitive-types.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

/** libsodium's strict rule, computed with @noble (pure JS). */
export function verifyStrictNoble(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const rBytes = signature.subarray(0, 32);
  const s = bytesToNumberLE(signature.subarray(32, 64));
  if (s >= L) return false;
  let A: InstanceType<typeof Point>;
  let R: InstanceType<typeof Point>;
  try {
    A = Point.fromBytes(publicKey, false);
    R = Point.fromBytes(rBytes, false);
  } catch {
    return false;
  }
  if (A.isSmallOrder() || R.isSmallOrder()) return false;
  const k = bytesToNumberLE(sha512(concatBytes(rBytes, publicKey, message))) % L;
  // Public inputs only: the variable-time multiplications are safe here.
  return Point.BASE.multiplyUnsafe(s).equals(R.add(A.multiplyUnsafe(k)));
}

export const noblePrimitives: Primitives = {
  name: 'noble',
  blake2b256: (data, key) => blake2b(data, key ? { dkLen: 32, key } : { dkLen: 32 }),
  // noble signs from the seed itself: the "secret key" is the seed.
  signingKeyPair: (seed) => ({ publicKey: ed25519.getPublicKey(seed), secretKey: Uint8Array.from(seed) }),
  sign: (message, secretKey) => ed25519.sign(message, secretKey),
  verify: verifyStrictNoble,
  x25519Public: (secret) => x25519.getPublicKey(secret),
  x25519: (secret, theirs) => x25519.getSharedSecret(secret, theirs),
};
