import { BLOB_GROUP_BYTES, blobIdsIn } from '@discret/crypto';
import type { Row, SqlConnection } from './driver.js';
import { StoreError } from './errors.js';
import { yieldToEventLoop } from './yield.js';
import type { WriteTransaction } from './transaction.js';
import { CHECKPOINT_THREAD_ROWS, type GroupCommitWriter } from './writer.js';

/**
 * Blob bytes inside the encrypted database, one row per 64 KiB group (see @discret/crypto's
 * blob-tree.ts for ids and verification). Kept in SQLCipher rather than in files of their own:
 * the bytes are encrypted at rest with no second key to manage, a group is acknowledged only
 * once committed (what was verified survives a crash, so transfers resume from it), collection
 * runs in the same transactions as row writes (no reference can slip between a check and a
 * delete), and the browser's OPFS database holds blobs with the same code. (Measured in
 * BENCHMARKS.md beside the encrypted-file alternative.)
 *
 * A blob's row records its room, size and group count, how many groups are held, and when it
 * was last touched; an upload in progress has a temporary id (`tmp.`) until its hash is known,
 * and is then renamed: groups refer to their blob by its row number, so a rename rewrites one
 * row, not every group (rewriting 64 MiB of groups took half of a 64 MiB put).
 */
export const BLOB_SCHEMA = `
CREATE TABLE IF NOT EXISTS _blob (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  room_id BLOB NOT NULL,
  size INTEGER NOT NULL,
  groups INTEGER NOT NULL,
  held INTEGER NOT NULL DEFAULT 0,
  touched INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS _blob_group (
  blob INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (blob, idx)
) STRICT;
`;

/** A group to store: its index in the blob, its leaf hash, its bytes. */
export interface StoredGroup {
  index: number;
  hash: Uint8Array;
  data: Uint8Array;
}

/** Groups one `writeGroups` call takes at most: what fills one transaction. */
export const GROUPS_PER_WRITE = 4;

/** What a database holds of a blob. */
export interface BlobRecord {
  id: string;
  room: Uint8Array;
  size: number;
  groups: number;
  held: number;
}

/**
 * What a group weighs in the group-commit writer (in rows): a write of GROUPS_PER_WRITE groups
 * fills a transaction and weighs enough (CHECKPOINT_THREAD_ROWS) to start the checkpoint
 * thread, which then copies the log into the file beside the writer (a 64 MiB put: 2.7 s with
 * the writer checkpointing, 1.3 s with the thread; and a receiver's commits that checkpointed
 * held its event loop 35-65 ms).
 */
const GROUP_WEIGHT = Math.ceil(CHECKPOINT_THREAD_ROWS / GROUPS_PER_WRITE);
/** Rows scanned per page when looking for references. */
const SCAN_PAGE = 2000;
const TEMPORARY = 'tmp.';
/** Groups deleted per transaction when a blob is freed. */
const DELETE_GROUPS_PER_WRITE = 64;
/** Group reads yield to the event loop at least this often (see `readGroup`). */
const YIELD_EVERY_MS = 5;

/** The blob tables of one store: written through its writer, read through its reader. */
export class BlobTable {
  constructor(
    private readonly writer: GroupCommitWriter,
    private readonly reader: SqlConnection,
  ) {}

  /** Starts an upload under a temporary id (its real id is known once every byte was hashed). */
  async beginUpload(room: Uint8Array, name: string): Promise<string> {
    const id = `${TEMPORARY}${name}`;
    await this.writer.write((tx) => tx.execute('INSERT INTO _blob (id, room_id, size, groups, held, touched) VALUES (?, ?, 0, 0, 0, ?)', [id, room, Date.now()]));
    return id;
  }

  /**
   * Makes a blob's row (nothing held yet) unless it exists, touching it either way: a blob
   * touched within the grace period is never collected, so a fetch or an upload keeps it.
   */
  async ensure(record: Omit<BlobRecord, 'held'>): Promise<void> {
    await this.writer.write(async (tx) => {
      tx.queue('INSERT OR IGNORE INTO _blob (id, room_id, size, groups, held, touched) VALUES (?, ?, ?, ?, 0, ?)', [record.id, record.room, record.size, record.groups, Date.now()]);
      tx.queue('UPDATE _blob SET touched = ? WHERE id = ?', [Date.now(), record.id]);
    });
  }

