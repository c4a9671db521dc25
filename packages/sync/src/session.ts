import type { RoomItem } from '@discret/store';
import { SyncError } from './errors.js';
import type { Admission, RemotePeer } from './host.js';
import { checkIdentity, newChallenge } from './identity.js';
import { MAX_LIVE_ITEMS } from './protocol-limits.js';
import { KnownRecords } from './known-records.js';
import { Puller } from './puller.js';
import { Requester } from './requester.js';
import { Responder } from './responder.js';
import type { SessionContext, SessionCore } from './session-context.js';
import { withTimeout } from './timeouts.js';
import type { ByteStream, Connection } from './transport.js';
import { MessageChannel, type WireMessage } from './wire.js';
import type { Records } from './protocol.js';
import { type BlobSource, BlobStreamClient, serveBlobStream } from './blob-transfer.js';

/**
 * Change notices in a row that brought nothing new before a link goes off the eager path. One:
 * measured 2.1-2.2 frames per write per peer at 200 peers, against 2.8-3.0 with two (a link
 * that brings news again is back on the eager path at once).
 */
const LAZY_AFTER_DUPLICATES = 1;
/** How long notices to a lazy link wait, merged (see PeerSession.lazy). */
const LAZY_NOTICE_MS = 1000;

export { DEFAULT_SESSION_LIMITS, type SessionContext, type SessionLimits } from './session-context.js';

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

export class PeerSession implements SessionCore {
  /** The remote, once its identity is proven. */
  private proof: RemotePeer | null = null;
  private requester_: Requester | null = null;
  private readonly abort = new AbortController();
  private admission!: (a: Admission) => void;
  private readonly admitted = new Promise<Admission>((resolve) => (this.admission = resolve));
  private hello!: (invites: Uint8Array[]) => void;
  private readonly remoteHello = new Promise<Uint8Array[]>((resolve) => (this.hello = resolve));
  private isAdmitted = false;
  private ended = false;
  /** Records the remote told us it holds (its change notices): not announced back to it. */
  readonly remoteHas = new KnownRecords();
  /** When a request or an answer last went by, either way. */
  private lastActive = Date.now();
  /**
   * Off the eager path (Plumtree's lazy link): the remote's notices have been bringing only
   * records this side already held, so it hears of them by other links first. Notices to it
   * wait LAZY_NOTICE_MS, merged, and what it announced to us meanwhile is left out; a notice
   * from it that brings news puts the link back on the eager path. Nothing is lost either way:
   * every notice still goes out, later.
   */
  private lazy = false;
  private duplicates = 0;
  private lazyTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly puller: Puller;
  private readonly responder: Responder;

