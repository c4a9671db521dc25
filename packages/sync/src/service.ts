import type { SigningKey } from '@discret/crypto';
import { componentLogger, type Logger } from '@discret/log';
import { SyncError } from './errors.js';
import type { RoomItem } from '@discret/store';
import type { RemotePeer, SyncHost } from './host.js';
import type { BlobStreamClient } from './blob-transfer.js';
import type { Records } from './protocol.js';
import { recordWireSize } from './records-wire.js';
import { ItemSetCache } from './item-cache.js';
import { KeyedLocks } from './keyed-locks.js';
import { DEFAULT_SESSION_LIMITS, PeerSession, type SessionLimits } from './session.js';
import type { AbortOptions, Connection, Transport } from './transport.js';

/** How long records received from a peer wait before they are announced to the others. */
const FORWARD_DELAY_MS = 10;
/** Records sent with a change notice at most (see `carriedRecords`). */
const CARRY_UP_TO_RECORDS = 16;
const CARRY_UP_TO_BYTES = 16 * 1024;

/** A connected member of a room, to fetch blobs from (see `SyncService.blobPeers`). */
export interface BlobPeer {
  remote: RemotePeer;
  open(signal?: AbortSignal): Promise<BlobStreamClient>;
  drop(error: unknown): void;
}

export interface SyncServiceOptions {
  transport: Transport;
  host: SyncHost;
  /** This install's device key: the transport's identity. */
  deviceKey: SigningKey;
  logger: Logger;
  limits?: Partial<SessionLimits>;
  /** Most connections at once; more are refused. Default 512. */
  maxConnections?: number;
}

/**
 * Runs synchronisation over a transport: a `PeerSession` per connection (incoming or dialled),
 * a room lock shared by all of them, and the live path: `roomsChanged` after a local commit
 * tells every admitted peer that shares one of the rooms, and they pull.
 */
export class SyncService {
  private readonly sessions = new Set<PeerSession>();
  private readonly locks = new KeyedLocks();
  private readonly turns = new KeyedLocks();
  private readonly itemSets: ItemSetCache;
  private readonly limits: SessionLimits;
  private readonly log: Logger;
  private started = false;

  constructor(private readonly options: SyncServiceOptions) {
    this.limits = { ...DEFAULT_SESSION_LIMITS, ...options.limits };
    this.log = componentLogger(options.logger, 'sync');
    this.itemSets = new ItemSetCache(options.host);
  }

  async start(options: AbortOptions = {}): Promise<void> {
    const { transport, deviceKey } = this.options;
    transport.onConnection((connection) => this.accept(connection));
    await transport.start({ deviceSeed: deviceKey.exportSeed(), logger: this.options.logger }, options);
    this.started = true;
  }