  /**
   * Stores verified groups (each ignored when held already), at most GROUPS_PER_WRITE; resolves
   * once committed. Several per call: a commit costs about as much as a group, and a receiver
   * whose groups arrived one by one committed each alone.
   */
  writeGroups(blob: string, groups: readonly StoredGroup[]): Promise<void> {
    if (groups.length > GROUPS_PER_WRITE) throw new StoreError('INVALID_ARGUMENT', `At most ${GROUPS_PER_WRITE} groups per write`);
    return this.writer.write(async (tx) => {
      for (const group of groups) {
        tx.queue('INSERT OR IGNORE INTO _blob_group (blob, idx, hash, data) SELECT seq, ?, ?, ? FROM _blob WHERE id = ?', [group.index, group.hash, group.data, blob]);
        tx.queue('UPDATE _blob SET held = held + changes() WHERE id = ?', [blob]);
      }
    }, GROUP_WEIGHT * groups.length);
  }

  /**
   * Ends an upload: its groups become those of blob `record.id`, or are dropped when that blob
   * was already complete here (the same content in the same room: stored once).
   */
  async finishUpload(temporary: string, record: Omit<BlobRecord, 'held'>): Promise<void> {
    await this.writer.write(async (tx) => {
      const [existing] = await tx.read('SELECT held, groups FROM _blob WHERE id = ?', [record.id]);
      if (existing && existing.held === existing.groups) {
        await deleteBlob(tx, temporary);
        await tx.execute('UPDATE _blob SET touched = ? WHERE id = ?', [Date.now(), record.id]);
        return;
      }
      // A partial copy (an interrupted fetch) is replaced by the whole one.
      if (existing) await deleteBlob(tx, record.id);
      await tx.execute('UPDATE _blob SET id = ?, room_id = ?, size = ?, groups = ?, held = ?, touched = ? WHERE id = ?', [
        record.id, record.room, record.size, record.groups, record.groups, Date.now(), temporary,
      ]);
    });
    await this.dropOrphanGroups();
  }

  /** Drops an upload that failed or was aborted. */
  async dropUpload(temporary: string): Promise<void> {
    if (!temporary.startsWith(TEMPORARY)) throw new StoreError('INVALID_ARGUMENT', `${temporary} is not an upload`);
    await this.writer.write((tx) => deleteBlob(tx, temporary));
    await this.dropOrphanGroups();
  }

  async record(id: string): Promise<BlobRecord | undefined> {
    const [row] = await this.reader.all('SELECT id, room_id, size, groups, held FROM _blob WHERE id = ?', [id]);
    if (!row) return undefined;
    return { id, room: row.room_id as Uint8Array, size: Number(row.size), groups: Number(row.groups), held: Number(row.held) };
  }

  /** Indexes of the groups held of a blob, ascending. */
  async heldGroups(id: string): Promise<number[]> {
    return (await this.reader.all('SELECT idx FROM _blob_group WHERE blob = (SELECT seq FROM _blob WHERE id = ?) ORDER BY idx', [id])).map((r) => Number(r.idx));
  }

