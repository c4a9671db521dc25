import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/**
 * The beacon's identity: a 32-byte ed25519 seed in `path`, created on first start with mode
 * 0600 (exclusive create: two starts never write two keys) and reused afterwards, so the
 * beacon's peer id, which peers pin in their configuration, never changes.
 */
export function loadOrCreateKey(path: string): Uint8Array {
  if (!existsSync(path)) {
    const seed = randomBytes(32);
    const fd = openSync(path, 'wx', 0o600);
    try {
      writeSync(fd, seed);
    } finally {
      closeSync(fd);
    }
    return new Uint8Array(seed);
  }
  if ((statSync(path).mode & 0o077) !== 0) throw new Error(`${path} is readable by others: chmod 600 it`);
  const seed = readFileSync(path);
  if (seed.length !== 32) throw new Error(`${path} is not a beacon key (32 bytes)`);
  return new Uint8Array(seed);
}