  async stop(options: AbortOptions = {}): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all([...this.sessions].map((s) => s.close()));
    await this.options.transport.stop(options);
  }

  /** Addresses other devices can dial. */
  addresses(): string[] {
    return this.options.transport.addresses();
  }

  /** Connects to a device and synchronises with it if both sides admit each other. */
  async connect(address: string, options: AbortOptions = {}): Promise<RemotePeer | null> {
    if (!this.started) throw new SyncError('NOT_STARTED', 'Sync is not started');
    let connection = await this.options.transport.dial(address, options);
    let existing = [...this.sessions].find((s) => s.connection === connection);
    if (existing && !(await this.ready(existing))) {
      // The last attempt was refused (one side had not admitted the other yet): start over,
      // so what changed since (an enabled peer or device) is judged again.
      await existing.close();
      connection = await this.options.transport.dial(address, options);
      existing = [...this.sessions].find((s) => s.connection === connection);
    }
    const session = existing ?? this.track(connection);
    if (!session) return null;
    return (await this.ready(session)) ? session.remote : null;
  }

  /**
   * Resolves once the session on `connectionId` has been quiet (no request or answer either
   * way) for `quietMs`, or after `maxMs`, or when it ends or `signal` aborts: what waits for a
   * bulk transfer to settle (the WebRTC upgrade of a relayed connection) waits with this.
   */
  async whenQuiet(connectionId: string, options: { quietMs: number; maxMs: number; signal?: AbortSignal }): Promise<void> {
    const until = Date.now() + options.maxMs;
    for (;;) {
      const session = this.session(connectionId);
      if (!session?.isOpen || options.signal?.aborted || Date.now() >= until) return;
      const quiet = session.quietFor();
      if (quiet >= options.quietMs) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(options.quietMs - quiet, until - Date.now()) + 1));
    }
  }

  /** Closes one connection (a relayed one that a direct path replaced); false when it is not open here. */
  async disconnect(connectionId: string): Promise<boolean> {
    const session = this.session(connectionId);
    if (!session) return false;
    await session.close();
    return true;
  }

  /** The admitted remotes with the address each connection reached them at. */
  connections(): { remote: RemotePeer; address: string }[] {
    return [...this.sessions].flatMap((s) => (s.remote && s.isOpen ? [{ remote: s.remote, address: s.connection.remoteAddress }] : []));
  }

  /** The admitted remotes, one entry per connection. */
  peers(): RemotePeer[] {
    return [...this.sessions].flatMap((s) => (s.remote && s.isOpen ? [s.remote] : []));
  }

  /**
   * Commits changed these rooms: tell each admitted peer the ones it may read (it pulls them).
   * `sources` says, per room, which connections the changes came from (null: a local write);
   * a room changed only by rows from one peer is not echoed back to that peer.
   */
  roomsChanged(rooms: string[], sources?: ReadonlyMap<string, ReadonlySet<string | null>>, items?: ReadonlyMap<string, readonly RoomItem[] | null>): void {
    for (const room of rooms) this.itemSets.forget(room);
    // Records received from a peer are passed on a moment later: the neighbours that got them
    // elsewhere meanwhile say so in their own notices, and are not told again (in a room of 200
    // peers, notices crossing each other on the same link were half of a write's frames).
    const forwarded = rooms.every((room) => sources?.get(room)?.size && !sources.get(room)!.has(null));
    if (forwarded) setTimeout(() => this.notifyAll(rooms, sources, items), FORWARD_DELAY_MS).unref?.();
    else this.notifyAll(rooms, sources, items);
  }

  private notifyAll(rooms: string[], sources?: ReadonlyMap<string, ReadonlySet<string | null>>, items?: ReadonlyMap<string, readonly RoomItem[] | null>): void {
    let carried: Promise<Map<string, Records>> | undefined;
    for (const session of this.sessions) {
      if (!session.remote) continue;
      const id = session.connection.id;
      const wanted = rooms.filter((room) => {
        const from = sources?.get(room);
        return !from || from.has(null) || [...from].some((s) => s !== id);
      });
      // A room whose written records the remote announced to us itself is not announced back.
      const news = wanted.filter((room) => !session.remoteHas.holdsAll(items?.get(room)));
      if (!news.length) continue;
      // Read once for all the peers told, and only when one is.
      carried ??= this.carriedRecords(rooms, items);
      void Promise.all([this.options.host.roomsFor(session.remote), carried])
        .then(([shared, records]) => session.notify(news.filter((r) => shared.includes(r)), items, records))
        .catch((error) => this.log.debug({ err: error }, 'could not notify a peer'));
    }
  }

  /**
   * The connected peers that may read `room` (members of it), each able to open blob streams:
   * where a blob of that room is asked for. Peers outside the room are never asked, so they
   * never learn the blob's id. `drop` disconnects a peer that sent bad data.
   */
  async blobPeers(room: string): Promise<BlobPeer[]> {
    const open = [...this.sessions].filter((s) => s.remote && s.isOpen);
    const shared = await Promise.all(open.map((s) => this.options.host.roomsFor(s.remote!).catch(() => [] as string[])));
    return open.filter((_, i) => shared[i]!.includes(room)).map((session) => ({
      remote: session.remote!,
      open: (signal?: AbortSignal) => session.openBlobStream(signal),
      drop: (error: unknown) => session.fail(error),
    }));
  }

  /**
   * The records of small commits, sent with their notice: a peer that lacks them imports them
   * at once instead of asking for them (two frames less per write and per peer in a room of
   * many). Past a few records or a few KiB, the notice lists them and peers fetch what they lack.
   */
  private async carriedRecords(rooms: string[], items?: ReadonlyMap<string, readonly RoomItem[] | null>): Promise<Map<string, Records>> {
    const out = new Map<string, Records>();
    for (const room of rooms) {
      const written = items?.get(room);
      if (!written?.length || written.length > CARRY_UP_TO_RECORDS) continue;
      try {
        const batch = await this.options.host.read(room, written.map((item) => item.ref));
        const all = [...batch.nodes, ...batch.edges, ...batch.nodeDeletions, ...batch.edgeDeletions];
        if (all.reduce((sum, record) => sum + recordWireSize(record), 0) <= CARRY_UP_TO_BYTES) out.set(room, batch);
      } catch (error) {
        this.log.debug({ err: error, room }, 'could not read records to send with a notice');
      }
    }
    return out;
  }

  /** The session on a connection, by the connection's id. */
  private session(connectionId: string): PeerSession | undefined {
    return [...this.sessions].find((s) => s.connection.id === connectionId);
  }

  private accept(connection: Connection): void {
    const session = this.track(connection);
    if (session) void this.ready(session);
  }

  private track(connection: Connection): PeerSession | null {
    if (this.sessions.size >= (this.options.maxConnections ?? 512)) {
      this.log.warn({ connection: connection.id }, 'too many connections: refused');
      void connection.close();
      return null;
    }
    const session = new PeerSession(connection, {
      host: this.options.host,
      logger: this.log,
      localDevice: this.options.deviceKey.publicKey,
      limits: this.limits,
      locks: this.locks,
      turns: this.turns,
      itemSets: this.itemSets,
      ended: (s) => this.sessions.delete(s),
    });
    this.sessions.add(session);
    return session;
  }

  private readonly opening = new WeakMap<PeerSession, Promise<boolean>>();

  private ready(session: PeerSession): Promise<boolean> {
    let opened = this.opening.get(session);
    if (!opened) {
      opened = session.open().then((ok) => {
        if (ok) session.syncAll();
        return ok;
      });
      this.opening.set(session, opened);
    }
    return opened;
  }
}
