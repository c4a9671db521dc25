import type { CryptoPool } from '@discret/crypto';
import type { LanDiscoveryFactory, Transport } from '@discret/sync';
import type { Configuration } from './config.js';
import { DiscretError } from './errors.js';

/**
 * What Discret needs from the runtime it runs on, chosen by the entry point (index.ts on Node,
 * browser.ts in a page) so that the rest of the package is one code base.
 */
export interface Platform {
  readonly name: string;
  /** A pool for bulk signing with at most `workers` workers (0: the calling thread). */
  createCryptoPool(workers: number): CryptoPool;
  /** Cores the runtime reports. */
  availableParallelism(): number;
  /**
   * The network when the app gives none, for this configuration; undefined where there is none
   * (a page with no beacon configured: it has no other way to meet peers).
   */
  defaultTransport(config: Configuration): Transport | undefined;
  /** Why there is no network when the app asks for one (the platform's own words). */
  readonly noNetworkReason: string;
  /** LAN discovery, where the runtime can multicast. */
  readonly lan: LanDiscoveryFactory | undefined;
  /** Where an app's database file is in its data folder. */
  databasePath(dataFolder: string, fileName: string): string;
  /** True when a database file exists there. */
  databaseExists(path: string): boolean;
  /** Makes the data folder if missing; throws when the path cannot be a folder. */
  makeDataFolder(path: string): void;
  /** A file's bytes read in chunks, where the runtime has files (`putBlob` with a path). */
  readonly readFile?: (path: string) => AsyncIterable<Uint8Array>;
}

let current: Platform | undefined;

/** Called once by the entry point. */
export function installPlatform(platform: Platform): void {
  current = platform;
}

export function platform(): Platform {
  if (!current) throw new DiscretError('INTERNAL', 'No platform installed: import @discret/core through its package entry point');
  return current;
}
