/**
 * @discret/core — the app-facing API of Discret.
 */
export { Discret, databaseExists, type DiscretOptions, type DataModelInfo, type MutationStream } from './discret.js';
export { DiscretError, type DiscretErrorCode } from './errors.js';
export { DEFAULT_CONFIGURATION, type Configuration } from './config.js';
export type { DiscretEvent, DiscretEventType, EventOf } from './events.js';
export { derivePassPhrase, zeroUid } from '@discret/crypto';
export { nodeSqliteDriver, sqlcipherDriver, type StoreDriver } from '@discret/store';
export type { Parameters } from '@discret/lang';
