import {
  BLOB_GROUP_BYTES, type BlobAddress, blobId, blobIdsIn, blobKey, blobRoot, fromBase64url, groupBytes, groupCount, leafHash, parseBlobId, randomBytes, base64url, rangeProof, type SubtreeMemo,
} from '@discret/crypto';
import type { Logger } from '@discret/log';
import type { BlobRecord, ChangedRow, Store } from '@discret/store';
import { type BlobGet, type BlobPeer, type BlobProof, MAX_BLOB_WINDOW, SyncError } from '@discret/sync';
import { regroup, toChunks, type BlobInput } from './blob-input.js';
import type { Configuration } from './config.js';
import { DiscretError } from './errors.js';
import type { EventHub } from './events.js';
import { GroupWriter } from './group-writer.js';
import { GroupArrivals } from './group-arrivals.js';

export type { BlobInput } from './blob-input.js';

/** What this install holds of a blob. */
export interface BlobStatus {
  /** `local`: every byte; `partial`: some (a transfer under way or interrupted); `missing`: none. */
  state: 'local' | 'partial' | 'missing';
  size: number;
  bytesHeld: number;
}

export interface BlobServiceParts {
  store: Store<unknown>;
  events: EventHub;
  config: Readonly<Configuration>;
  logger: Logger;
  /** Whether this user may put blobs in `room` (a member of it). */
  isMember(room: string): boolean;
  /** Connected members of a room (none without a network). */
  peers(room: string): Promise<BlobPeer[]>;
  readFile?: (path: string) => AsyncIterable<Uint8Array>;
}

/** Progress events at most every this many bytes. */
const PROGRESS_BYTES = 1024 * 1024;
/** Blob ids waiting to be prefetched at most; more are left to `getBlob`. */
const MAX_PREFETCH_QUEUE = 256;

/**
 * Blobs (files): put streamed into the database in verified 64 KiB groups, read back as a
 * stream, fetched on demand from connected members of their room, verified group by group
 * (see @discret/crypto blob-tree.ts), resumable from what is already held, and collected once
 * no row references them. Also what this install serves to peers (sync's `BlobSource`).
 */
