/** Settings of a Discret instance. Every field is optional in `Discret.open`. */
export interface Configuration {
  /** Worker threads for bulk signing and verification. */
  parallelism: number;
  autoAcceptLocalDevice: boolean;
  autoAllowNewPeers: boolean;
  /** Largest entity (its JSON plus binary), in KiB: OBJECT_TOO_LARGE beyond it. */
  maxObjectSizeInKb: number;
  readCacheSizeInKb: number;
  writeCacheSizeInKb: number;
  /** Most writes that share one transaction (group commit). */
  writeBufferLength: number;
  announceFrequencyInMs: number;
  enableMulticast: boolean;
  multicastGroup: string;
  enableBeacons: boolean;
  /** Multiaddrs of beacon servers, each pinning the server's peer id. */
  beacons: string[];
  /** Listen addresses; empty means QUIC and TCP on all interfaces, random ports. */
  listen: string[];
  enableRelay: boolean;
  enableDatabaseMemorySecurity: boolean;
}

export const DEFAULT_CONFIGURATION: Readonly<Configuration> = Object.freeze({
  parallelism: 4,
  autoAcceptLocalDevice: true,
  autoAllowNewPeers: false,
  maxObjectSizeInKb: 256,
  readCacheSizeInKb: 2048,
  writeCacheSizeInKb: 2048,
  writeBufferLength: 1024,
  announceFrequencyInMs: 60_000,
  enableMulticast: true,
  multicastGroup: '224.0.0.224:22402',
  enableBeacons: true,
  beacons: [],
  listen: [],
  enableRelay: true,
  enableDatabaseMemorySecurity: false,
});
