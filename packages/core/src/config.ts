import { DiscretError } from './errors.js';

/** Settings of a Discret instance. Every field is optional in `Discret.open`. */
export interface Configuration {
  /** Worker threads for bulk signing and verification (at most the cores minus one). */
  parallelism: number;
  /** Largest entity (its JSON plus binary), in KiB: OBJECT_TOO_LARGE beyond it. */
  maxObjectSizeInKb: number;
  /** Page cache of the reading database connection, in KiB (SQLite `cache_size`). */
  readCacheSizeInKb: number;
  /** Page cache of the writing database connection, in KiB. */
  writeCacheSizeInKb: number;
  /** Most writes that share one transaction (group commit). */
  writeBufferLength: number;
  /** Most events an `events()` iterator holds for a slow reader before dropping the oldest. */
  eventQueueLength: number;
  /**
   * Another install of the same user (same key material) synchronises the private room at once.
   * When false it waits as `PendingHardware` until its `sys.AllowedHardware` row is enabled.
   */
  autoAcceptLocalDevice: boolean;
  /**
   * A user we have never met who shares a room with us is allowed at once. When false (the
   * default) they are recorded as a pending `sys.AllowedPeer` and `PendingPeer` is emitted.
   */
  autoAllowNewPeers: boolean;
  /** Time a peer has to answer any sync request before it is disconnected. */
  networkTimeoutInMs: number;
  /**
   * Find peers on the local network with no server: announce meeting tokens by multicast (see
   * @discret/sync lan.ts). Only when the transport listens on a non-loopback IPv4 address.
   */
  enableMulticast: boolean;
  /** `address:port` of the multicast group. */
  multicastGroup: string;
  /** Time between two multicast announcements (one is also sent at start and after invites). */
  announceFrequencyInMs: number;
  /** Register our (rotated) meeting tokens with the `beacons` to meet peers over the internet. */
  enableBeacons: boolean;
  /** Beacon multiaddrs, each ending in `/p2p/<beacon peer id>` (the id pins the beacon's key). */
  beacons: string[];
  /** Reserve a relay slot on each beacon, so peers reach us through it when nothing direct works. */
  enableRelay: boolean;
  /**
   * Only through the beacons' relays: no direct connection is dialled or accepted, so other
   * peers never learn this device's address (the beacon still sees it).
   */
  relayOnly: boolean;
  /**
   * Blobs (files) up to this size, in KiB, referenced by rows received from peers are fetched
   * at once; larger ones (and all when 0, the default) when `getBlob` asks.
   */
  prefetchBlobsUpToKb: number;
  /** A blob put or fetched is never collected within this time, referenced or not (a row referencing it is usually written just after). */
  blobGraceInMs: number;
  /** Time between two collections of unreferenced blobs (see `collectBlobs`). */
  blobCollectionIntervalInMs: number;
}

export const DEFAULT_CONFIGURATION: Readonly<Configuration> = Object.freeze({
  parallelism: 4,
  maxObjectSizeInKb: 256,
  readCacheSizeInKb: 2048,
  writeCacheSizeInKb: 2048,
  writeBufferLength: 1024,
  eventQueueLength: 1024,
  autoAcceptLocalDevice: true,
  autoAllowNewPeers: false,
  networkTimeoutInMs: 10_000,
  enableMulticast: true,
  multicastGroup: '224.0.0.224:22402',
  announceFrequencyInMs: 10_000,
  enableBeacons: true,
  beacons: [],
  enableRelay: true,
  relayOnly: false,
  prefetchBlobsUpToKb: 0,
  blobGraceInMs: 3_600_000,
  blobCollectionIntervalInMs: 600_000,
});

/** Numbers that may be 0. */
const MAY_BE_ZERO: ReadonlySet<string> = new Set(['parallelism', 'prefetchBlobsUpToKb', 'blobGraceInMs']);

/** The settings in force: defaults filled in; unknown keys and wrong values refused. */
export function resolveConfiguration(given: Partial<Configuration> | undefined): Configuration {
  if (given !== undefined && (given === null || typeof given !== 'object' || Array.isArray(given))) {
    throw new DiscretError('INVALID_CONFIGURATION', 'config must be an object');
  }
  const config: Configuration = { ...DEFAULT_CONFIGURATION };
  for (const [key, value] of Object.entries(given ?? {})) {
    if (!Object.hasOwn(DEFAULT_CONFIGURATION, key)) {
      throw new DiscretError('INVALID_CONFIGURATION', `Unknown configuration key "${key}"`);
    }
    if (value === undefined) continue;
    const k = key as keyof Configuration;
    if (k === 'beacons') {
      if (!Array.isArray(value) || !value.every((b) => typeof b === 'string' && /\/p2p\/[1-9A-HJ-NP-Za-km-z]+$/.test(b))) {
        throw new DiscretError('INVALID_CONFIGURATION', 'Configuration key "beacons" is a list of multiaddrs ending in /p2p/<peer id>');
      }
      config.beacons = [...value];
      continue;
    }
    if (typeof value !== typeof DEFAULT_CONFIGURATION[k]) {
      throw new DiscretError('INVALID_CONFIGURATION', `Configuration key "${key}" must be a ${typeof DEFAULT_CONFIGURATION[k]}`);
    }
    if (typeof value === 'number' && (!Number.isInteger(value) || value < (MAY_BE_ZERO.has(k) ? 0 : 1))) {
      throw new DiscretError('INVALID_CONFIGURATION', `Configuration key "${key}" must be a ${MAY_BE_ZERO.has(k) ? 'non-negative' : 'positive'} integer`);
    }
    (config as unknown as Record<string, unknown>)[key] = value;
  }
  return config;
}