export class BlobService {
  /** Blobs being written here now (uploads and fetches): never collected meanwhile. */
  private readonly busy = new Map<string, number>();
  /**
   * The fetch of each blob in progress, and the groups [from, to) it was asked for: a second
   * reader waits for it rather than asking again.
   */
  private readonly fetching = new Map<string, { done: Promise<void>; from: number; to: number }>();
  /** Leaf hashes and subtree hashes of the blobs served last (read and hashed once per transfer, not per window). */
  private readonly treeCache = new Map<string, { leaves: Uint8Array[]; memo: SubtreeMemo }>();
  private readonly prefetchQueue = new Set<string>();
  private readonly arrivals = new GroupArrivals();
  private prefetching = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(private readonly parts: BlobServiceParts) {
    this.timer = setInterval(() => void this.collect().catch((error) => parts.logger.warn({ err: error }, 'blob collection failed')), parts.config.blobCollectionIntervalInMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Stores bytes as a blob of `room`, streamed in; resolves its id once every byte is committed. */
  async put(data: BlobInput, options: { room: string; signal?: AbortSignal }): Promise<{ id: string; size: number }> {
    const { store } = this.parts;
    if (typeof options?.room !== 'string' || !this.parts.isMember(options.room)) {
      throw new DiscretError('INVALID_ARGUMENT', `putBlob needs a room this user is a member of; ${String(options?.room)} is not one`);
    }
    const room = fromBase64url(options.room);
    const key = blobKey(room);
    const chunks = toChunks(data, this.parts.readFile);
    const upload = await store.blobs.beginUpload(room, base64url(randomBytes(12)));
    const release = this.hold(upload);
    try {
      const leaves: Uint8Array[] = [];
      let size = 0;
      const writes = new GroupWriter(store, upload);
      try {
        for await (const group of regroup(chunks, options.signal)) {
          const leaf = leafHash(key, leaves.length, group);
          await writes.add({ index: leaves.length, hash: leaf, data: group });
          leaves.push(leaf);
          size += group.length;
        }
        if (!leaves.length) {
          leaves.push(leafHash(key, 0, new Uint8Array()));
          await writes.add({ index: 0, hash: leaves[0]!, data: new Uint8Array() });
        }
        await writes.finish();
      } finally {
        await writes.settle();
      }
      const id = blobId({ room, root: blobRoot(key, size, leaves), size });
      const releaseId = this.hold(id);
      try {
        await store.blobs.finishUpload(upload, { id, room, size, groups: leaves.length });
      } finally {
        releaseId();
      }
      this.parts.events.emit({ type: 'BlobAvailable', id, size });
      return { id, size };
    } catch (error) {
      await store.blobs.dropUpload(upload).catch(() => {});
      throw error;
    } finally {
      release();
    }
  }

  /**
   * The bytes of a blob (or of `range`: from `start` included to `end` excluded) as a stream.
   * Groups not held are fetched from connected members of the blob's room as the stream is
   * read, each verified before it is stored or returned.
   */
  get(id: string, options: { signal?: AbortSignal; range?: { start: number; end?: number } } = {}): ReadableStream<Uint8Array> {
    const address = parse(id);
    const start = options.range?.start ?? 0;
    const end = options.range?.end ?? address.size;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end > address.size || start > end) {
      throw new DiscretError('INVALID_ARGUMENT', `range must be within 0..${address.size} with start <= end`);
    }
    const last = end === start ? Math.floor(start / BLOB_GROUP_BYTES) : Math.ceil(end / BLOB_GROUP_BYTES);
    let next = Math.floor(start / BLOB_GROUP_BYTES);
    const { store } = this.parts;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        try {
          if (next >= last) {
            await this.endRead(id, last, controller);
            return;
          }
          const data = this.arrivals.take(id, next) ?? (await this.fromRunningFetch(id, next))
            ?? (await store.blobs.readGroup(id, next)) ?? (await this.fetchGroup(address, id, next, last, options.signal));
          const offset = next * BLOB_GROUP_BYTES;
          const from = Math.max(0, start - offset);
          const to = Math.min(data.length, end - offset);
          next++;
          if (to > from) controller.enqueue(from === 0 && to === data.length ? data : data.subarray(from, to));
          if (next >= last) await this.endRead(id, last, controller);
        } catch (error) {
          controller.error(DiscretError.from(error));
        }
      },
    }, { highWaterMark: 0 });
  }

  /**
   * Ends a read of `id` up to group `last`, once what it fetched is committed: a blobStatus()
   * right after the last read counts those groups (the reader takes each group as it arrives,
   * before its write).
   */
  private async endRead(id: string, last: number, controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    const running = this.fetching.get(id);
    if (running && running.from < last) await running.done.catch(() => {});
    controller.close();
  }

  /**
   * Group `index` from the fetch of `id` that is running and was asked for it, when there is
   * one: the reader waits for it to arrive instead of looking in the database and queueing a
   * fetch of its own behind the running one (a reader ahead of the network did both for every
   * group). Undefined when no running fetch covers it, or when that fetch ends without it.
   */
  private async fromRunningFetch(id: string, index: number): Promise<Uint8Array | undefined> {
    const running = this.fetching.get(id);
    if (!running || index < running.from || index >= running.to) return undefined;
    const waiting = this.arrivals.wait(id, index);
    try {
      return await Promise.race([waiting.arrived, running.done.then(() => undefined, () => undefined)]);
    } finally {
      waiting.cancel();
    }
  }

  /**
   * Group `index`, fetched with those after it up to `last` (at most MAX_BLOB_WINDOW): resolves
   * as soon as that group arrives, while the fetch goes on for the reader's next pulls.
   */
  private async fetchGroup(address: BlobAddress, id: string, index: number, last: number, signal?: AbortSignal): Promise<Uint8Array> {
    const waiting = this.arrivals.wait(id, index);
    try {
      const fetched = this.fetch(address, id, index, Math.min(last, index + MAX_BLOB_WINDOW), signal).then(async () => {
        const data = (await this.parts.store.blobs.readGroup(id, index)) ?? this.arrivals.take(id, index);
        if (!data) throw new DiscretError('NOT_FOUND', `Group ${index} of blob ${id} is not held`);
        return data;
      });
      fetched.catch(() => {}); // raced below; once the group arrived, the rest of the fetch is the next pulls' business
      return await Promise.race([waiting.arrived, fetched]);
    } finally {
      waiting.cancel();
    }
  }

  async status(id: string): Promise<BlobStatus> {
    const address = parse(id);
    const record = await this.parts.store.blobs.record(id);
    if (!record || record.held === 0) return { state: 'missing', size: address.size, bytesHeld: 0 };
    if (record.held === record.groups) return { state: 'local', size: address.size, bytesHeld: address.size };
    return { state: 'partial', size: address.size, bytesHeld: await this.bytesHeld(id, record) };
  }

  /** Frees blobs no row references any more (see BlobTable.collect). */
  collect(options: { graceMs?: number } = {}): Promise<{ blobs: number; bytes: number }> {
    const graceMs = options.graceMs ?? this.parts.config.blobGraceInMs;
    return this.parts.store.blobs.collect(graceMs, new Set(this.busy.keys()));
  }

  /** Rows received from peers: small blobs they reference are fetched now, if the configuration says so. */
  rowsChanged(rows: readonly ChangedRow[] | null, fromPeers: boolean): void {
    const limit = this.parts.config.prefetchBlobsUpToKb * 1024;
    if (!limit || !rows || !fromPeers || this.closed) return;
    for (const row of rows) {
      for (const id of blobIdsIn(row.after ?? '')) {
        if (this.prefetchQueue.size >= MAX_PREFETCH_QUEUE) break;
        if (parseBlobId(id).size <= limit) this.prefetchQueue.add(id);
      }
    }
    if (!this.prefetching && this.prefetchQueue.size) void this.prefetch();
  }

  // ---- what peers are served (sync's BlobSource)
  async blobRange(get: BlobGet): Promise<BlobProof | null> {
    const key = blobKey(fromBase64url(get.room));
    const tree = await this.wholeTree(blobId({ room: fromBase64url(get.room), root: get.root, size: get.size }));
    if (!tree) return null;
    return { leaves: tree.leaves.slice(get.from, get.to), proof: rangeProof(key, tree.leaves, get.from, get.to, tree.memo) };
  }

  async blobGroup(get: BlobGet, index: number): Promise<Uint8Array> {
    const data = await this.parts.store.blobs.readGroup(blobId({ room: fromBase64url(get.room), root: get.root, size: get.size }), index);
    if (!data) throw new SyncError('CLOSED', 'The blob was collected while being sent');
    return data;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.prefetchQueue.clear();
  }

  private async prefetch(): Promise<void> {
    this.prefetching = true;
    try {
      while (this.prefetchQueue.size && !this.closed) {
        const id = this.prefetchQueue.values().next().value!;
        this.prefetchQueue.delete(id);
        const address = parseBlobId(id);
        await this.fetch(address, id, 0, groupCount(address.size)).catch((error) => this.parts.logger.debug({ err: error, blob: id }, 'prefetch failed'));
      }
    } finally {
      this.prefetching = false;
    }
  }

  /** Fetches the groups of [from, to) not held yet; one fetch per blob at a time. */
  private async fetch(address: BlobAddress, id: string, from: number, to: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      const running = this.fetching.get(id);
      if (!running) break;
      await running.done.catch(() => {});
    }
    const fetch = this.fetchMissing(address, id, from, to, signal);
    this.fetching.set(id, { done: fetch, from, to });
    try {
      await fetch;
    } finally {
      this.fetching.delete(id);
    }
  }

  private async fetchMissing(address: BlobAddress, id: string, from: number, to: number, signal?: AbortSignal): Promise<void> {
    const { store, events, logger } = this.parts;
    const room = base64url(address.room);
    const groups = groupCount(address.size);
    const release = this.hold(id);
    try {
      await store.blobs.ensure({ id, room: address.room, size: address.size, groups });
      const missing = await this.missingIn(id, from, to);
      if (!missing.length) return;
      const peers = await this.parts.peers(room);
      if (!peers.length) throw new DiscretError('NOT_FOUND', `Blob ${id} is not held here and no member of its room is connected`);
      let held = await this.bytesHeld(id);
      let reported = held;
      for (const peer of peers) {
        signal?.throwIfAborted();
        try {
          const client = await peer.open(signal);
          try {
            // Progress counts committed bytes only: what it reports survives a crash.
            const writes = new GroupWriter(store, id, (bytes) => {
              held += bytes;
              if (held - reported < PROGRESS_BYTES) return;
              reported = held;
              events.emit({ type: 'BlobProgress', id, bytes: held, size: address.size });
            });
            try {
              const windows = runs(await this.missingIn(id, from, to)).map((run) => ({ room, root: address.root, size: address.size, ...run }));
              for await (const group of client.getAll(windows, { signal })) {
                this.arrivals.arrived(id, group.index, group.data);
                await writes.add({ index: group.index, hash: group.leaf, data: group.data });
              }
              await writes.finish();
            } finally {
              // What was verified is kept even when the peer failed: the next one resumes after it.
              await writes.settle();
            }
          } finally {
            await client.close();
          }
          break;
        } catch (error) {
          if (signal?.aborted) throw error;
          const code = (error as { code?: string }).code;
          // Bad data or a broken protocol: that peer is dropped; anything else: try the next one.
          if (code === 'INVALID_DATA' || code === 'PROTOCOL') peer.drop(error);
          logger.info({ err: error, blob: id }, 'a peer could not send a blob; trying the next');
        }
      }
      const record = await store.blobs.record(id);
      if (record && record.held === record.groups) events.emit({ type: 'BlobAvailable', id, size: address.size });
      if ((await this.missingIn(id, from, to)).length) throw new DiscretError('NOT_FOUND', `No connected member of its room could send blob ${id}`);
    } finally {
      release();
    }
  }

  private async missingIn(id: string, from: number, to: number): Promise<number[]> {
    const leaves = await this.parts.store.blobs.leafHashes(id, from, to);
    const out: number[] = [];
    for (let i = from; i < to; i++) if (!leaves[i - from]) out.push(i);
    return out;
  }

  private async bytesHeld(id: string, record?: BlobRecord): Promise<number> {
    const found = record ?? (await this.parts.store.blobs.record(id));
    if (!found) return 0;
    const held = await this.parts.store.blobs.heldGroups(id);
    return held.reduce((sum, i) => sum + groupBytes(found.size, i), 0);
  }

  private async wholeTree(id: string): Promise<{ leaves: Uint8Array[]; memo: SubtreeMemo } | null> {
    const cached = this.treeCache.get(id);
    if (cached) return cached;
    const record = await this.parts.store.blobs.record(id);
    if (!record || record.held !== record.groups) return null;
    const tree = { leaves: (await this.parts.store.blobs.leafHashes(id)) as Uint8Array[], memo: new Map() };
    if (this.treeCache.size >= 4) this.treeCache.delete(this.treeCache.keys().next().value!);
    this.treeCache.set(id, tree);
    return tree;
  }

  /** Marks `id` busy (not collectable) until the returned function is called. */
  private hold(id: string): () => void {
    this.busy.set(id, (this.busy.get(id) ?? 0) + 1);
    return () => {
      const left = (this.busy.get(id) ?? 1) - 1;
      if (left) this.busy.set(id, left);
      else this.busy.delete(id);
    };
  }
}

function parse(id: string): BlobAddress {
  try {
    return parseBlobId(id);
  } catch (error) {
    throw new DiscretError('INVALID_ARGUMENT', (error as Error).message, { cause: error });
  }
}

/**
 * Groups asked per request: with two requests in flight at most 1 MiB of a blob is on its way,
 * so a chat message sent meanwhile waits behind little (with 16 MiB windows a transfer delayed
 * chat messages by over a second on loopback).
 */
const FETCH_WINDOW = 8;

/** Consecutive runs of indexes, each at most FETCH_WINDOW long. */
function runs(indexes: readonly number[]): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (const i of indexes) {
    const last = out[out.length - 1];
    if (last && last.to === i && last.to - last.from < FETCH_WINDOW) last.to++;
    else out.push({ from: i, to: i + 1 });
  }
  return out;
}
