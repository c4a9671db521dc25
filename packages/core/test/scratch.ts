// A core test file's scratch space: a temporary folder and one crypto pool for the file's apps,
// both released after its tests. Every test file that opens apps had its own copy of this.
import { afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CryptoPool, createCryptoPool } from '@discret/core';

export function scratch(prefix: string): { root: string; pool: CryptoPool } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const pool = createCryptoPool({ parallelism: 1 });
  afterAll(async () => {
    await pool.close();
    rmSync(root, { recursive: true, force: true });
  });
  return { root, pool };
}
