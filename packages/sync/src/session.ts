import { base64url } from '@discret/crypto';
import type { Logger } from '@discret/log';
import type { NodeRecord, RecordBatch, RecordRef, RoomItem } from '@discret/store';
import { SyncError } from './errors.js';
import type { Admission, HostImportReport, RemotePeer, SyncHost, SyncPhase } from './host.js';
import { CHALLENGE_BYTES, checkIdentity, newChallenge } from './identity.js';
import type { ItemSetCache, RoomView } from './item-cache.js';
import { batchWithin, keysOfBatch, keyText } from './items.js';
import { batchFromWire, batchToWire, itemFromWire, itemToWire, recordWireSize, refFromWire, refToWire } from './records-wire.js';
import { type Bound, compareKeys, Reconciler, reconcileFromWire, reconcileToWire } from './reconcile.js';
import type { ByteStream, Connection } from './transport.js';
import { MessageChannel, type WireMessage } from './wire.js';

/**
 * One connection's synchronisation, both ways.
 *
 * Each side opens one stream for its own requests and answers the other's on the stream the
 * other opened: so one request is in flight per direction, which bounds what a peer can make
 * us buffer. The requests:
 *
 * - `hello {challenge, invites}` -> `proof {peer, proof}`: the identity proof (identity.ts),
 *   with the prover's `sys.Peer` row; the invites it presents. Nothing else is answered until
 *   the host admitted the remote.
 * - `ready` -> `ready` once the answerer admitted the asker (an error if it did not): each
 *   side knows the other admitted it before it synchronises.
 * - `rooms` -> `[id, count]` of each room the asker may read (count: records held; an
 *   empty room is not pulled).
 * - `reconcile {room, phase, first, ranges}` -> `reconciled {ranges, have, haveRanges}`:
 *   range-based reconciliation (reconcile.ts), the asker initiating. `have` are keys the asker
 *   lacks; `haveRanges` are ranges where it lacks many.
 * - `fetch {room, phase, keys}` -> `records {records, served}` and
 *   `fetchRange {room, phase, lower, upper}` -> `records {records, next}`: the records, cut to
 *   a byte budget per answer.
 * - `fetchAll {room, phase, cursor}` -> `records {records, next}`: for a side that has nothing
 *   of that room phase, the room page by page straight from the database (no reconciliation,
 *   no item set built on either side).
 * - `peers {room}` -> the `sys.Peer` rows of the room's members the answerer knows.
 * - `changed {rooms, items}` -> `ok`: the asker committed changes in these rooms; pull them.
 *   `items` lists, per room, the records written when they are few (at most 256): the live
 *   path. The answerer then asks `fetchRefs {room, refs}` -> `records` for the ones it lacks,
 *   one round trip, without reconciling the room.
 *
 * Pulling a room (the asker's side): take the room's lock (one peer at a time per room), then
 * its definition (rights) and then its data, each reconciled then fetched and handed to the
 * host's import, which verifies and judges every record. Records the other side lacks are not
 * pushed: it pulls them itself (pulling keeps each side in charge of its own pace).
 */

export interface SessionLimits {
  /** Time for any answer; a peer that does not answer in time is disconnected. */
  requestTimeoutMs: number;
  /** Reconciliation rounds per room phase before giving up on a peer. */
  maxRounds: number;
  /** Keys asked per `fetch`. */
  keysPerFetch: number;
  /** Approximate bytes of records in one answer (under the frame limit). */
  batchBytes: number;
  /** Rooms waiting to be pulled from one peer. */
  maxPendingRooms: number;
}

export const DEFAULT_SESSION_LIMITS: Readonly<SessionLimits> = Object.freeze({
  requestTimeoutMs: 10_000,
  maxRounds: 64,
  keysPerFetch: 2048,
  batchBytes: 768 * 1024,
  maxPendingRooms: 4096,
});

const PHASES: SyncPhase[] = ['definition', 'data'];
const MAX_INVITES = 16;
const MAX_ROOMS = 65_536;
const MAX_PEERS = 4096;
/** Imports of one room pull in progress at once (each at most keysPerFetch records). */
const IMPORTS_IN_FLIGHT = 3;
/** Times a pull is retried while the remote pulls the same room from us (backing off to 5 s). */
const MAX_BUSY_RETRIES = 200;
/** Most records announced per room in one `changed` (the store lists at most 256 per commit). */
const MAX_LIVE_ITEMS = 256;
/** Announcements waiting per peer; past it, their rooms are pulled whole. */
const MAX_LIVE_QUEUE = 64;

/**
 * One holder at a time per key, across all connections: sessions use it for rooms (one room
 * synchronised with one peer at a time) and for answering turns (one answer at a time per
 * remote user).
 */
export class KeyedLocks {
  private readonly held = new Map<string, Promise<void>>();

  async acquire(key: string, signal: AbortSignal): Promise<() => void> {
    for (;;) {
      signal.throwIfAborted();
      const busy = this.held.get(key);
      if (!busy) break;
      await busy;
    }
    let release!: () => void;
    this.held.set(key, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(key);
      release();
    };
  }
}

