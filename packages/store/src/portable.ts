// Everything of @discret/store that runs on any JS runtime: the store, its query engine and
// the storage seam. The entry points add their runtime's drivers.
export { Store } from './store.js';
export { verifyNodeRow, verifyEdgeRow } from './integrity.js';
export type { StoreOptions, RequestOptions, ImportOptions, ChangedDays, ChangeSources, ChangedItems, ChangedRow, TouchedEntities } from './types.js';
export type { RecordRef, RoomItem, PageFilter, RecordPage } from './room-items.js';
export {
  ALLOW_ALL, ALLOWED, type WritePolicy, type WriteQuestion, type WriteDecision, type RowInserted, type RowUpdated, type RowDeleted, type EdgeChanged,
} from './policy.js';
export { StoreError, type StoreErrorCode } from './errors.js';
export type { StoreDriver, SqlConnection, SqlValue, Row, OpenOptions, RunResult, DatabaseLock } from './driver.js';
export type { Checkpointer } from './checkpointer.js';
export { defaultDriver, installDefaultDriver } from './default-driver.js';
export type { NodeRecord, EdgeRecord, NodeDeletionRecord, EdgeDeletionRecord, RecordBatch, RecordKind } from './records.js';
export type { ImportReport, RejectedRecord } from './import.js';
export { BlobTable, GROUPS_PER_WRITE, type BlobRecord, type StoredGroup } from './blobs.js';
