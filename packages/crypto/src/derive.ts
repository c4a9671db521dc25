import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { isBytes, utf8 } from './encoding.js';
import { CryptoError } from './errors.js';
import { hash } from './hash.js';
import { MeetingSecret } from './meeting.js';
import { argon2id } from './primitives.js';
import { SigningKey } from './signing.js';

/**
 * argon2id parameters of `derivePassPhrase`. Fixed forever: changing any of them changes
 * every derived key, so every existing database would stop opening.
 */
export const PASS_PHRASE_PARAMS = { memoryCost: 65536, timeCost: 3, parallelism: 1, outputLen: 32 } as const;

/**
 * 32 bytes of key material from a login and a password, by argon2id (64 MiB, 3 passes;
 * ~240 ms in Node, ~500 ms in a page, on purpose). The salt is BLAKE2b-256 of `"discret/login/v1:" + login`, so the
 * same login and password give the same material on every device.
 */
export async function derivePassPhrase(login: string, password: string): Promise<Uint8Array> {
  if (typeof login !== 'string' || typeof password !== 'string') throw new CryptoError('INVALID_INPUT', 'login and password must be strings');
  // The browser's argon2id (hash-wasm) refuses an empty password; every runtime does alike.
  if (password.length === 0) throw new CryptoError('INVALID_INPUT', 'The password is empty');
  const salt = hash(utf8(`discret/login/v1:${login}`)).subarray(0, 16);
  return argon2id()(utf8(password), salt, PASS_PHRASE_PARAMS);
}

/** Everything a user's key material gives for one application. */
export interface AppKeys {
  signingKey: SigningKey;
  /** 32 bytes for the database encryption at rest. */
  databaseKey: Uint8Array;
  /** 16 bytes: the id of the room only this user's own devices share. */
  privateRoomId: Uint8Array;
  /** X25519 secret shared by all of the user's devices, for meeting tokens. */
  meetingSecret: MeetingSecret;
}

/**
 * Derives the app's keys from key material with HKDF-SHA256 (salt: the app key, info: a
 * purpose label). Each key has its own label, so they are independent of each other, and
 * different app keys give unrelated keys.
 */
export function deriveAppKeys(keyMaterial: Uint8Array, appKey: string): AppKeys {
  if (!isBytes(keyMaterial) || keyMaterial.length !== 32) {
    throw new CryptoError('INVALID_KEY', 'keyMaterial must be a Uint8Array of 32 bytes');
  }
  if (typeof appKey !== 'string' || appKey.length === 0) throw new CryptoError('INVALID_INPUT', 'appKey must be a non-empty string');
  const derive = (label: string, length: number) => hkdf(sha256, keyMaterial, utf8(appKey), utf8(`discret/${label}/v1`), length);
  return {
    signingKey: new SigningKey(derive('signing-key', 32)),
    databaseKey: derive('database-key', 32),
    privateRoomId: derive('private-room', 16),
    meetingSecret: new MeetingSecret(derive('meeting-secret', 32)),
  };
}
