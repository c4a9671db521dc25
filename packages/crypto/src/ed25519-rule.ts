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
import { sha512 } from '@noble/hashes/sha2.js';

type Sodium = typeof import('sodium-native');
type Verifier = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** libsodium's strict rule, computed with @noble (pure JS). */
export function verifyStrictNoble(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const rBytes = signature.subarray(0, 32);
  const s = littleEndian(signature.subarray(32, 64));
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
  const k = littleEndian(sha512(concat(rBytes, publicKey, message))) % L;
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

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
