/**
 * @discret/core — the app-facing API of Discret.
 */
export { Discret, databaseExists, type DiscretOptions, type DataModelInfo, type RequestOptions, type TypedQuery } from './discret.js';
export type { MutationStream } from './mutation-stream.js';
export { DiscretError, type DiscretErrorCode, type CoreErrorCode } from './errors.js';
export { DEFAULT_CONFIGURATION, type Configuration } from './config.js';
export type { DiscretEvent, DiscretEventType, EventOf } from './events.js';
export { derivePassPhrase, zeroUid, CryptoPool } from '@discret/crypto';
export { createLogger, silentLogger, type Logger, type LogLevel } from '@discret/log';
export { nodeSqliteDriver, sqlcipherDriver, type StoreDriver } from '@discret/store';
export type { Parameters } from '@discret/lang';
export { libp2pTransport, MemoryNetwork, memoryTransport, type Transport, type Libp2pTransportOptions, type MemoryNetworkOptions } from '@discret/sync';
export { generateTypes } from './codegen.js';
