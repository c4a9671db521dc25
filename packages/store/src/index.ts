/**
 * @discret/store for Node — the encrypted, signed graph store of Discret and its query engine,
 * with Node's drivers: SQLCipher (the default) and node:sqlite. The `browser` export
 * condition gives browser.ts.
 */
import { installDefaultDriver } from './default-driver.js';
import { sqlcipherDriver } from './drivers/sqlcipher.js';

export * from './portable.js';
export { sqlcipherDriver } from './drivers/sqlcipher.js';
export { nodeSqliteDriver } from './drivers/node-sqlite.js';

installDefaultDriver(sqlcipherDriver);
