import { base64url, isBytes } from './encoding.js';
import { CryptoError } from './errors.js';
import { type Primitives, primitives } from './primitives.js';
import { randomBytes } from './random.js';

/**
 * An ed25519 signing key (the user's identity). Deterministic: the same seed gives the same
 * key and the same message the same signature, with libsodium and with @noble alike.
 */
export class SigningKey {
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
  private readonly seed: Uint8Array;
  private readonly secretKey: Uint8Array;
  // The primitives that made the secret key sign with it (its form is theirs).
  private readonly primitives: Primitives;

  constructor(seed: Uint8Array) {
    if (!isBytes(seed) || seed.length !== 32) throw new CryptoError('INVALID_KEY', `A signing key seed has 32 bytes, got ${seed?.length}`);
    this.seed = Uint8Array.from(seed);
    this.primitives = primitives();
    const pair = this.primitives.signingKeyPair(this.seed);
    this.publicKey = pair.publicKey;
    this.secretKey = pair.secretKey;
  }

  /**
   * A new random key, for identities that are not derived from a password: a device's
   * transport identity is one per install, kept in that install's encrypted database.
   */
  static generate(): SigningKey {
    return new SigningKey(randomBytes(32));
  }

  /** The public key as base64url: the `verifyingKey` that names a user. */
  get verifyingKey(): string {
    return base64url(this.publicKey);
  }

  /** The 32-byte seed, for handing the key to a worker thread. */
  exportSeed(): Uint8Array {
    return Uint8Array.from(this.seed);
  }

  sign(message: Uint8Array): Uint8Array {
    return this.primitives.sign(message, this.secretKey);
  }
}

/**
 * True when `signature` is `publicKey`'s ed25519 signature of `message`, by libsodium's strict
 * rule on both backends (see ed25519-rule.ts), so every peer reaches the same verdict.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return primitives().verify(signature, message, publicKey);
}

/** Like `verify`, but throws INVALID_SIGNATURE. */
export function assertSignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, what = 'data'): void {
  if (!verify(publicKey, message, signature)) throw new CryptoError('INVALID_SIGNATURE', `Invalid signature on ${what}`);
}