export interface SessionContext {
  host: SyncHost;
  /**
   * Answering turns, keyed by remote user and shared by all sessions; without it, each
   * session answers on its own. A peer that opens many connections and asks on all of them
   * at once then gets no more of this device's time than one connection would (measured:
   * six connections of one admitted user asking for full pages of records kept an honest
   * peer from acknowledging a local write for 10-13 s, and made it drop an honest member).
   */
  turns?: KeyedLocks;
  logger: Logger;
  /** This install's device public key. */
  localDevice: Uint8Array;
  limits: SessionLimits;
  /** Rooms being synchronised, one peer at a time each. */
  locks: KeyedLocks;
  /** Item sets shared by all sessions, kept until their room changes. */
  itemSets: ItemSetCache;
  /** Told once when the session ends, whatever ended it. */
  ended(session: PeerSession): void;
}

/** The room phase a request is about, as the answering side sees it. */
interface Served extends RoomView {
  room: string;
}

export class PeerSession {
  /** The remote, once its identity is proven. */
  remote: RemotePeer | null = null;
  private client: MessageChannel | null = null;
  private clientTurn: Promise<unknown> = Promise.resolve();
  private readonly abort = new AbortController();
  private admission!: (a: Admission) => void;
  private readonly admitted = new Promise<Admission>((resolve) => (this.admission = resolve));
  private hello!: (invites: Uint8Array[]) => void;
  private readonly remoteHello = new Promise<Uint8Array[]>((resolve) => (this.hello = resolve));
  private serving = false;
  private readonly pending = new Set<string>();
  /** Announced records to fetch (the live path), in order; bounded, then rooms are pulled whole. */
  private readonly live: { room: string; items: RoomItem[] }[] = [];
  private pulling = false;
  /** The room this session is pulling now, if any. */
  private pulling_: string | null = null;
  /** How many data items this side had when it started pulling `pulling_`. */
  private pullingSize = 0;
  private readonly busyRetries = new Map<string, number>();
  private remoteRooms: Set<string> | null = null;
  private isAdmitted = false;
  private ended = false;

