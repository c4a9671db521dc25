import type { CryptoPool, SigningKey } from '@discret/crypto';
import type { DataModel } from '@discret/lang';
import type { Logger } from '@discret/log';
import type { StoreDriver } from './driver.js';
import type { WritePolicy } from './policy.js';
import type { PendingItem, RoomItem } from './room-items.js';

/** Rooms, entities and days (epoch ms at 00:00 UTC) touched by committed writes. */
export type ChangedDays = Map<string, Map<string, Set<number>>>;

/**
 * Per changed room, where its changes came from: the `source` of each import that changed it,
 * and null for local writes. Sync uses it not to echo a peer's rows back to that peer.
 */
export type ChangeSources = Map<string, Set<string | null>>;

/**
 * Per changed room, the records a commit wrote there (new versions, links, deletions), or null
 * when there were too many to list (peers then reconcile the room).
 */
export type ChangedItems = Map<string, RoomItem[] | null>;

/**
 * Per room (base64url; null for local data), the entities (full names) a commit wrote rows or
 * links of, or deleted rows of: what a live query needs to know whether it could have changed.
 */
export type TouchedEntities = Map<string | null, Set<string>>;

/**
 * A row a commit wrote or deleted, for live queries' filters: its JSON text (values by field
 * short id) before and after the commit, null where the row did not exist, undefined where it
 * is not known (a link of the row changed: any query on its entity may have changed).
 */
export interface ChangedRow {
  entity: string;
  room: string | null;
  before: string | null | undefined;
  after: string | null | undefined;
}

export interface StoreOptions<Grant = unknown> {
  /** Database file path. */
  path: string;
  /** 32-byte database key (ignored by unencrypted drivers). */
  key: Uint8Array;
  /** Signs every row this store writes. */
  signingKey: SigningKey;
  /** Storage engine; SQLCipher by default. */
  driver?: StoreDriver;
  /** Built-in namespaces (the `sys` model) placed before the app's data model. */
  builtins?: DataModel;
  maxObjectSizeInKb?: number;
  /** Most writes that share one transaction (group commit). */
  writeBufferLength?: number;
  /** Page cache of the reading connection, in KiB. */
  readCacheSizeInKb?: number;
  /**
   * Page cache of the writing connection, in KiB; default 2048. A small cache spills written
   * pages to the log while rows are still being signed; a large one leaves them all to the
   * commit, when nothing else can run (a bulk insert of 100k rows measured its commits at
   * 45 ms with 2 MiB, 170 ms with SQLCipher's default 16 MiB).
   */
  writeCacheSizeInKb?: number;
  /** Signs large write batches on worker threads; without it, signing stays on this thread. */
  cryptoPool?: CryptoPool;
  /** Decides every write, local or imported (see policy.ts); without one, all are allowed. */
  policy?: WritePolicy<Grant>;
  /** Where background failures (full-text indexing) are reported; silent by default. */
  logger?: Logger;
  /**
   * Told after each commit which rooms, entities (full names) and days changed, and which
   * entities it touched per room, local data (room null) included (`changes` is empty when a
   * commit wrote only local data), and the rows it wrote with their values, or null when there
   * were too many to list (then `touched` alone says what changed).
   */
  onChange?: (changes: ChangedDays, sources: ChangeSources, items: ChangedItems, touched: TouchedEntities, rows: ChangedRow[] | null) => void;
}

/** Per-request options of `mutate` and `delete`. */
export interface RequestOptions<Grant = unknown> {
  /** What the caller judged before the request (handed to the policy with every question). */
  grant?: Grant;
  /** Aborted before the request reaches the writer: nothing is written. */
  signal?: AbortSignal;
}

/** What a write job hands back to the writer: its result, and what it changed. */
export interface WriteOutcome<T> {
  result: T;
  changes: ChangedDays;
  /** How many rows this write queued for the full-text index. */
  textQueued?: boolean;
  /** The import's source; undefined for local writes. */
  source?: string;
  /** Records written, per room (see WriteContext.recordItem). */
  items?: Map<string, PendingItem[] | null>;
  /** Entities written per room, local data included (see WriteEffects.ask). */
  touched?: TouchedEntities;
  /** The rows written, with their values; null when there were too many (see WriteEffects.noteRow). */
  rows?: ChangedRow[] | null;
}

/** Options of `importRecords`. */
export interface ImportOptions<Grant = unknown> {
  /** Handed to the policy with every question, as for local requests (core grants a validated room history). */
  grant?: Grant;
  signal?: AbortSignal;
  /**
   * All or nothing on authenticity: if any record has a bad signature or a malformed shape, the
   * import stores nothing and throws (INVALID_SIGNATURE or INVALID_RECORD). Sync uses it: a
   * peer that sends one forged record is dropped with its whole batch.
   */
  strict?: boolean;
  /** Who the records came from (a connection id): reported back with the changes (`onChange`). */
  source?: string;
  /** Short ids of entities whose nodes may come without a room (core's `sys.Peer` rows of other users). */
  localEntities?: readonly string[];
}
