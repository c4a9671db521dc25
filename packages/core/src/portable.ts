// Everything of @discret/core that runs on any JS runtime. The entry points (index.ts for
// Node, browser.ts) install their runtime's platform and add its parts.
export { Discret, databaseExists, type DiscretOptions, type DataModelInfo, type RequestOptions, type TypedQuery } from './discret.js';
export type { MutationStream } from './mutation-stream.js';
export type { LiveQuery } from './live-queries.js';
export type { BlobInput, BlobStatus } from './blob-service.js';
export { DiscretError, type DiscretErrorCode, type CoreErrorCode } from './errors.js';
export { DEFAULT_CONFIGURATION, type Configuration } from './config.js';
export type { DiscretEvent, DiscretEventType, EventOf } from './events.js';
export type { Platform } from './platform.js';
export { derivePassPhrase, zeroUid, createCryptoPool, type CryptoPool } from '@discret/crypto';
export { createLogger, silentLogger, type Logger, type LogLevel } from '@discret/log';
export type { StoreDriver } from '@discret/store';
export type { Parameters } from '@discret/lang';
export { MemoryNetwork, memoryTransport, type Transport, type Libp2pTransportOptions, type MemoryNetworkOptions } from '@discret/sync';
export { generateTypes } from './codegen.js';
