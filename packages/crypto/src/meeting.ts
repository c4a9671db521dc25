import { base64url, compareBytes, equalBytes, fromBase64url, isBytes, utf8 } from './encoding.js';
import { CryptoError } from './errors.js';
import { keyedHash } from './hash.js';
import { primitives } from './primitives.js';

/**
 * Meeting tokens let two peers recognise each other on a shared network (LAN broadcast, the
 * beacon) without telling anyone else who they are.
 *
 * Each user has a meeting secret (an X25519 key derived from their key material, so all of
 * their devices share it) and publishes its public half inside the `sys.Peer` rows that their
 * rooms already sync. For a pair of users the token is the first `MEETING_TOKEN_LENGTH` bytes of
 *
 *     BLAKE2b-256(key = "discret/meeting/v1", X25519(mine, theirs) || lowPub || highPub)
 *
 * where lowPub/highPub are the two public keys in byte order: both sides compute the same
 * token and a third party, who lacks both secrets, cannot. For oneself (another device of the
 * same user) the secret is hashed instead of a Diffie-Hellman with itself. An announcement is a
 * list of such tokens: a listener who finds one it knows has met a peer, and then proves it
 * by signatures when connecting (the token is short on purpose, a hint, not a proof).
 *
 * Invites have no peer key yet, so their tokens derive from the invite id: `deriveToken`.
 */
export const MEETING_TOKEN_LENGTH = 8;
const DOMAIN = utf8('discret/meeting/v1');
const SELF_DOMAIN = utf8('discret/meeting-self/v1');

export class MeetingSecret {
  /** The 32-byte X25519 public key to publish. */
  readonly publicKey: Uint8Array;
  private readonly secret: Uint8Array;

  constructor(secret: Uint8Array) {
    if (!isBytes(secret) || secret.length !== 32) {
      throw new CryptoError('INVALID_KEY', `A meeting secret has 32 bytes, got ${secret?.length}`);
    }
    this.secret = Uint8Array.from(secret);
    this.publicKey = scalarMultBase(this.secret);
  }

  /** The token this user shares with the owner of `theirPublicKey` (symmetric). */
  token(theirPublicKey: Uint8Array): Uint8Array {
    if (theirPublicKey.length !== 32) throw new CryptoError('INVALID_KEY', 'A meeting public key has 32 bytes');
    if (equalBytes(theirPublicKey, this.publicKey)) {
      return keyedHash(SELF_DOMAIN, this.secret).subarray(0, MEETING_TOKEN_LENGTH);
    }
    const shared = scalarMult(this.secret, theirPublicKey);
    const [low, high] = compareBytes(this.publicKey, theirPublicKey) < 0 ? [this.publicKey, theirPublicKey] : [theirPublicKey, this.publicKey];
    const input = new Uint8Array(96);
    input.set(shared, 0);
    input.set(low, 32);
    input.set(high, 64);
    return keyedHash(DOMAIN, input).subarray(0, MEETING_TOKEN_LENGTH);
  }
}

/** A token from a context label and shared secret bytes (an invite id, for instance). */
export function deriveToken(context: string, keyMaterial: Uint8Array): Uint8Array {
  return keyedHash(utf8(`discret/meeting-token/v1:${context}`), keyMaterial).subarray(0, MEETING_TOKEN_LENGTH);
}

export function encodeToken(token: Uint8Array): string {
  return base64url(token);
}

/** Reads a base64url token; throws INVALID_INPUT unless it is exactly one token long. */
export function decodeToken(text: string): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(text);
  } catch {
    throw new CryptoError('INVALID_INPUT', 'A meeting token is base64url');
  }
  if (bytes.length !== MEETING_TOKEN_LENGTH) throw new CryptoError('INVALID_INPUT', `A meeting token has ${MEETING_TOKEN_LENGTH} bytes`);
  return bytes;
}

function scalarMultBase(secret: Uint8Array): Uint8Array {
  return primitives().x25519Public(secret);
}

function scalarMult(secret: Uint8Array, theirs: Uint8Array): Uint8Array {
  // A low-order public key would force a known shared value: every backend refuses it.
  try {
    return primitives().x25519(secret, theirs);
  } catch {
    throw new CryptoError('INVALID_KEY', 'Not a usable X25519 public key');
  }
}
