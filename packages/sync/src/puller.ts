import type { RoomItem } from '@discret/store';
import { SyncError } from './errors.js';
import { fetchAll, fetchKeys, fetchRange, type Take } from './fetcher.js';
import type { HostImportReport, RoomSink, SyncEvents, SyncPhase } from './host.js';
import type { KeyRange, Records } from './protocol.js';
import { MAX_LIVE_ITEMS } from './protocol-limits.js';
import { compareKeys, Reconciler } from './reconcile.js';
import type { Requester } from './requester.js';
import type { SessionCore } from './session-context.js';

const PHASES: SyncPhase[] = ['definition', 'data'];
/** Imports of one room pull in progress at once (each at most keysPerFetch records). */
const IMPORTS_IN_FLIGHT = 3;
/** Times a pull is retried while the remote pulls the same room from us (backing off to 5 s). */
const MAX_BUSY_RETRIES = 200;
/** A room is streamed whole when this side holds at most this fraction (1/64) of what the remote holds... */
const STREAM_BELOW_SHARE = 64;
/** ... or when the remote holds at most this many records (streaming them is cheaper than listing ours). */
const STREAM_UP_TO = 64;
/** Announcements waiting per peer; past it, their rooms are pulled whole. */
const MAX_LIVE_QUEUE = 64;

/**
 * The asking side of a session: which rooms to pull from the remote, one at a time, in order,
 * each pulled again if it changes meanwhile; and the live path, where the few records a commit
 * announced are fetched by reference. Pulling a room takes its lock (one peer at a time per
 * room), then its definition (rights) and then its data, each reconciled then fetched and
 * handed to the host's import, which verifies and judges every record.
 */
export class Puller {
  private readonly pending = new Set<string>();
  /** Announced records to fetch (the live path), in order; bounded, then rooms are pulled whole. */
  private readonly live: { room: string; items: RoomItem[]; records: Records | undefined }[] = [];
  private draining = false;
  private readonly busyRetries = new Map<string, number>();
  /** The rooms the remote shares with us, and how many records it holds in each (its last `rooms` answer). */
  private remoteRooms: Map<string, number> | null = null;
  /** The room being pulled now, and how many data items this side had when it started. */
  private current: { room: string; size: number } | null = null;

  constructor(
    private readonly core: SessionCore,
    private readonly requester: () => Requester,
    private readonly admitted: () => boolean,
  ) {}

  /** The room this session is pulling now, and the size it started from (see the responder's `reconcile`). */
  get pulling(): { room: string; size: number } | null {
    return this.current;
  }

  /** Queues rooms to pull. */
  schedule(rooms: Iterable<string>): void {
    for (const room of rooms) if (this.pending.size < this.core.ctx.limits.maxPendingRooms) this.pending.add(room);
    void this.drain();
  }

  /** Pulls every room the remote shares with us. */
  pullAll(): void {
    void this.refreshRooms().then((rooms) => this.schedule(rooms), (error) => this.core.fail(error));
  }

  /** The remote committed changes in these rooms: the few records listed go by the live path, the rest are pulled whole. */
  async changed(rooms: string[], items: Map<string, RoomItem[]>, records: Map<string, Records> = new Map()): Promise<void> {
    const { host } = this.core.ctx;
    try {
      if (rooms.some((r) => !this.remoteRooms?.has(r))) await this.refreshRooms();
      const full: string[] = [];
      for (const room of rooms.filter((r) => this.remoteRooms!.has(r))) {
        const written = items.get(room);
        // The live path takes data rows of a room we know; anything else (a room definition
        // changed, a new room, too many rows) is a full pull, rights first.
        const live = written && written.length <= MAX_LIVE_ITEMS && !this.pending.has(room) && this.live.length < MAX_LIVE_QUEUE
          && written.every((it) => host.phaseOf(it) === 'data') && (await host.hasRoom(room));
        if (live) this.live.push({ room, items: written, records: records.get(room) });
        else full.push(room);
      }
      this.schedule(full);
    } catch (error) {
      this.core.fail(error);
    }
  }

  /** Forgets everything waiting (the session ended). */
  clear(): void {
    this.pending.clear();
    this.live.length = 0;
  }

