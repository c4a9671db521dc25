/**
 * The cryptographic primitives Discret needs, one implementation per runtime: @noble (pure
 * JS, the default, runs anywhere), libsodium through sodium-native (installed by the Node entry
 * point), libsodium's WASM build in a browser. Every implementation gives the same bytes and
 * the same verification verdicts (tested against each other and the published vectors).
 */
export interface Primitives {
  readonly name: string;
  /** BLAKE2b with a 32-byte output, keyed when `key` is given. */
  blake2b256(data: Uint8Array, key?: Uint8Array): Uint8Array;
  /** An ed25519 key pair from a 32-byte seed; the secret key is opaque to callers. */
  signingKeyPair(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array };
  sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array;
  /** libsodium's strict rule (see noble-primitives.ts); false for wrong lengths. */
  verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  x25519Public(secret: Uint8Array): Uint8Array;
  /** The X25519 shared secret; throws for a low-order public key. */
  x25519(secret: Uint8Array, theirs: Uint8Array): Uint8Array;
}

/** argon2id: the key stretching of `derivePassPhrase`. */
export type Argon2id = (
  password: Uint8Array,
  salt: Uint8Array,
  params: { memoryCost: number; timeCost: number; parallelism: number; outputLen: number },
) => Promise<Uint8Array>;
