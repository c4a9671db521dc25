import { createRequire } from 'node:module';

type Sodium = typeof import('sodium-native');

/**
 * libsodium through sodium-native when it loads (Node with its prebuilt binary), otherwise
 * null and every function falls back to @noble (same outputs, cross-tested). Set
 * DISCRET_CRYPTO=noble to force the portable path.
 */
export const native: Sodium | null = (() => {
  if (process.env.DISCRET_CRYPTO === 'noble') return null;
  try {
    return createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return null;
  }
})();

export const backend: 'sodium' | 'noble' = native ? 'sodium' : 'noble';