  constructor(
    readonly connection: Connection,
    readonly ctx: SessionContext<PeerSession>,
  ) {
    this.puller = new Puller(this, () => this.requester(), () => this.isAdmitted);
    this.responder = new Responder(this, {
      hello: (invites) => this.hello(invites),
      admission: () => this.admitted,
      isAdmitted: () => this.isAdmitted,
      pulling: () => this.puller.pulling,
      changed: (rooms, items, records) => {
        for (const written of items.values()) this.remoteHas.add(written);
        void this.puller.changed(rooms, items, records);
      },
      close: () => void this.close(),
    });
    connection.onStream((stream) => void this.route(stream));
    connection.onClose(() => this.end('the connection closed'));
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  touch(): void {
    this.lastActive = Date.now();
  }

  noticeWas(news: boolean): void {
    if (news) {
      this.duplicates = 0;
      if (this.lazy) {
        this.lazy = false;
        this.flushLazy(); // back on the eager path: what waited goes now
      }
    } else if (++this.duplicates >= LAZY_AFTER_DUPLICATES) {
      this.lazy = true;
    }
  }

  /** How long no request or answer went by on this session, in ms. */
  quietFor(): number {
    return Date.now() - this.lastActive;
  }

  get isOpen(): boolean {
    return !this.ended;
  }

  /** The remote, once its identity is proven (null before). */
  get remote(): RemotePeer | null {
    return this.proof;
  }

  proven(): RemotePeer | null {
    return this.proof;
  }

  /** For the roles, which run only once the remote is proven. */
  peer(): RemotePeer {
    if (!this.proof) throw new SyncError('NOT_STARTED', 'The remote is not proven yet');
    return this.proof;
  }

  /**
   * Proves identities both ways and asks the host to admit the remote. True when the session
   * is ready to synchronise; false (and the connection closed) when the remote was refused.
   */
  async open(): Promise<boolean> {
    const { host, limits, logger } = this.ctx;
    try {
      this.requester_ = new Requester(new MessageChannel(await this.connection.openStream({ signal: this.signal }), { logger }), limits, this.signal, () => this.touch());
      const challenge = newChallenge();
      const { peer, proof } = await this.requester().request('hello', { challenge, invites: await host.inviteClaims() });
      if (!checkIdentity(peer.verifyingKey, proof, challenge, this.connection.remoteDeviceKey, this.ctx.localDevice)) {
        throw new SyncError('INVALID_DATA', 'The identity proof does not verify');
      }
      const theirInvites = await withTimeout(this.remoteHello, limits.requestTimeoutMs, 'the remote hello', this.signal);
      this.proof = {
        connectionId: this.connection.id, deviceKey: this.connection.remoteDeviceKey, userKey: peer.verifyingKey, peer, invites: theirInvites,
      };
      const admission = await host.admit(this.proof, this.signal);
      this.admission(admission);
      if (!admission.allowed) {
        // Not closed at once: the remote is still deciding about us (and may record us as a
        // pending peer). It learns our refusal when it asks `ready`; the connection closes then,
        // or after the request timeout.
        logger.info({ connection: this.connection.id, reason: admission.reason }, 'peer not admitted');
        setTimeout(() => void this.close(), limits.requestTimeoutMs).unref?.();
        return false;
      }
      // Both sides must admit each other: the remote answers `ready` once it has decided.
      await this.requester().request('ready', null);
      this.isAdmitted = true;
      host.peerConnected?.(this.proof);
      return true;
    } catch (error) {
      if (error instanceof SyncError && error.code === 'REFUSED') {
        logger.info({ connection: this.connection.id, reason: error.message }, 'the remote did not admit us');
        await this.close();
      } else this.fail(error);
      return false;
    }
  }

  /** Pulls every room the remote shares with us. */
  syncAll(): void {
    this.puller.pullAll();
  }

  /** Queues rooms to pull from the remote. */
  schedule(rooms: Iterable<string>): void {
    this.puller.schedule(rooms);
  }

  /**
   * Tells the remote these rooms changed here (it pulls them); rooms it does not share are left
   * out by the caller. One `changed` is in flight at a time: what changes meanwhile is merged
   * into the next one, so a remote slow to answer (busy writing a large transfer, say) gets one
   * message for many commits instead of a queue that grows with every commit (measured: a chat
   * message every 50 ms during a blob transfer reached the other side 1 s late, then 0.1 s).
   */
  notify(rooms: string[], items?: ReadonlyMap<string, readonly RoomItem[] | null>, records?: ReadonlyMap<string, Records>): Promise<void> {
    if (!this.isAdmitted || this.ended || !rooms.length) return Promise.resolve();
    this.nextNotice ??= new PendingNotice();
    const next = this.nextNotice;
    next.add(rooms, items, records);
    if (!this.lazy) this.flushLazy();
    else if (!this.lazyTimer) {
      // Jittered: two lazy ends that heard of a record together would otherwise tell each
      // other at the same moment; the later one leaves out what the earlier one announced.
      this.lazyTimer = setTimeout(() => this.flushLazy(), LAZY_NOTICE_MS * (0.5 + Math.random()));
      (this.lazyTimer as { unref?: () => void }).unref?.();
    }
    return next.sent;
  }

  /** Sends what waits (or lets the send in flight take it, merged). */
  private flushLazy(): void {
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = null;
    if (this.nextNotice) this.startSending();
  }

  /**
   * Starts the loop that sends notices, unless it runs. The loop may end without waiting (every
   * notice left empty by what the remote announced): so it is cleared when its promise settles,
   * never from inside it, where `??=` would have stored the finished loop after the clearing
   * and no notice would have gone out again on this link.
   */
  private startSending(): void {
    if (this.notifying) return;
    const run = this.sendNotices();
    this.notifying = run;
    void run.then(() => {
      this.notifying = null;
      // A notice queued between the loop's last look and now: sent now, unless it waits (lazy).
      if (this.nextNotice && !this.lazyTimer) this.startSending();
    });
  }

  private nextNotice: PendingNotice | null = null;
  private notifying: Promise<void> | null = null;

  private async sendNotices(): Promise<void> {
    while (this.nextNotice) {
      const notice = this.nextNotice;
      this.nextNotice = null;
      // What the remote announced to us meanwhile is not announced back (see KnownRecords).
      const message = notice.message(this.remoteHas);
      if (!message.rooms.length) {
        notice.done();
        continue;
      }
      try {
        await this.requester().tell('changed', message);
        notice.done();
      } catch (error) {
        notice.failed(error);
      }
    }
  }

  async close(): Promise<void> {
    this.end('closed');
    await this.connection.close().catch(() => {});
  }

  /** Drops the peer for a protocol fault, a timeout or hostile data, saying why in the log. */
  fail(error: unknown): void {
    if (this.ended) return;
    const level = error instanceof SyncError && (error.code === 'CLOSED' || error.code === 'ABORTED') ? 'debug' : 'warn';
    this.ctx.logger[level]({ err: error, connection: this.connection.id }, 'dropping a peer connection');
    void this.close();
  }

  /**
   * A stream the remote opened: its first message says what it is for. `hello` opens the
   * request stream (one per connection), `blobGet` a blob stream (blob-transfer.ts).
   */
  private async route(stream: ByteStream): Promise<void> {
    const { logger, limits, host } = this.ctx;
    const channel = new MessageChannel(stream, { logger });
    let first: WireMessage | null;
    try {
      first = await channel.receive({ timeoutMs: limits.requestTimeoutMs, signal: this.signal });
    } catch (error) {
      // A bad frame, or a stream that says nothing in time: the remote is not one of us.
      this.fail(error);
      return;
    }
    if (first === null) return;
    if (first.type !== 'blobGet') {
      this.responder.serve(stream, channel, first);
      return;
    }
    const mayRead = async (room: string) => {
      const admission = await withTimeout(this.admitted, limits.requestTimeoutMs * 2, 'admission', this.signal);
      return admission.allowed && (await host.roomsFor(this.peer())).includes(room);
    };
    try {
      await serveBlobStream(channel, first, { source: host.blobRange && host.blobGroup ? (host as BlobSource) : undefined, mayRead, timeoutMs: limits.requestTimeoutMs, signal: this.signal });
    } catch (error) {
      // A malformed request is the remote's fault; a reader too slow or gone only ends its stream.
      if (error instanceof SyncError && error.code === 'PROTOCOL') this.fail(error);
      else stream.abort(error as Error);
    }
  }

  /** Opens a blob stream to the remote (see blob-transfer.ts). */
  async openBlobStream(signal?: AbortSignal): Promise<BlobStreamClient> {
    if (!this.isAdmitted || this.ended) throw new SyncError('CLOSED', 'The session is not open');
    const stream = await this.connection.openStream({ signal: signal ? AbortSignal.any([signal, this.signal]) : this.signal });
    return new BlobStreamClient(new MessageChannel(stream, { logger: this.ctx.logger }), this.ctx.limits.requestTimeoutMs);
  }

  private requester(): Requester {
    if (!this.requester_ || this.ended) throw new SyncError('CLOSED', 'The session is closed');
    return this.requester_;
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.abort.abort(new SyncError('CLOSED', reason));
    this.admission({ allowed: false, reason });
    this.hello([]);
    this.puller.clear();
    this.flushLazy(); // what waited fails now (CLOSED), as a notice in flight would
    if (this.isAdmitted && this.proof) this.ctx.host.peerDisconnected?.(this.proof);
    this.ctx.ended(this);
  }
}

/**
 * The changes not yet told to the remote: rooms, and per room the records written when they
 * are few (the remote fetches exactly those, the live path, without reconciling the room); a
 * room with more than MAX_LIVE_ITEMS, or with a commit that did not list them, is told alone.
 */
class PendingNotice {
  private readonly rooms = new Set<string>();
  private readonly items = new Map<string, RoomItem[] | null>();
  /** The records themselves, per room, while every commit merged here carried them. */
  private readonly records = new Map<string, Records | null>();
  private resolve!: () => void;
  private reject!: (error: unknown) => void;
  readonly sent = new Promise<void>((resolve, reject) => {
    this.resolve = resolve;
    this.reject = reject;
  });

