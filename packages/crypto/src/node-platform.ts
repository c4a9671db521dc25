// The Node runtime's faster parts, installed by the Node entry point (index.ts) before any
// other module of the package runs: libsodium through sodium-native (unless DISCRET_CRYPTO=noble
// asks for the portable path, or its binary does not load) and argon2id from @node-rs/argon2.
import { hashRaw } from '@node-rs/argon2';
import { installPrimitives } from './primitives.js';
import { loadSodiumPrimitives } from './sodium-primitives.js';

// @node-rs/argon2's Algorithm.Argon2id (a const enum, which isolated modules cannot read).
const ARGON2ID = 2;

const sodium = process.env.DISCRET_CRYPTO === 'noble' ? null : loadSodiumPrimitives();

installPrimitives({
  ...(sodium ? { primitives: sodium } : {}),
  argon2id: async (password, salt, params) => {
    const out = await hashRaw(Buffer.from(password), { ...params, algorithm: ARGON2ID, salt: Buffer.from(salt) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  },
});

/** Which primitives the Node entry installed. */
export const backend: 'sodium' | 'noble' = sodium ? 'sodium' : 'noble';
