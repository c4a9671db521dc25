// Node's parts of Discret, installed by the Node entry point (index.ts).
import { createReadStream, existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createCryptoPool } from '@discret/crypto';
import { lanDiscovery, libp2pTransport } from '@discret/sync';
import type { Platform } from './platform.js';

export const nodePlatform: Platform = {
  name: 'node',
  createCryptoPool: (workers) => createCryptoPool({ parallelism: workers }),
  availableParallelism: () => availableParallelism(),
  // As upstream: QUIC and TCP on all interfaces.
  defaultTransport: () => libp2pTransport(),
  noNetworkReason: "Opened with transport: 'none': open Discret without it (or with a transport) to synchronise",
  lan: lanDiscovery,
  databasePath: (dataFolder, fileName) => join(dataFolder, fileName),
  databaseExists: (path) => existsSync(path),
  makeDataFolder: (path) => void mkdirSync(path, { recursive: true }),
  readFile: (path) => createReadStream(path, { highWaterMark: 64 * 1024 }),
};