  constructor(
    readonly connection: Connection,
    private readonly ctx: SessionContext,
  ) {
    connection.onStream((stream) => this.serve(stream));
    connection.onClose(() => this.end('the connection closed'));
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /**
   * Proves identities both ways and asks the host to admit the remote. True when the session
   * is ready to synchronise; false (and the connection closed) when the remote was refused.
   */
  async open(): Promise<boolean> {
    const { host, limits } = this.ctx;
    try {
      this.client = new MessageChannel(await this.connection.openStream({ signal: this.signal }), { logger: this.ctx.logger });
      const challenge = newChallenge();
      const invites = await host.inviteClaims();
      const answer = await this.request('hello', { challenge, invites }, 'proof');
      const { peer, proof } = answer as { peer: unknown; proof: unknown };
      const record = peerRecordFrom(peer);
      if (!(proof instanceof Uint8Array) || !checkIdentity(record.verifyingKey, proof, challenge, this.connection.remoteDeviceKey, this.ctx.localDevice)) {
        throw new SyncError('INVALID_DATA', 'The identity proof does not verify');
      }
      const theirInvites = await timeout(this.remoteHello, limits.requestTimeoutMs, 'the remote hello', this.signal);
      this.remote = {
        connectionId: this.connection.id, deviceKey: this.connection.remoteDeviceKey, userKey: record.verifyingKey, peer: record, invites: theirInvites,
      };
      const admission = await host.admit(this.remote, this.signal);
      this.admission(admission);
      if (!admission.allowed) {
        // Not closed at once: the remote is still deciding about us (and may record us as a
        // pending peer). It learns our refusal when it asks `ready`; the connection closes then,
        // or after the request timeout.
        this.ctx.logger.info({ connection: this.connection.id, reason: admission.reason }, 'peer not admitted');
        setTimeout(() => void this.close(), this.ctx.limits.requestTimeoutMs).unref();
        return false;
      }
      // Both sides must admit each other: the remote answers `ready` once it has decided.
      await this.request('ready', null, 'ready');
      this.isAdmitted = true;
      host.peerConnected?.(this.remote);
      return true;
    } catch (error) {
      if (error instanceof SyncError && error.code === 'REFUSED') {
        this.ctx.logger.info({ connection: this.connection.id, reason: error.message }, 'the remote did not admit us');
        await this.close();
      } else this.fail(error);
      return false;
    }
  }

  /** Pulls every room the remote shares with us. */
  syncAll(): void {
    void this.refreshRooms().then((rooms) => this.schedule(rooms), (error) => this.fail(error));
  }

  /** Tells the remote these rooms changed here (it pulls them); rooms it does not share are left out by the caller. */
  async notify(rooms: string[], items?: ReadonlyMap<string, readonly RoomItem[] | null>): Promise<void> {
    if (!this.isAdmitted || this.ended || !rooms.length) return;
    // The records written, when few: the remote fetches exactly those (the live path), without
    // reconciling the room.
    const listed = rooms.flatMap((room) => {
      const written = items?.get(room);
      return written && written.length <= MAX_LIVE_ITEMS ? [[room, written.map(itemToWire)]] : [];
    });
    await this.request('changed', { rooms, items: listed }, 'ok');
  }

  async close(): Promise<void> {
    this.end('closed');
    await this.connection.close().catch(() => {});
  }

  // ---- asking side ---------------------------------------------------------------------

  /** Queues rooms to pull; one room at a time, in order, each pulled again if it changes meanwhile. */
  schedule(rooms: Iterable<string>): void {
    for (const room of rooms) if (this.pending.size < this.ctx.limits.maxPendingRooms) this.pending.add(room);
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.pulling || this.ended || !this.isAdmitted) return;
    this.pulling = true;
    try {
      while ((this.pending.size || this.live.length) && !this.ended) {
        const next = this.live.shift();
        if (next) {
          if (!this.pending.has(next.room)) await this.pullLive(next.room, next.items);
          continue;
        }
        const room = this.pending.values().next().value as string;
        this.pending.delete(room);
        await this.pullRoom(room);
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.pulling = false;
    }
  }

  /**
   * The rooms the remote shares with us, with how many records it holds in each. A room it
   * holds nothing of has nothing to pull (two devices that just met: the new one's rooms are
   * empty, and the full one skips them instead of listing its own room to learn that).
   */
  private async refreshRooms(): Promise<string[]> {
    const body = await this.request('rooms', null, 'rooms');
    const ok = Array.isArray(body) && body.length <= MAX_ROOMS
      && body.every((r) => Array.isArray(r) && typeof r[0] === 'string' && Number.isSafeInteger(r[1]) && r[1] >= 0);
    if (!ok) throw new SyncError('PROTOCOL', 'A room list is a list of [id, count]');
    const rooms = body as [string, number][];
    this.remoteRooms = new Set(rooms.map(([room]) => room));
    for (const [room, count] of rooms) {
      // Nothing there to pull: synchronised as it is.
      if (count === 0 && this.remote) this.ctx.host.roomSynchronized?.(room, this.remote, { applied: 0, ignored: 0, rejected: 0 });
    }
    return rooms.filter(([, count]) => count > 0).map(([room]) => room);
  }

  private async pullRoom(room: string): Promise<void> {
    const { host, locks } = this.ctx;
    const release = await locks.acquire(room, this.signal);
    this.pulling_ = room;
    this.pullingSize = (await this.ctx.itemSets.get(room, 'data')).set.size;
    try {
      const total: HostImportReport = { applied: 0, ignored: 0, rejected: 0 };
      for (const phase of PHASES) {
        if (phase === 'data' && !(await host.hasRoom(room))) return; // its definition was not accepted
        const collected: Required<RecordBatch>[] = [];
        // A few imports at once (IMPORTS_IN_FLIGHT): batches verify on the crypto pool while
        // the ones before them are written (the store's writer keeps them in order), so the
        // pool never waits for the network or the disk.
        const inflight: Promise<void>[] = [];
        const take = async (batch: Required<RecordBatch>) => {
          if (phase === 'definition') {
            collected.push(batch);
            return;
          }
          const done = host.import(room, phase, batch, this.remote!, this.signal).then((report) => add(total, report));
          done.catch(() => {}); // awaited below
          inflight.push(done);
          if (inflight.length >= IMPORTS_IN_FLIGHT) await inflight.shift();
        };
        try {
          // A side with nothing of this phase skips reconciliation: the remote streams the
          // room from its database, without listing and hashing it first.
          if ((await this.ctx.itemSets.get(room, phase)).set.size === 0) await this.fetchAll(room, phase, take);
          else {
            const { keys, ranges } = await this.reconcile(room, phase);
            await this.fetchKeys(room, phase, keys, take);
            for (const range of ranges) await this.fetchRange(room, phase, range, take);
          }
        } finally {
          // Settle every import whatever happened, so none runs on after we leave.
          await Promise.allSettled(inflight);
        }
        for (const done of inflight) await done;
        if (collected.length) add(total, await host.import(room, phase, merge(collected), this.remote!, this.signal));
      }
      // The room's other members, as upstream's PeersForRoom: new ones become pending peers.
      const peers = (await this.request('peers', { room }, 'peers')) as unknown;
      if (!Array.isArray(peers) || peers.length > MAX_PEERS) throw new SyncError('PROTOCOL', 'A peer list is a bounded list of peer rows');
      await host.learnPeers(room, this.records(peers).nodes, this.remote!);
      host.roomSynchronized?.(room, this.remote!, total);
      this.ctx.logger.debug({ room, connection: this.connection.id, ...total }, 'room pulled');
      this.busyRetries.delete(room);
    } catch (error) {
      if (!(error instanceof SyncError) || error.code !== 'BUSY') throw error;
      this.ctx.logger.debug({ room, connection: this.connection.id }, 'the remote pulls this room first: retrying later');
      this.retryLater(room);
    } finally {
      this.pulling_ = null;
      release();
    }
  }

  /**
   * The remote is pulling this room from us and has priority (see `answer`): try again later,
   * backing off, a bounded number of times (its pull of a large room may take minutes).
   */
  private retryLater(room: string): void {
    const tries = (this.busyRetries.get(room) ?? 0) + 1;
    if (tries > MAX_BUSY_RETRIES) {
      this.busyRetries.delete(room);
      this.ctx.logger.warn({ room, connection: this.connection.id }, 'gave up pulling a room the remote kept busy');
      return;
    }
    this.busyRetries.set(room, tries);
    setTimeout(() => this.schedule([room]), Math.min(5000, 100 * 2 ** tries) * (0.75 + Math.random() / 2)).unref();
  }

  /** Runs reconciliation for one room phase; returns the keys and ranges to fetch. */
  private async reconcile(room: string, phase: SyncPhase) {
    const reconciler = new Reconciler((await this.ctx.itemSets.get(room, phase)).set);
    const keys: Uint8Array[] = [];
    const ranges: { lower: Uint8Array; upper: Bound }[] = [];
    let message = reconciler.initiate();
    for (let round = 0; ; round++) {
      if (round >= this.ctx.limits.maxRounds) throw new SyncError('PROTOCOL', `Reconciliation of ${room} did not end in ${round} rounds`);
      // `size`: what we held when this pull started, the same number the remote compares with
      // its own when both pull at once (see answer), so exactly one side goes first.
      const body = (await this.request('reconcile', { room, phase, first: round === 0, size: this.pullingSize, ranges: reconcileToWire(message) }, 'reconciled')) as Record<string, unknown>;
      keys.push(...keyList(body.have));
      for (const r of rangeList(body.haveRanges)) ranges.push(r);
      if (body.ranges === null) break;
      const step = reconciler.respond(wireRanges(body.ranges));
      keys.push(...step.need);
      if (!step.reply) break;
      message = step.reply;
    }
    keys.sort(compareKeys);
    return { keys, ranges };
  }

  // Both fetch loops ask for the next batch before importing the current one, so the remote
  // reads and sends while we verify and write (one request ahead, never more).

  private async fetchKeys(room: string, phase: SyncPhase, keys: Uint8Array[], take: (batch: Required<RecordBatch>) => Promise<void>) {
    const { keysPerFetch } = this.ctx.limits;
    const ask = (from: number) => {
      const asked = keys.slice(from, from + keysPerFetch);
      const answer = this.request('fetch', { room, phase, keys: asked }, 'records') as Promise<Record<string, unknown>>;
      answer.catch(() => {}); // awaited below; a failure while we import is not unhandled
      return { asked, answer };
    };
    let offset = 0;
    let pending = keys.length ? ask(0) : null;
    while (pending) {
      const body = await pending.answer;
      const served = body.served;
      if (!Number.isInteger(served) || (served as number) < 1 || (served as number) > pending.asked.length) throw new SyncError('PROTOCOL', 'A records answer says how many keys it served');
      const batch = this.records(body.records);
      const allowed = new Set(pending.asked.slice(0, served as number).map(keyText));
      if (!keysOfBatch(batch).every((k) => allowed.has(keyText(k)))) throw new SyncError('INVALID_DATA', 'Records that were not asked for');
      offset += served as number;
      pending = offset < keys.length ? ask(offset) : null;
      await take(batch);
    }
  }

  private async fetchRange(room: string, phase: SyncPhase, range: { lower: Uint8Array; upper: Bound }, take: (batch: Required<RecordBatch>) => Promise<void>) {
    const ask = (lower: Uint8Array) => {
      const answer = this.request('fetchRange', { room, phase, lower, upper: range.upper }, 'records') as Promise<Record<string, unknown>>;
      answer.catch(() => {});
      return { lower, answer };
    };
    let pending: ReturnType<typeof ask> | null = ask(range.lower);
    while (pending) {
      const { lower, answer } = pending;
      const body = await answer;
      const batch = this.records(body.records);
      if (!batchWithin(batch, lower, range.upper)) throw new SyncError('INVALID_DATA', 'Records outside the range asked for');
      if (body.next === null) pending = null;
      else if (!(body.next instanceof Uint8Array) || compareKeys(body.next, lower) <= 0) throw new SyncError('PROTOCOL', 'A range answer moves forward');
      else pending = ask(body.next);
      await take(batch);
    }
  }

  private async fetchAll(room: string, phase: SyncPhase, take: (batch: Required<RecordBatch>) => Promise<void>) {
    const ask = (cursor: Uint8Array | null) => {
      const answer = this.request('fetchAll', { room, phase, cursor }, 'records') as Promise<Record<string, unknown>>;
      answer.catch(() => {});
      return answer;
    };
    let pending: Promise<Record<string, unknown>> | null = ask(null);
    for (let pages = 0; pending; pages++) {
      if (pages >= MAX_PAGES) throw new SyncError('PROTOCOL', `A room of more than ${MAX_PAGES} pages`);
      const body = await pending;
      const batch = this.records(body.records);
      if (body.next === null) pending = null;
      else if (!(body.next instanceof Uint8Array) || body.next.length > 1024 || !batchSize(batch)) throw new SyncError('PROTOCOL', 'A page answer moves forward');
      else pending = ask(body.next);
      await take(batch);
    }
  }

  private records(value: unknown): Required<RecordBatch> {
    try {
      return batchFromWire(value, this.ctx.limits.keysPerFetch * 4);
    } catch (error) {
      throw new SyncError('INVALID_DATA', (error as Error).message, { cause: error });
    }
  }

  /** One request and its answer, after the requests before it (one in flight per direction). */
  private request(type: string, body: unknown, answerType: string): Promise<unknown> {
    const turn = this.clientTurn.then(async () => {
      const client = this.client;
      if (!client || this.ended) throw new SyncError('CLOSED', 'The session is closed');
      await client.send({ type, body }, { signal: this.signal });
      const answer = await client.receive({ timeoutMs: this.ctx.limits.requestTimeoutMs, signal: this.signal });
      if (answer === null) throw new SyncError('CLOSED', `The remote closed before answering ${type}`);
      if (answer.type === 'busy') throw new SyncError('BUSY', `The remote is busy with ${type}`);
      if (answer.type === 'error') throw new SyncError('REFUSED', `The remote refused ${type}: ${String((answer.body as { message?: unknown } | null)?.message)}`);
      if (answer.type !== answerType) throw new SyncError('PROTOCOL', `Expected ${answerType} to answer ${type}, got ${answer.type}`);
      return answer.body;
    });
    this.clientTurn = turn.catch(() => {});
    return turn;
  }

  // ---- answering side ------------------------------------------------------------------

  private serve(stream: ByteStream): void {
    if (this.serving) {
      stream.abort(new SyncError('PROTOCOL', 'One request stream per connection'));
      return;
    }
    this.serving = true;
    const channel = new MessageChannel(stream, { logger: this.ctx.logger });
    void this.answerAll(channel).catch((error) => this.fail(error));
  }

  private async answerAll(channel: MessageChannel): Promise<void> {
    for (;;) {
      const message = await channel.receive({ signal: this.signal });
      if (message === null) {
        this.end('the remote ended its requests');
        await this.connection.close().catch(() => {});
        return;
      }
      let answer: WireMessage;
      try {
        answer = await this.answerInTurn(message);
      } catch (error) {
        if (!(error instanceof SyncError) || error.code !== 'REFUSED') throw error;
        await this.sendAnswer(channel, { type: 'error', body: { message: error.message } });
        if (!this.isAdmitted && message.type === 'ready') {
          // It now knows we refused it: give the answer a moment to leave, then close.
          setTimeout(() => void this.close(), 200).unref();
          return;
        }
        continue;
      }
      // Our requests wait for their answers, so a request that arrived while this one was
      // being answered was sent without reading: a peer asking faster than it reads would
      // have answers pile up here. It is dropped.
      if (await channel.messageWaiting()) throw new SyncError('PROTOCOL', 'A request came before the answer to the one before it');
      await this.sendAnswer(channel, answer);
    }
  }

  /** Answers once it is the remote user's turn (see `SessionContext.turns`). */
  private async answerInTurn(message: WireMessage): Promise<WireMessage> {
    const turns = this.ctx.turns;
    if (!turns) return this.answer(message);
    const release = await turns.acquire(base64url(this.remote?.userKey ?? this.connection.remoteDeviceKey), this.signal);
    try {
      return await this.answer(message);
    } finally {
      release();
    }
  }

  /**
   * Sends an answer, which the remote must read in time: one that asks and never reads would
   * otherwise hold an answer (up to `batchBytes`) in this process for as long as it likes.
   */
  private async sendAnswer(channel: MessageChannel, answer: WireMessage): Promise<void> {
    const { requestTimeoutMs } = this.ctx.limits;
    const deadline = new AbortController();
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      deadline.abort();
    }, requestTimeoutMs);
    const ended = () => deadline.abort();
    if (this.signal.aborted) ended();
    this.signal.addEventListener('abort', ended, { once: true });
    try {
      await channel.send(answer, { signal: deadline.signal });
    } catch (error) {
      if (!late) throw error;
      throw new SyncError('TIMEOUT', `The remote did not read its ${answer.type} answer within ${requestTimeoutMs} ms`, { cause: error });
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', ended);
    }
  }

  private async answer(message: WireMessage): Promise<WireMessage> {
    const { host, limits } = this.ctx;
    const body = (message.body ?? {}) as Record<string, unknown>;
    if (message.type === 'hello') {
      const { challenge, invites } = body;
      if (!(challenge instanceof Uint8Array) || challenge.length !== CHALLENGE_BYTES) throw new SyncError('PROTOCOL', 'A hello has a 32-byte challenge');
      if (!Array.isArray(invites) || invites.length > MAX_INVITES || !invites.every((i) => i instanceof Uint8Array && i.length <= 64)) throw new SyncError('PROTOCOL', 'A hello lists at most 16 invites');
      this.hello(invites as Uint8Array[]);
      const proof = host.proveIdentity(challenge, this.ctx.localDevice, this.connection.remoteDeviceKey);
      return { type: 'proof', body: { peer: batchToWire({ nodes: [await host.peerRecord()] })[0], proof } };
    }
    const admission = await timeout(this.admitted, limits.requestTimeoutMs * 2, 'admission', this.signal);
    if (!admission.allowed) throw new SyncError('REFUSED', 'not admitted');
    const remote = this.remote!;
    switch (message.type) {
      case 'ready':
        return { type: 'ready', body: null };
      case 'rooms': {
        const rooms = await host.roomsFor(remote);
        const counts = await Promise.all(rooms.map((room) => host.countItems(room)));
        return { type: 'rooms', body: rooms.map((room, i) => [room, counts[i]]) };
      }
      case 'peers': {
        const room = body.room;
        if (typeof room !== 'string' || !(await host.roomsFor(remote)).includes(room)) throw new SyncError('REFUSED', 'peers of a room not shared with this peer');
        return { type: 'peers', body: batchToWire({ nodes: (await host.roomPeers(room)).slice(0, MAX_PEERS) }) };
      }
      case 'changed': {
        const rooms = body.rooms;
        if (!Array.isArray(rooms) || rooms.length > 1024 || !rooms.every((r) => typeof r === 'string')) throw new SyncError('PROTOCOL', 'changed lists room ids');
        const items = new Map<string, RoomItem[]>();
        const listed = body.items ?? [];
        if (!Array.isArray(listed) || listed.length > rooms.length) throw new SyncError('PROTOCOL', 'changed lists items per room');
        try {
          for (const entry of listed) {
            const [room, written] = entry as [unknown, unknown];
            if (typeof room !== 'string' || !Array.isArray(written) || written.length > MAX_LIVE_ITEMS) throw new RangeError('items of a room');
            items.set(room, written.map(itemFromWire));
          }
        } catch (error) {
          throw new SyncError('PROTOCOL', `Bad changed message: ${(error as Error).message}`, { cause: error });
        }
        void this.changed(rooms as string[], items);
        return { type: 'ok', body: null };
      }
      case 'fetchRefs': {
        const room = body.room;
        if (typeof room !== 'string' || !(await host.roomsFor(remote)).includes(room)) throw new SyncError('REFUSED', `room ${String(room)} is not shared with this peer`);
        if (!Array.isArray(body.refs) || body.refs.length > MAX_LIVE_ITEMS) throw new SyncError('PROTOCOL', 'fetchRefs asks for a bounded list of references');
        let refs: RecordRef[];
        try {
          refs = body.refs.map(refFromWire);
        } catch (error) {
          throw new SyncError('PROTOCOL', (error as Error).message, { cause: error });
        }
        if (!refs.length) throw new SyncError('PROTOCOL', 'fetchRefs asks for at least one reference');
        const { batch, used } = await this.readRefsBudgeted(room, refs);
        return { type: 'records', body: { records: batchToWire(batch), served: used } };
      }
      case 'reconcile': {
        // Both sides pulling the same room from each other at once (two devices that just
        // met): the side that had fewer items when it started goes first (it is the one that
        // needs the room; ties: the larger device key), the other retries when it is done, so
        // the room is not listed and hashed again for every batch the first imports.
        if (body.first === true && this.pulling_ === body.room) {
          const theirs = typeof body.size === 'number' ? body.size : 0;
          const first = this.pullingSize < theirs || (this.pullingSize === theirs && compareKeys(this.ctx.localDevice, this.connection.remoteDeviceKey) > 0);
          if (first) return { type: 'busy', body: null };
        }
        const served = await this.view(body);
        let step: ReturnType<Reconciler['respond']>;
        try {
          step = new Reconciler(served.set).respond(reconcileFromWire(body.ranges));
        } catch (error) {
          throw new SyncError('PROTOCOL', `Bad reconcile message: ${(error as Error).message}`, { cause: error });
        }
        return {
          type: 'reconciled',
          body: { ranges: step.reply ? reconcileToWire(step.reply) : null, have: step.have, haveRanges: step.haveRanges.map((r) => [r.lower, r.upper]) },
        };
      }
      case 'fetch': {
        const served = await this.view(body);
        const keys = keyList(body.keys);
        if (!keys.length || keys.length > limits.keysPerFetch) throw new SyncError('PROTOCOL', 'fetch asks for 1 to keysPerFetch keys');
        const { batch, used } = await this.readBudgeted(served, keys);
        return { type: 'records', body: { records: batchToWire(batch), served: used } };
      }
      case 'fetchAll': {
        const room = body.room;
        const phase = body.phase;
        if (typeof room !== 'string' || (phase !== 'definition' && phase !== 'data')) throw new SyncError('PROTOCOL', 'A request names a room and a phase');
        if (!(await host.roomsFor(remote)).includes(room)) throw new SyncError('REFUSED', `room ${room} is not shared with this peer`);
        const cursor = body.cursor;
        if (cursor !== null && (!(cursor instanceof Uint8Array) || cursor.length > 1024)) throw new SyncError('PROTOCOL', 'A cursor is bytes');
        let page: Awaited<ReturnType<SyncHost['page']>>;
        try {
          page = await host.page(room, phase, cursor, limits.batchBytes, (r) => recordWireSize(r as Parameters<typeof recordWireSize>[0]));
        } catch (error) {
          if ((error as { code?: unknown }).code === 'INVALID_RECORD') throw new SyncError('PROTOCOL', 'Not a cursor of ours', { cause: error });
          throw error;
        }
        return { type: 'records', body: { records: batchToWire(page.batch), next: page.next } };
      }
      case 'fetchRange': {
        const served = await this.view(body);
        const [range] = rangeList([[body.lower, body.upper]]);
        const from = served.set.indexOf(range!.lower);
        const to = Math.min(served.set.indexOf(range!.upper), from + limits.keysPerFetch);
        const keys = served.set.items.slice(from, to).map((it) => it.key);
        if (!keys.length) return { type: 'records', body: { records: [], next: null } };
        const { batch, used } = await this.readBudgeted(served, keys);
        const nextIndex = from + used;
        const done = nextIndex >= served.set.indexOf(range!.upper);
        return { type: 'records', body: { records: batchToWire(batch), next: done ? null : served.set.items[nextIndex]!.key } };
      }
      default:
        throw new SyncError('PROTOCOL', `Unexpected request ${message.type}`);
    }
  }

  /** The room phase a request is about, checked against what the remote may read. */
  private async view(body: Record<string, unknown>): Promise<Served> {
    const { room, phase } = body;
    if (typeof room !== 'string' || (phase !== 'definition' && phase !== 'data')) throw new SyncError('PROTOCOL', 'A request names a room and a phase');
    if (!(await this.ctx.host.roomsFor(this.remote!)).includes(room)) throw new SyncError('REFUSED', `room ${room} is not shared with this peer`);
    return { room, ...(await this.ctx.itemSets.get(room, phase)) };
  }

  /** Reads the records of `keys` in order until the byte budget; says how many keys it covered. */
  /** Reads the records of `keys` in order until the byte budget; says how many keys it covered. */
  private readBudgeted(served: Served, keys: Uint8Array[]) {
    return this.readRefsBudgeted(served.room, keys.map((k) => served.refs.get(keyText(k)) ?? null));
  }

  /**
   * Reads records by reference in order until the byte budget; says how many references it
   * covered (a null reference is a key we no longer hold: covered, nothing read). Reads 128 at
   * a time; a chunk that would overflow the budget (large objects) is read again one record at
   * a time, so an answer stays under the frame limit (at least one record).
   */
  private async readRefsBudgeted(room: string, refs: (RecordRef | null)[]) {
    const out: Required<RecordBatch> = { nodes: [], edges: [], nodeDeletions: [], edgeDeletions: [] };
    const budget = this.ctx.limits.batchBytes;
    let bytes = 0;
    let used = 0;
    const read = (chunk: (RecordRef | null)[]) => this.ctx.host.read(room, chunk.filter((r): r is RecordRef => r !== null));
    const append = (batch: Required<RecordBatch>) => {
      for (const part of PARTS) (out[part] as unknown[]).push(...batch[part]);
    };
    while (used < refs.length && bytes < budget) {
      const chunk = refs.slice(used, used + 128);
      const batch = await read(chunk);
      const size = sizeOf(batch);
      if (bytes + size <= budget || chunk.length === 1) {
        append(batch);
        bytes += size;
        used += chunk.length;
        continue;
      }
      for (const ref of chunk) {
        const one = await read([ref]);
        const oneSize = sizeOf(one);
        if (used > 0 && bytes + oneSize > budget) return { batch: out, used };
        append(one);
        bytes += oneSize;
        used++;
      }
    }
    return { batch: out, used };
  }

  private async changed(rooms: string[], items: Map<string, RoomItem[]>): Promise<void> {
    try {
      if (rooms.some((r) => !this.remoteRooms?.has(r))) await this.refreshRooms();
      const full: string[] = [];
      for (const room of rooms.filter((r) => this.remoteRooms!.has(r))) {
        const written = items.get(room);
        // The live path takes data rows of a room we know; anything else (a room definition
        // changed, a new room, too many rows) is a full pull, rights first.
        const live = written && !this.pending.has(room) && this.live.length < MAX_LIVE_QUEUE
          && written.every((it) => this.ctx.host.phaseOf(it) === 'data') && (await this.ctx.host.hasRoom(room));
        if (live) this.live.push({ room, items: written });
        else full.push(room);
      }
      this.schedule(full);
    } catch (error) {
      this.fail(error);
    }
  }

  /** The live path: fetch the announced records we lack, by reference, and import them. */
  private async pullLive(room: string, items: RoomItem[]): Promise<void> {
    const { host, locks } = this.ctx;
    const release = await locks.acquire(room, this.signal);
    try {
      const lacking = await host.lacks(room, items);
      if (!lacking.length) return;
      const total: HostImportReport = { applied: 0, ignored: 0, rejected: 0 };
      // Usually one answer; large objects come in several (each answer is budgeted).
      for (let offset = 0; offset < lacking.length;) {
        const refs = lacking.slice(offset).map((it) => refToWire(it.ref));
        const body = (await this.request('fetchRefs', { room, refs }, 'records')) as Record<string, unknown>;
        const served = body.served;
        if (!Number.isInteger(served) || (served as number) < 1 || (served as number) > refs.length) throw new SyncError('PROTOCOL', 'A records answer says how many references it served');
        add(total, await host.import(room, 'data', this.records(body.records), this.remote!, this.signal));
        offset += served as number;
      }
      host.roomSynchronized?.(room, this.remote!, total);
    } finally {
      release();
    }
  }

  // ---- ending ---------------------------------------------------------------------------

  /** Drops the peer for a protocol fault, a timeout or hostile data, saying why in the log. */
  private fail(error: unknown): void {
    if (this.ended) return;
    const level = error instanceof SyncError && (error.code === 'CLOSED' || error.code === 'ABORTED') ? 'debug' : 'warn';
    this.ctx.logger[level]({ err: error, connection: this.connection.id }, 'dropping a peer connection');
    void this.close();
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort(new SyncError('CLOSED', reason));
    this.admission({ allowed: false, reason });
    this.hello([]);
    this.pending.clear();
    this.live.length = 0;
    if (this.isAdmitted && this.remote) this.ctx.host.peerDisconnected?.(this.remote);
    this.ctx.ended(this);
  }
}