  private async drain(): Promise<void> {
    if (this.draining || this.core.signal.aborted || !this.admitted()) return;
    this.draining = true;
    try {
      while ((this.pending.size || this.live.length) && !this.core.signal.aborted) {
        const next = this.live.shift();
        if (next) {
          if (!this.pending.has(next.room)) await this.pullLive(next.room, next.items, next.records);
          continue;
        }
        const room = this.pending.values().next().value as string;
        this.pending.delete(room);
        await this.pullRoom(room);
      }
    } catch (error) {
      this.core.fail(error);
    } finally {
      this.draining = false;
    }
  }

  /**
   * The rooms the remote shares with us, with how many records it holds in each. A room it
   * holds nothing of has nothing to pull (two devices that just met: the new one's rooms are
   * empty, and the full one skips them instead of listing its own room to learn that).
   */
  private async refreshRooms(): Promise<string[]> {
    const rooms = await this.requester().request('rooms', null);
    this.remoteRooms = new Map(rooms);
    for (const [room, count] of rooms) {
      // Nothing there to pull: synchronised as it is.
      if (count === 0) this.core.ctx.host.roomSynchronized?.(room, this.core.peer(), { applied: 0, ignored: 0, rejected: 0 });
    }
    return rooms.filter(([, count]) => count > 0).map(([room]) => room);
  }

  private async pullRoom(room: string): Promise<void> {
    const { locks, logger } = this.core.ctx;
    // The asking side writes what it pulls through the sink, and tells the events.
    const host: RoomSink & SyncEvents = this.core.ctx.host;
    const remote = this.core.peer();
    const signal = this.core.signal;
    const release = await locks.acquire(room, signal);
    // Counted, not listed: a large room's item set is built only if it is reconciled.
    this.current = { room, size: await this.core.ctx.host.countItems(room) };
    try {
      const total: HostImportReport = { applied: 0, ignored: 0, rejected: 0 };
      for (const phase of PHASES) {
        if (phase === 'data' && !(await host.hasRoom(room))) return; // its definition was not accepted
        const collected: Records[] = [];
        // A few imports at once (IMPORTS_IN_FLIGHT): batches verify on the crypto pool while
        // the ones before them are written (the store's writer keeps them in order), so the
        // pool never waits for the network or the disk.
        const inflight: Promise<void>[] = [];
        const take: Take = async (batch) => {
          if (phase === 'definition') {
            collected.push(batch);
            return;
          }
          const done = host.import(room, phase, batch, remote, signal).then((report) => add(total, report));
          done.catch(() => {}); // awaited below
          inflight.push(done);
          if (inflight.length >= IMPORTS_IN_FLIGHT) await inflight.shift();
        };
        try {
          await this.fetchPhase(room, phase, take);
        } finally {
          // Settle every import whatever happened, so none runs on after we leave.
          await Promise.allSettled(inflight);
        }
        for (const done of inflight) await done;
        if (collected.length) add(total, await host.import(room, phase, merge(collected), remote, signal));
      }
      // The room's other members, as upstream's PeersForRoom: new ones become pending peers.
      await host.learnPeers(room, await this.requester().request('peers', { room }), remote);
      host.roomSynchronized?.(room, remote, total);
      logger.debug({ room, connection: this.core.connection.id, ...total }, 'room pulled');
      this.busyRetries.delete(room);
    } catch (error) {
      if (!(error instanceof SyncError) || error.code !== 'BUSY') throw error;
      logger.debug({ room, connection: this.core.connection.id }, 'the remote pulls this room first: retrying later');
      this.retryLater(room);
    } finally {
      this.current = null;
      release();
    }
  }

  /** One phase of a room: streamed whole when this side has none of it, else reconciled and fetched. */
  private async fetchPhase(room: string, phase: SyncPhase, take: Take): Promise<void> {
    const requester = this.requester();
    // Reconciling lists and hashes the room on both sides. Streaming what the remote holds
    // costs only what it holds: so a side with next to nothing of the room (a new device holds
    // its own sys.AllowedPeer row), or whose remote holds little (that new device, seen from
    // the full one), has the remote stream it from its database instead. Listing a 1M-row
    // room took longer than the request timeout. What we hold that the remote lacks, it pulls.
    const ours = this.current?.size ?? 0;
    const theirs = this.remoteRooms?.get(room) ?? 0;
    if (ours === 0 || ours * STREAM_BELOW_SHARE <= theirs || theirs <= STREAM_UP_TO) return fetchAll(requester, room, phase, take);
    const { keys, ranges } = await this.reconcile(room, phase);
    await fetchKeys(requester, room, phase, keys, this.core.ctx.limits.keysPerFetch, take);
    for (const range of ranges) await fetchRange(requester, room, phase, range, take);
  }

