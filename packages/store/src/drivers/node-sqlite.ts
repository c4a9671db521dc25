import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { b64u, statementCache, type Row, type SqlConnection, type SqlValue, type StoreDriver } from '../driver.js';
import { StoreError } from '../errors.js';

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
      } catch (err) {
        throw new StoreError('STORAGE', `Cannot open ${options.path}: ${(err as Error).message}`);
      }
      db.function('b64u', { deterministic: true }, (v) => b64u(v));
      const cache = statementCache((sql: string) => db.prepare(sql));
      const prepare = cache.get;
      return {
        async exec(sql) {
          db.exec(sql);
        },
        async all(sql, params = []) {
          return prepare(sql).all(...(params as SqlValue[] as never[])) as Row[];
        },
        async run(sql, params = []) {
          const result = prepare(sql).run(...(params as never[]));
          return { changes: Number(result.changes), lastInsertRowid: Number(result.lastInsertRowid) };
        },
        async batch(steps) {
          for (const step of steps) prepare(step.sql).run(...(step.params as never[]));
        },
        async close() {
          cache.clear();
          db.close();
        },
      };
    },
  };
}
