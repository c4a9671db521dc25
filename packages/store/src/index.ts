/**
 * @discret/store — the encrypted, signed graph store of Discret and its query engine.
 */
export { Store, verifyNodeRow, verifyEdgeRow, type StoreOptions, type WriteCheck, type ChangedDays } from './store.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export type { StoreDriver, SqlConnection, SqlValue, Row, OpenOptions, RunResult } from './driver.js';
export { sqlcipherDriver } from './drivers/sqlcipher.js';
export { nodeSqliteDriver } from './drivers/node-sqlite.js';
export { GroupCommitWriter, type WriteJob } from './writer.js';
export { WriteTransaction, SignatureSlot, type BatchSigner } from './transaction.js';
export type { NodeRecord, EdgeRecord, NodeDeletionRecord, EdgeDeletionRecord, RecordBatch } from './records.js';
export type { ImportReport, RejectedRecord, RecordKind } from './import.js';
