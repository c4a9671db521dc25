import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { base64url } from './encoding.js';
import { CryptoError } from './errors.js';
import { toBuffer } from './hash.js';
import { makeVerifier } from './ed25519-rule.js';
import { native } from './native.js';

const verifyRule = makeVerifier(native);

/**
 * An ed25519 signing key (the user's identity). Deterministic: the same seed gives the same
 * key and the same message the same signature, with libsodium and with @noble alike.
 */
export class SigningKey {
  /** The 32-byte public key. */
  readonly publicKey: Uint8Array;
  private readonly seed: Uint8Array;
  private readonly secretKey: Buffer | null;

  constructor(seed: Uint8Array) {
    if (seed.length !== 32) throw new CryptoError('INVALID_KEY', `A signing key seed has 32 bytes, got ${seed.length}`);
    this.seed = Uint8Array.from(seed);
    if (native) {
      const pk = Buffer.alloc(32);
      this.secretKey = Buffer.alloc(64);
      native.crypto_sign_seed_keypair(pk, this.secretKey, toBuffer(this.seed));
      this.publicKey = new Uint8Array(pk.buffer, pk.byteOffset, 32);
    } else {
      this.secretKey = null;
      this.publicKey = ed25519.getPublicKey(this.seed);
    }
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
    if (this.secretKey && native) {
      const signature = Buffer.alloc(64);
      native.crypto_sign_detached(signature, toBuffer(message), this.secretKey);
      return new Uint8Array(signature.buffer, signature.byteOffset, 64);
    }
    return ed25519.sign(message, this.seed);
  }
}

/**
 * True when `signature` is `publicKey`'s ed25519 signature of `message`, by libsodium's strict
 * rule on both backends (see ed25519-rule.ts), so every peer reaches the same verdict.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  return verifyRule(signature, message, publicKey);
}

/** Like `verify`, but throws INVALID_SIGNATURE. */
export function assertSignature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array, what = 'data'): void {
  if (!verify(publicKey, message, signature)) throw new CryptoError('INVALID_SIGNATURE', `Invalid signature on ${what}`);
}