const PARTS = ['nodes', 'edges', 'nodeDeletions', 'edgeDeletions'] as const;
/** Pages of one room a side with nothing accepts (2048 records or ~768 KiB each). */
const MAX_PAGES = 1_000_000;

function batchSize(batch: Required<RecordBatch>): number {
  return PARTS.reduce((n, part) => n + batch[part].length, 0);
}

function sizeOf(batch: Required<RecordBatch>): number {
  let size = 0;
  for (const part of PARTS) for (const record of batch[part]) size += recordWireSize(record);
  return size;
}

function add(total: HostImportReport, report: HostImportReport): void {
  total.applied += report.applied;
  total.ignored += report.ignored;
  total.rejected += report.rejected;
}

function merge(batches: Required<RecordBatch>[]): Required<RecordBatch> {
  return {
    nodes: batches.flatMap((b) => b.nodes),
    edges: batches.flatMap((b) => b.edges),
    nodeDeletions: batches.flatMap((b) => b.nodeDeletions),
    edgeDeletions: batches.flatMap((b) => b.edgeDeletions),
  };
}

function keyList(value: unknown): Uint8Array[] {
  if (!Array.isArray(value) || value.length > 65_536 || !value.every((k) => k instanceof Uint8Array && k.length <= 64)) throw new SyncError('PROTOCOL', 'A key list is a bounded list of keys');
  return value as Uint8Array[];
}

