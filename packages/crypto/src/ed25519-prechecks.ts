// libsodium's checks that come before the ed25519 equation (crypto_sign_verify_detached, not
// in compatibility mode), on bytes alone. An engine that then checks only the cofactorless
// equation, comparing encoded bytes (BoringSSL and OpenSSL, behind WebCrypto's Ed25519), gives
// libsodium's verdicts once these pass. See noble-primitives.ts for the whole rule and why peers
// must share it.
import { fromHex } from './encoding.js';

/** The group order L, little-endian. */
const L = [
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
];

/**
 * The encodings libsodium refuses as small-order points (its `ge25519_has_small_order` list),
 * compared with the sign bit cleared: the identity, the points of order 2, 4 and 8, and the
 * non-canonical encodings p and p + 1 of 0 and 1.
 */
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map(fromHex);

/** S < L: the scalar half of a signature is reduced. */
function canonicalScalar(s: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (s[i]! < L[i]!) return true;
    if (s[i]! > L[i]!) return false;
  }
  return false; // equal to L
}

/** y < p = 2^255 - 19, the sign bit aside. */
function canonicalPoint(encoded: Uint8Array): boolean {
  if ((encoded[31]! & 0x7f) !== 0x7f) return true;
  for (let i = 30; i > 0; i--) if (encoded[i] !== 0xff) return true;
  return encoded[0]! < 0xed;
}

function smallOrder(encoded: Uint8Array): boolean {
  return SMALL_ORDER.some((bad) => {
    for (let i = 0; i < 31; i++) if (encoded[i] !== bad[i]) return false;
    return (encoded[31]! & 0x7f) === bad[31];
  });
}

/** Whether a signature and key pass libsodium's checks before its equation (lengths included). */
export function passesLibsodiumPrechecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const r = signature.subarray(0, 32);
  return canonicalScalar(signature.subarray(32)) && !smallOrder(r) && canonicalPoint(publicKey) && !smallOrder(publicKey);
}
