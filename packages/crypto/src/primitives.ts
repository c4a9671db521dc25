import { noblePrimitives } from './noble-primitives.js';
import type { Argon2id, Primitives } from './primitive-types.js';

export type { Argon2id, Primitives } from './primitive-types.js';

// hash-wasm's argon2id: byte-identical to @node-rs/argon2 (tested), loaded on first use so a
// page that never derives a pass phrase does not download it.
const portableArgon2id: Argon2id = async (password, salt, params) => {
  const { argon2id } = await import('hash-wasm');
  return argon2id({
    password, salt, memorySize: params.memoryCost, iterations: params.timeCost,
    parallelism: params.parallelism, hashLength: params.outputLen, outputType: 'binary',
  });
};

let current: Primitives = noblePrimitives;
let currentArgon2id: Argon2id = portableArgon2id;

/** The primitives in use. */
export function primitives(): Primitives {
  return current;
}

/** The argon2id in use. */
export function argon2id(): Argon2id {
  return currentArgon2id;
}

/**
 * Installs a runtime's faster implementations; called by an entry point before anything is
 * derived or signed. Keys already made keep the primitives they were made with.
 */
export function installPrimitives(choice: { primitives?: Primitives; argon2id?: Argon2id }): void {
  if (choice.primitives) current = choice.primitives;
  if (choice.argon2id) currentArgon2id = choice.argon2id;
}
