// The one ed25519 verification rule of Discret, shared by the main thread and the pool's
// workers. It imports only packages (no relative files) so a worker can load it both from
// dist/ (.js) and from src/ (.ts, by type stripping).
//
// Peers must agree on whether a row is valid, or rooms diverge for ever. libsodium's rule is
// the strict one, and @noble's defaults differ from it (ZIP-215 accepts non-canonical
// encodings and checks the cofactored equation). So the portable path re-states libsodium's
// rule with noble's point arithmetic:
//   - S is canonical (S < L);
//   - A (the public key) and R are canonical encodings of curve points, and neither has small
//     order;
//   - the cofactorless equation [S]B = R + [k]A holds, k = SHA-512(R || A || M) mod L.
// Tested against RFC 8032, ZIP-215 and Wycheproof vectors: both paths give the same verdicts.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE } from '@noble/curves/utils.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';

type Sodium = typeof import('sodium-native');
type Verifier = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

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

/** The verifier for a backend: libsodium when loaded, the same rule on @noble otherwise. */
export function makeVerifier(sodium: Sodium | null): Verifier {
  if (!sodium) return verifyStrictNoble;
  return (signature, message, publicKey) => {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    return sodium.crypto_sign_verify_detached(toBuffer(signature), toBuffer(message), toBuffer(publicKey));
  };
}

// hash.ts has the same helper; this file may not import relative files (see the top).
function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
