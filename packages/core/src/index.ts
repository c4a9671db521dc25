/**
 * @discret/core for Node — the app-facing API of Discret. The `browser` export condition gives
 * browser.ts: the same API over the browser's parts.
 */
import { nodePlatform } from './node-platform.js';
import { installPlatform } from './platform.js';

export * from './portable.js';
export { nodeSqliteDriver, sqlcipherDriver } from '@discret/store';
export { libp2pTransport } from '@discret/sync';

installPlatform(nodePlatform);

/** On Node the database is a file on disk: nothing evicts it (the browser entry asks the browser). */
export async function persistentStorage(): Promise<boolean> {
  return true;
}