  /**
   * The remote is pulling this room from us and has priority (see the responder's `reconcile`):
   * try again later, backing off, a bounded number of times (its pull of a large room may take
   * minutes).
   */
  private retryLater(room: string): void {
    const tries = (this.busyRetries.get(room) ?? 0) + 1;
    if (tries > MAX_BUSY_RETRIES) {
      this.busyRetries.delete(room);
      this.core.ctx.logger.warn({ room, connection: this.core.connection.id }, 'gave up pulling a room the remote kept busy');
      return;
    }
    this.busyRetries.set(room, tries);
    setTimeout(() => this.schedule([room]), Math.min(5000, 100 * 2 ** tries) * (0.75 + Math.random() / 2)).unref?.();
  }

  /** Runs reconciliation for one room phase; returns the keys and ranges to fetch. */
  private async reconcile(room: string, phase: SyncPhase): Promise<{ keys: Uint8Array[]; ranges: KeyRange[] }> {
    const reconciler = new Reconciler((await this.core.ctx.itemSets.get(room, phase)).set);
    const keys: Uint8Array[] = [];
    const ranges: KeyRange[] = [];
    let message = reconciler.initiate();
    for (let round = 0; ; round++) {
      if (round >= this.core.ctx.limits.maxRounds) throw new SyncError('PROTOCOL', `Reconciliation of ${room} did not end in ${round} rounds`);
      // `size`: what we held when this pull started, the same number the remote compares with
      // its own when both pull at once, so exactly one side goes first.
      const reply = await this.requester().request('reconcile', { room, phase, first: round === 0, size: this.current?.size ?? 0, ranges: message });
      keys.push(...reply.have);
      ranges.push(...reply.haveRanges);
      if (reply.ranges === null) break;
      const step = reconciler.respond(reply.ranges);
      keys.push(...step.need);
      if (!step.reply) break;
      message = step.reply;
    }
    keys.sort(compareKeys);
    return { keys, ranges };
  }

  /**
   * The live path: the announced records we lack, imported from the notice when it carried them,
   * else fetched by reference.
   */
  private async pullLive(room: string, items: RoomItem[], carried: Records | undefined): Promise<void> {
    const { host, locks } = this.core.ctx;
    const remote = this.core.peer();
    const release = await locks.acquire(room, this.core.signal);
    try {
      const lacking = await host.lacks(room, items);
      this.core.noticeWas(lacking.length > 0);
      if (!lacking.length) return;
      const total: HostImportReport = { applied: 0, ignored: 0, rejected: 0 };
      if (carried) {
        add(total, await host.import(room, 'data', carried, remote, this.core.signal));
        host.roomSynchronized?.(room, remote, total);
        return;
      }
      // Usually one answer; large objects come in several (each answer is budgeted).
      for (let offset = 0; offset < lacking.length;) {
        const refs = lacking.slice(offset).map((it) => it.ref);
        const reply = await this.requester().request('fetchRefs', { room, refs });
        if (reply.served < 1 || reply.served > refs.length) throw new SyncError('PROTOCOL', 'A records answer says how many references it served');
        add(total, await host.import(room, 'data', reply.records, remote, this.core.signal));
        offset += reply.served;
      }
      host.roomSynchronized?.(room, remote, total);
    } finally {
      release();
    }
  }
}

function add(total: HostImportReport, report: HostImportReport): void {
  total.applied += report.applied;
  total.ignored += report.ignored;
  total.rejected += report.rejected;
}

function merge(batches: Records[]): Records {
  return {
    nodes: batches.flatMap((b) => b.nodes),
    edges: batches.flatMap((b) => b.edges),
    nodeDeletions: batches.flatMap((b) => b.nodeDeletions),
    edgeDeletions: batches.flatMap((b) => b.edgeDeletions),
  };
}

