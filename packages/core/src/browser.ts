/**
 * @discret/core for browsers: the same API as on Node. The runtime's parts here are portable
 * ones (crypto on the calling thread, no multicast, no default network); the page's storage
 * driver (SQLite in WebAssembly over OPFS, in a worker) is given as `driver`.
 */
import { createCryptoPool } from '@discret/crypto';
import { DiscretError } from './errors.js';
import { installPlatform } from './platform.js';

export * from './portable.js';

installPlatform({
  name: 'browser',
  createCryptoPool: (workers) => createCryptoPool({ parallelism: workers }),
  availableParallelism: () => globalThis.navigator?.hardwareConcurrency ?? 1,
  defaultDriver: () => {
    throw new DiscretError('INVALID_CONFIGURATION', 'In a browser, give a storage driver (options.driver)');
  },
  defaultTransport: () => undefined,
  lan: undefined,
  databasePath: (dataFolder, fileName) => `${dataFolder.replace(/\/+$/, '')}/${fileName}`,
  // The driver owns the files in a browser (OPFS); the folder is a name, nothing to make.
  databaseExists: () => {
    throw new DiscretError('INVALID_CONFIGURATION', 'databaseExists is not available in a browser yet');
  },
  makeDataFolder: () => {},
});
