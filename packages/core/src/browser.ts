/**
 * @discret/core for browsers: the same API as on Node. The runtime's parts here: the crypto
 * pool's Web Workers (WebCrypto Ed25519, or libsodium's WebAssembly), the store's default driver
 * (SQLite in WebAssembly over OPFS, in a worker), beacons for the network (no multicast).
 */
import { createCryptoPool } from '@discret/crypto';
import { defaultDriver } from '@discret/store';
import { libp2pTransport } from '@discret/sync';
import { databaseFile } from './discret.js';
import { DiscretError } from './errors.js';
import { installPlatform } from './platform.js';

export * from './portable.js';
export { libp2pTransport } from '@discret/sync';

// The database worker starts, and compiles SQLite's WebAssembly, as soon as the page loads
// Discret: by the time the user has logged in (argon2id takes ~0.5 s), `Discret.open` only
// opens the file. Unused, the worker stops after a few seconds. Nowhere to start it (no
// Worker, a bundle whose wasm URL is unknown): the first open does it all, as before.
try {
  if (typeof Worker !== 'undefined') defaultDriver()?.warm?.();
} catch {
  // the first open reports what is wrong
}

installPlatform({
  name: 'browser',
  // Warm: the workers start while the database opens, not at the app's first signature.
  createCryptoPool: (workers) => createCryptoPool({ parallelism: workers, warm: true }),
  availableParallelism: () => globalThis.navigator?.hardwareConcurrency ?? 1,
  // No multicast in a page: peers meet through beacons (WebSockets, relay, WebRTC) or not at all.
  defaultTransport: (config) => (config.enableBeacons && config.beacons.length ? libp2pTransport() : undefined),
  noNetworkReason: 'No network in this page: a browser finds peers only through beacons; give config.beacons (e.g. /dns4/beacon.example.org/tcp/443/wss/p2p/...), or a transport',
  lan: undefined,
  databasePath: (dataFolder, fileName) => `${dataFolder.replace(/\/+$/, '')}/${fileName}`,
  // OPFS folders are made by the driver as it opens the file; the folder is a name here.
  databaseExists: () => {
    throw new DiscretError('INVALID_ARGUMENT', 'In a browser, databaseExists is asynchronous: use the one @discret/core exports there');
  },
  makeDataFolder: () => {},
});

/**
 * Asks the browser to keep this origin's storage (the database) under storage pressure, and
 * says whether it will: `navigator.storage.persist()`'s answer (browsers grant it to installed
 * or much-used sites; a headless Chromium says false). Without it, the browser may evict the
 * database when the disk is short: ask before relying on a page as the only copy.
 */
export async function persistentStorage(): Promise<boolean> {
  const storage = globalThis.navigator?.storage;
  if (!storage?.persist) return false;
  return (await storage.persisted()) || storage.persist();
}

/**
 * True when `dataFolder` holds a database for this app key, in this origin's private file
 * system. Asynchronous in a browser (OPFS has no synchronous API in a page).
 */
export async function databaseExists(appKey: string, dataFolder: string): Promise<boolean> {
  try {
    return (await defaultDriver().fileSize?.(databaseFile(dataFolder, appKey))) !== undefined;
  } catch {
    return false;
  }
}
