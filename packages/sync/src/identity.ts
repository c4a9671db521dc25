import { randomBytes, type SigningKey, utf8, verify } from '@discret/crypto';

/**
 * Proving one's user key on a connection (upstream's ProveIdentity), pure logic.
 *
 * The transport already proved each side's device key. On top of it, each side sends a random
 * challenge and the other signs, with its user key,
 *
 *     "discret/identity/v1" | challenge[32] | prover's device key[32] | verifier's device key[32]
 *
 * Binding both device keys means a proof seen on one connection cannot be replayed on another:
 * a relay or a malicious peer that forwards it to a third device presents it with the wrong
 * device keys, and it fails.
 */
const DOMAIN = utf8('discret/identity/v1');
export const CHALLENGE_BYTES = 32;

/** A fresh random challenge. */
export function newChallenge(): Uint8Array {
  return randomBytes(CHALLENGE_BYTES);
}

/** The bytes a prover signs. */
export function identityProofBytes(challenge: Uint8Array, proverDevice: Uint8Array, verifierDevice: Uint8Array): Uint8Array {
  if (challenge.length !== CHALLENGE_BYTES || proverDevice.length !== 32 || verifierDevice.length !== 32) {
    throw new RangeError('A challenge and device keys have 32 bytes each');
  }
  const out = new Uint8Array(DOMAIN.length + 96);
  out.set(DOMAIN, 0);
  out.set(challenge, DOMAIN.length);
  out.set(proverDevice, DOMAIN.length + 32);
  out.set(verifierDevice, DOMAIN.length + 64);
  return out;
}

/** Signs the verifier's challenge with the user key. */
export function proveIdentity(userKey: SigningKey, challenge: Uint8Array, proverDevice: Uint8Array, verifierDevice: Uint8Array): Uint8Array {
  return userKey.sign(identityProofBytes(challenge, proverDevice, verifierDevice));
}

/** True when `signature` proves `userPublicKey` for this challenge on this pair of devices. */
export function checkIdentity(
  userPublicKey: Uint8Array, signature: Uint8Array, challenge: Uint8Array, proverDevice: Uint8Array, verifierDevice: Uint8Array,
): boolean {
  try {
    return verify(userPublicKey, identityProofBytes(challenge, proverDevice, verifierDevice), signature);
  } catch {
    return false; // wrong lengths: not a proof
  }
}