function rangeList(value: unknown): { lower: Uint8Array; upper: Bound }[] {
  if (!Array.isArray(value) || value.length > 4096) throw new SyncError('PROTOCOL', 'A range list is bounded');
  return value.map((r) => {
    if (!Array.isArray(r) || !(r[0] instanceof Uint8Array) || !(r[1] === null || r[1] instanceof Uint8Array)) throw new SyncError('PROTOCOL', 'A range is [lower, upper]');
    return { lower: r[0], upper: r[1] as Bound };
  });
}

function wireRanges(value: unknown) {
  try {
    return reconcileFromWire(value);
  } catch (error) {
    throw new SyncError('PROTOCOL', `Bad reconcile message: ${(error as Error).message}`, { cause: error });
  }
}

function peerRecordFrom(value: unknown): NodeRecord {
  try {
    const batch = batchFromWire([value], 1);
    if (batch.nodes.length !== 1) throw new RangeError('not a node');
    return batch.nodes[0]!;
  } catch (error) {
    throw new SyncError('INVALID_DATA', `A proof carries the prover's peer row: ${(error as Error).message}`, { cause: error });
  }
}

async function timeout<T>(promise: Promise<T>, ms: number, what: string, signal: AbortSignal): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new SyncError('TIMEOUT', `No ${what} within ${ms} ms`)), ms);
        onAbort = () => reject(new SyncError('CLOSED', `closed while waiting for ${what}`));
        signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