  /** Leaf hashes of groups [from, to), in order; undefined where a group is not held. */
  async leafHashes(id: string, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<(Uint8Array | undefined)[]> {
    const rows = await this.reader.all('SELECT idx, hash FROM _blob_group WHERE blob = (SELECT seq FROM _blob WHERE id = ?) AND idx >= ? AND idx < ? ORDER BY idx', [id, from, to]);
    const out: (Uint8Array | undefined)[] = [];
    for (const row of rows) out[Number(row.idx) - from] = row.hash as Uint8Array;
    return out;
  }

  /**
   * The bytes of one group, or undefined when it is not held. Now and then it lets the event
   * loop run: a read is synchronous SQLite work (about 0.3 ms), and a stream read by a consumer
   * that never waits chains them in microtasks (256 in a row held the event loop for 130 ms;
   * yielding after every read made a 64 MiB local read 1.8x slower).
   */
  async readGroup(id: string, index: number): Promise<Uint8Array | undefined> {
    const [row] = await this.reader.all('SELECT data FROM _blob_group WHERE blob = (SELECT seq FROM _blob WHERE id = ?) AND idx = ?', [id, index]);
    if (performance.now() - this.lastYield > YIELD_EVERY_MS) {
      await yieldToEventLoop();
      this.lastYield = performance.now();
    }
    return row?.data as Uint8Array | undefined;
  }

  private lastYield = 0;

  /**
   * Frees blobs no row references: complete or partial blobs and abandoned uploads untouched for
   * `graceMs`, except those in `busy` (being written or read now). References are looked for in
   * every row's fields (ids are found in the text); each candidate is checked again inside the
   * deleting transaction, so a row written meanwhile keeps its blob. Returns what was freed.
   */
  async collect(graceMs: number, busy: ReadonlySet<string>): Promise<{ blobs: number; bytes: number }> {
    const before = Date.now() - graceMs;
    const old = await this.reader.all('SELECT id, size FROM _blob WHERE touched <= ?', [before]);
    const candidates = old.filter((r) => !busy.has(String(r.id)));
    if (!candidates.length) return { blobs: 0, bytes: 0 };
    const referenced = await this.referencedIds();
    const unreferenced = candidates.filter((r) => String(r.id).startsWith(TEMPORARY) || !referenced.has(String(r.id)));
    if (!unreferenced.length) return { blobs: 0, bytes: 0 };
    const freed = await this.writer.write(async (tx) => {
      let blobs = 0;
      let bytes = 0;
      for (const row of unreferenced) {
        const id = String(row.id);
        if (busy.has(id)) continue;
        const [still] = await tx.read('SELECT touched FROM _blob WHERE id = ?', [id]);
        if (!still || Number(still.touched) > before) continue;
        if (!id.startsWith(TEMPORARY) && (await tx.read('SELECT 1 AS x FROM _node WHERE instr(_json, ?) > 0 LIMIT 1', [id])).length) continue;
        blobs++;
        bytes += await deleteBlob(tx, id);
      }
      return { blobs, bytes };
    });
    await this.dropOrphanGroups();
    return freed;
  }

  /**
   * Deletes the groups of deleted blobs, a few per transaction: deleting a 1 GiB blob's 16,384
   * groups in one held the writer (and the event loop) for seconds, and peers timed out on us.
   * Also what a crash between a blob's deletion and its groups' left behind.
   */
  private async dropOrphanGroups(): Promise<void> {
    const orphans = await this.reader.all('SELECT DISTINCT blob FROM _blob_group WHERE blob NOT IN (SELECT seq FROM _blob)');
    for (const { blob } of orphans) {
      for (;;) {
        const deleted = await this.writer.write(async (tx) => {
          await tx.execute('DELETE FROM _blob_group WHERE rowid IN (SELECT rowid FROM _blob_group WHERE blob = ? LIMIT ?)', [blob as number, DELETE_GROUPS_PER_WRITE]);
          const [row] = await tx.read('SELECT changes() AS n');
          return Number(row?.n ?? 0);
        }, GROUP_WEIGHT * GROUPS_PER_WRITE);
        if (deleted < DELETE_GROUPS_PER_WRITE) break;
      }
    }
  }

  /** Every blob id some row's fields mention, read page by page (bounded memory per page). */
  private async referencedIds(): Promise<Set<string>> {
    const ids = new Set<string>();
    let after: Uint8Array | null = null;
    for (;;) {
      const rows: Row[] = after
        ? await this.reader.all("SELECT id, _json FROM _node WHERE id > ? AND instr(_json, 'blob1.') > 0 ORDER BY id LIMIT ?", [after, SCAN_PAGE])
        : await this.reader.all("SELECT id, _json FROM _node WHERE instr(_json, 'blob1.') > 0 ORDER BY id LIMIT ?", [SCAN_PAGE]);
      for (const row of rows) for (const id of blobIdsIn(String(row._json))) ids.add(id);
      if (rows.length < SCAN_PAGE) return ids;
      after = rows[rows.length - 1]!.id as Uint8Array;
    }
  }
}

/**
 * Deletes a blob's row; returns the bytes it held. Its groups are then orphans, deleted a few at
 * a time by `dropOrphanGroups` (row numbers are never reused: AUTOINCREMENT).
 */
async function deleteBlob(tx: WriteTransaction, id: string): Promise<number> {
  // From the blob's row, not from its groups: summing the groups' lengths read every overflow
  // page of them (a 1 GiB blob held the event loop about 10 s, and peers' connections dropped).
  const [row] = await tx.read('SELECT size, groups, held FROM _blob WHERE id = ?', [id]);
  await tx.execute('DELETE FROM _blob WHERE id = ?', [id]);
  if (!row) return 0;
  const [size, groups, held] = [Number(row.size), Number(row.groups), Number(row.held)];
  if (groups === 0) return held * BLOB_GROUP_BYTES; // an upload (size not known yet): about what its groups hold
  return held === groups ? size : Math.min(size, held * BLOB_GROUP_BYTES);
}
