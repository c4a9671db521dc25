import { loadLibsodiumPrimitives } from './libsodium-primitives.js';
import { noblePrimitives } from './noble-primitives.js';
import type { Primitives } from './primitive-types.js';

/** libsodium's WebAssembly build when asked and it loads (it needs WebAssembly), @noble otherwise. */
export async function libsodiumOrNoble(wanted = true): Promise<Primitives> {
  if (!wanted) return noblePrimitives;
  try {
    return await loadLibsodiumPrimitives();
  } catch {
    return noblePrimitives;
  }
}