  add(rooms: string[], items?: ReadonlyMap<string, readonly RoomItem[] | null>, records?: ReadonlyMap<string, Records>): void {
    for (const room of rooms) {
      const known = this.items.get(room);
      const written = items?.get(room);
      const fresh = !this.rooms.has(room);
      this.rooms.add(room);
      const carried = this.records.get(room);
      const batch = records?.get(room);
      this.records.set(room, (fresh || carried) && batch ? concat(carried ?? null, batch) : null);
      if (known === null || (!fresh && known === undefined)) continue;
      const merged = written ? [...(known ?? []), ...written] : null;
      this.items.set(room, merged && merged.length <= MAX_LIVE_ITEMS ? merged : null);
    }
  }

  /** The notice to send: rooms whose listed records the remote all holds are left out. */
  message(remoteHas: KnownRecords): { rooms: string[]; items: Map<string, RoomItem[]>; records: Map<string, Records> } {
    const rooms = new Set(this.rooms);
    const listed = new Map<string, RoomItem[]>();
    const carried = new Map<string, Records>();
    for (const [room, written] of this.items) {
      if (!written) continue;
      if (remoteHas.holdsAll(written)) {
        rooms.delete(room);
        continue;
      }
      listed.set(room, written);
      const batch = this.records.get(room);
      if (batch && batchCount(batch) <= MAX_LIVE_ITEMS) carried.set(room, batch);
    }
    return { rooms: [...rooms], items: listed, records: carried };
  }

  done(): void {
    this.resolve();
  }

  failed(error: unknown): void {
    this.sent.catch(() => {}); // a caller that did not wait must not see an unhandled rejection
    this.reject(error);
  }
}

function concat(a: Records | null, b: Records): Records {
  if (!a) return b;
  return { nodes: [...a.nodes, ...b.nodes], edges: [...a.edges, ...b.edges], nodeDeletions: [...a.nodeDeletions, ...b.nodeDeletions], edgeDeletions: [...a.edgeDeletions, ...b.edgeDeletions] };
}

function batchCount(batch: Records): number {
  return batch.nodes.length + batch.edges.length + batch.nodeDeletions.length + batch.edgeDeletions.length;
}
