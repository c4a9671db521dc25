import { DatabaseSync } from 'node:sqlite';
import { b64u, syncConnection, type SqlConnection, type StoreDriver, type SyncDatabase } from '../driver.js';
import { StoreError } from '../errors.js';
import { nodeFiles } from './node-files.js';

/**
 * A driver on Node's built-in `node:sqlite`. Not encrypted: for tests, tools and hosts
 * where the disk is already protected. Proves that the store depends only on the seam.
 */
export function nodeSqliteDriver(): StoreDriver {
  return {
    name: 'node:sqlite',
    encrypted: false,
    async open(options): Promise<SqlConnection> {
      let db: DatabaseSync;
      try {
        db = new DatabaseSync(options.path, { readOnly: options.readonly ?? false });
        db.prepare('SELECT count(*) FROM sqlite_master').get();
        if (options.cacheSizeKb !== undefined) db.exec(`PRAGMA cache_size = -${Math.floor(options.cacheSizeKb)}`);
      } catch (err) {
        throw new StoreError('STORAGE', `Cannot open ${options.path}: ${(err as Error).message}`);
      }
      db.function('b64u', { deterministic: true }, (v) => b64u(v));
      return syncConnection(db as unknown as SyncDatabase, (params) => [...params]);
    },
    ...nodeFiles,
  };
}
