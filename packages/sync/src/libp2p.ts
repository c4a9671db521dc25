import type { ConnectionGater, Connection as P2PConnection, Libp2p, Stream } from '@libp2p/interface';
import type { Logger } from '@discret/log';
import { SyncError } from './errors.js';
import { keepRelaysConnected } from './relay-keeper.js';
import type { AbortOptions, ByteStream, Connection, Transport, TransportInit } from './transport.js';

import { HostCounts, hostOf } from './host-counts.js';
import type { Libp2pStack, Libp2pStackLoader } from './libp2p-modules.js';

/** The shortest time libp2p's connection monitor waits for a ping before it aborts a connection. */
const PING_MIN_TIMEOUT_MS = 20_000;

/** The libp2p protocol of Discret's streams. */
export const SYNC_PROTOCOL = '/discret/sync/1';

export interface Libp2pTransportOptions {
  /**
   * Multiaddrs to listen on. Default on Node: QUIC and TCP on all interfaces, random ports. Tests
   * and local tools use `/ip4/127.0.0.1/...`.
   */
  listen?: string[];
  /** Most streams a remote may have open on one connection. Default 16. */
  maxInboundStreams?: number;
  /**
   * Serve circuit relay v2 (a beacon does), with our limits instead of the relay's defaults
   * (2 minutes and 128 KiB per relayed connection would cut a sync).
   */
  relayServer?: RelayServerLimits;
  /** Relays (multiaddrs ending in their peer id) to reserve a slot on, so peers behind NATs can be reached through them. */
  relays?: string[];
  /**
   * Only through the relays: listen on no direct address, dial peers only through a relay, and
   * accept only relayed connections (the relays themselves excepted), so other peers never
   * learn this device's address.
   */
  relayOnly?: boolean;
  /**
   * Most direct connections accepted from one IP address at once (a server's guard; a family
   * behind one home router shares an address, so keep it generous). Default: no limit.
   */
  maxConnectionsPerIp?: number;
  /**
   * Most connections at once (libp2p's default is 300; a beacon needs one per client). Also
   * raises libp2p's inbound limits to match: connections being set up at once (default 10)
   * and new connections per second from one address (default 5, which a family or an office
   * behind one NAT address would exceed).
   */
  maxConnections?: number;
  /**
   * Try a direct WebRTC connection to peers met through a relay (ICE, with each relay's STUN
   * server at `stunPort` telling us our public address). Where both NATs allow it, the data then
   * goes peer to peer; where they do not (symmetric NATs), the relayed connection is used.
   * Never with `relayOnly`. Default true when relays are given.
   */
  directUpgrade?: boolean;
  /** The UDP port of the relays' STUN servers. Default 3478 (as discret-beacon serves). */
  stunPort?: number;
}

export interface RelayServerLimits {
  /** Reservations held at once. Default 1024. */
  maxReservations?: number;
  /** Longest a relayed connection lasts. Default 1 hour. */
  durationLimitMs?: number;
  /** Most bytes relayed per connection, each way. Default 256 MiB. */
  dataLimitBytes?: number;
}

/**
 * A libp2p 3 transport over a runtime's stack (the entry point's `libp2pTransport` passes its
 * own): the direct transports + noise + yamux, identify and ping, circuit relay and WebRTC.
 * The libp2p peer id is the install's device key (ed25519), so the handshake (QUIC's TLS or
 * noise) already authenticates the remote device.
 */
export function createLibp2pTransport(options: Libp2pTransportOptions, loadStack: Libp2pStackLoader): Transport {
  return new Libp2pTransport(options, loadStack);
}

class Libp2pTransport implements Transport {
  readonly name = 'libp2p';
  private node: Libp2p | null = null;
  private log: Logger | null = null;
  private readonly handlers: ((connection: Connection) => void)[] = [];
  private readonly wrappers = new Map<string, Libp2pConnection>();
  private readonly addressHandlers: (() => void)[] = [];
  private readonly extraRelays: string[] = [];
  private relayOnly = false;
  private keeper: AbortController | null = null;
  private usesWebRtc = false;
  private stack: Libp2pStack | null = null;
  /** Open connections per remote host, for the per-IP limit (counting them on each inbound connection cost O(connections)). */
  private readonly openPerHost = new HostCounts();

  constructor(
    private readonly options: Libp2pTransportOptions,
    private readonly loadStack: Libp2pStackLoader,
  ) {}

  useRelays(addresses: string[], options: { only?: boolean } = {}): void {
    if (this.node) throw new SyncError('NOT_STARTED', 'Relays are set before start()');
    this.extraRelays.push(...addresses);
    if (options.only) this.relayOnly = true;
  }

  onAddressesChange(handler: () => void): void {
    this.addressHandlers.push(handler);
  }

  async start(init: TransportInit, options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    this.log = init.logger;
    const stack = await this.loadStack();
    this.stack = stack;
    const { generateKeyPairFromSeed, createLibp2p, circuitRelayTransport, circuitRelayServer, webRTC, noise, yamux, identify, ping } = stack;
    const privateKey = await generateKeyPairFromSeed('Ed25519', init.deviceSeed);
    const relays = [...(this.options.relays ?? []), ...this.extraRelays];
    const server = this.options.relayServer;
    const relayOnly = (this.options.relayOnly ?? false) || this.relayOnly;
    if (relayOnly && !relays.length) throw new SyncError('NOT_STARTED', 'relayOnly needs at least one relay');
    const relayIds = new Set(relays.map((r) => r.split('/p2p/').pop()));
    const direct = relayOnly ? [] : (this.options.listen ?? stack.defaultListen);
    const webrtc = relays.length > 0 && !relayOnly && (this.options.directUpgrade ?? true);
    const iceServers = [...new Set(relays.map((r) => stunUrl(r, this.options.stunPort ?? 3478)).filter((u) => u !== null))].map((urls) => ({ urls }));
    const node = await createLibp2p({
      privateKey,
      // One `/p2p-circuit` per relay: a reservation on each relay we are connected to, made
      // again when it comes back (see relay-keeper.ts). Naming each relay's address here instead
      // would fail the start when one is down, and never reserve again after it restarts.
      addresses: { listen: [...direct, ...relays.map(() => '/p2p-circuit'), ...(webrtc ? ['/webrtc'] : [])] },
      connectionGater: this.gater(relayOnly, relayIds),
      // libp2p pings every connection each 10 s and aborts it when a ping takes longer than an
      // adaptive timeout of at least 5 s. A device busy for a few seconds (freeing a 1 GiB blob
      // on 2 cores: SQLite zeroes every freed page) lost its peers that way, with nothing said.
      // At least 20 s: our sessions' own request timeouts judge a slow peer.
      connectionMonitor: { pingTimeout: { minTimeout: PING_MIN_TIMEOUT_MS } },
      connectionManager: this.options.maxConnections === undefined ? undefined : {
        maxConnections: this.options.maxConnections,
        maxIncomingPendingConnections: Math.max(10, Math.min(256, Math.ceil(this.options.maxConnections / 16))),
        inboundConnectionThreshold: Math.max(5, this.options.maxConnectionsPerIp ?? 5),
      },
      transports: [...stack.directTransports(), ...(relays.length ? [circuitRelayTransport()] : []), ...(webrtc ? [webRTC({ rtcConfiguration: { iceServers } })] : [])],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: {
        identify: identify(),
        ping: ping(),
        ...(server ? {
          relay: circuitRelayServer({
            reservations: {
              maxReservations: server.maxReservations ?? 1024,
              defaultDurationLimit: server.durationLimitMs ?? 3_600_000,
              defaultDataLimit: BigInt(server.dataLimitBytes ?? 256 * 1024 * 1024),
            },
          }),
        } : {}),
      },
    });
    node.addEventListener('self:peer:update', () => {
      for (const handler of this.addressHandlers) handler();
    });
    node.addEventListener('connection:open', (event) => {
      this.openPerHost.add(event.detail);
      this.opened(event.detail);
    });
    node.addEventListener('connection:close', (event) => {
      this.openPerHost.remove(event.detail);
      this.wrappers.get(event.detail.id)?.closed();
    });
    await node.handle(SYNC_PROTOCOL, (stream, connection) => this.wrappers.get(connection.id)?.incoming(stream), {
      maxInboundStreams: this.options.maxInboundStreams ?? 16,
      // Relayed connections are "limited": sync runs on them too (the beacon sets the limits).
      runOnLimitedConnection: true,
    });
    this.node = node;
    if (webrtc) this.usesWebRtc = webRtcUsers.take(stack);
    if (relays.length) {
      this.keeper = new AbortController();
      keepRelaysConnected(node, relays, init.logger, this.keeper.signal);
    }
  }

  /**
   * relayOnly: the relays are dialled directly, anyone else only through a circuit, both ways.
   * maxConnectionsPerIp: an inbound connection past the limit is refused before its handshake.
   */
  private gater(relayOnly: boolean, relayIds: Set<string | undefined>): ConnectionGater {
    const perIp = this.options.maxConnectionsPerIp;
    return {
      denyDialMultiaddr: (address) => {
        if (!relayOnly) return false;
        const text = address.toString();
        return !text.includes('/p2p-circuit') && !relayIds.has(text.split('/p2p/').pop());
      },
      denyInboundUpgradedConnection: (peer, connection) =>
        relayOnly && !connection.remoteAddr.toString().includes('/p2p-circuit') && !relayIds.has(peer.toString()),
      denyInboundConnection: (connection) => {
        if (perIp === undefined || !this.node) return false;
        const host = hostOf(connection.remoteAddr.toString());
        const open = this.openPerHost.count(host);
        if (open < perIp) return false;
        this.log?.debug({ host, open }, 'connection refused: too many from this address');
        return true;
      },
    };
  }

  async stop(): Promise<void> {
    this.keeper?.abort();
    this.keeper = null;
    const node = this.node;
    this.node = null;
    await node?.stop();
    if (node) cancelAddressUpdate(node);
    if (this.usesWebRtc) {
      this.usesWebRtc = false;
      webRtcUsers.release();
    }
  }

  addresses(): string[] {
    return this.node?.getMultiaddrs().map((a) => a.toString()) ?? [];
  }

  onConnection(handler: (connection: Connection) => void): void {
    this.handlers.push(handler);
  }

  async dial(address: string, options: AbortOptions = {}): Promise<Connection> {
    if (!this.node) throw new SyncError('NOT_STARTED', 'The transport is not started');
    let connection: P2PConnection;
    try {
      connection = await this.node.dial(this.stack!.multiaddr(address), { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw new SyncError('ABORTED', 'dial() was aborted', { cause: error });
      throw new SyncError('DIAL_FAILED', `Cannot reach ${address}: ${(error as Error).message}`, { cause: error });
    }
    return this.wrappers.get(connection.id) ?? this.opened(connection);
  }

  async dialPeer(deviceKey: Uint8Array, options: AbortOptions = {}): Promise<Connection> {
    if (!this.node) throw new SyncError('NOT_STARTED', 'The transport is not started');
    let connection: P2PConnection;
    try {
      const peer = this.stack!.peerIdFromPublicKey(this.stack!.publicKeyFromRaw(deviceKey));
      connection = await this.node.dial(peer, { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) throw new SyncError('ABORTED', 'dialPeer() was aborted', { cause: error });
      throw new SyncError('DIAL_FAILED', `Cannot reach that device: ${(error as Error).message}`, { cause: error });
    }
    return this.wrappers.get(connection.id) ?? this.opened(connection);
  }

  private opened(connection: P2PConnection): Libp2pConnection {
    const existing = this.wrappers.get(connection.id);
    if (existing) return existing;
    const wrapper = new Libp2pConnection(connection, this.log!, () => this.wrappers.delete(connection.id));
    this.wrappers.set(connection.id, wrapper);
    if (connection.direction === 'inbound') for (const handler of this.handlers) handler(wrapper);
    return wrapper;
  }
}

/**
 * A runtime's WebRTC may keep running after every libp2p node stopped (node-datachannel's native
 * threads hold a Node process open), and its release is for every node of the process at once.
 * So the last transport using WebRTC to stop releases it.
 */
const webRtcUsers = {
  count: 0,
  stack: null as Libp2pStack | null,
  take(stack: Libp2pStack): true {
    this.count++;
    this.stack = stack;
    return true;
  },
  release(): void {
    this.count--;
    if (this.count === 0) this.stack?.releaseWebRtc();
  },
};

/** `stun:host:port` for a relay's multiaddr (`/ip4|ip6|dns4|dns6|dns/<host>/...`), or null. */
function stunUrl(relay: string, port: number): string | null {
  const [, kind, host] = relay.split('/');
  if (!host || !['ip4', 'ip6', 'dns4', 'dns6', 'dns'].includes(kind ?? '')) return null;
  return `stun:${kind === 'ip6' ? `[${host}]` : host}:${port}`;
}


/** Streams a connection holds for a handler that is not registered yet. */
const MAX_EARLY_STREAMS = 4;

class Libp2pConnection implements Connection {
  readonly id: string;
  readonly remoteDeviceKey: Uint8Array;
  readonly remoteAddress: string;
  private readonly streamHandlers: ((stream: ByteStream) => void)[] = [];
  private readonly closeHandlers: (() => void)[] = [];
  private readonly early: ByteStream[] = [];
  private isClosed = false;

  constructor(
    private readonly connection: P2PConnection,
    private readonly log: Logger,
    private readonly forget: () => void,
  ) {
    this.id = connection.id;
    const key = connection.remotePeer.publicKey;
    if (key?.type !== 'Ed25519') throw new SyncError('PROTOCOL', 'The remote peer id is not an ed25519 key');
    this.remoteDeviceKey = key.raw;
    this.remoteAddress = connection.remoteAddr.toString();
  }

  async openStream(options: AbortOptions = {}): Promise<ByteStream> {
    try {
      return new Libp2pStream(await this.connection.newStream(SYNC_PROTOCOL, { signal: options.signal, runOnLimitedConnection: true }));
    } catch (error) {
      throw new SyncError(options.signal?.aborted ? 'ABORTED' : 'CLOSED', `Cannot open a stream: ${(error as Error).message}`, { cause: error });
    }
  }

  incoming(stream: Stream): void {
    const wrapped = new Libp2pStream(stream);
    if (!this.streamHandlers.length) {
      // The remote may open a stream before our side has seen dial() resolve: keep a few
      // until a handler comes, refuse beyond that.
      if (this.early.length >= MAX_EARLY_STREAMS) {
        this.log.debug({ connection: this.id }, 'stream with no handler: aborted');
        wrapped.abort(new SyncError('CLOSED', 'Nobody reads this stream'));
      } else this.early.push(wrapped);
      return;
    }
    for (const handler of this.streamHandlers) handler(wrapped);
  }

  onStream(handler: (stream: ByteStream) => void): void {
    this.streamHandlers.push(handler);
    for (const stream of this.early.splice(0)) handler(stream);
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  closed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.forget();
    for (const handler of this.closeHandlers) handler();
  }

  async close(options: AbortOptions = {}): Promise<void> {
    await this.connection.close({ signal: options.signal }).catch(() => this.connection.abort(new Error('closed')));
    this.closed();
  }
}

class Libp2pStream implements ByteStream {
  constructor(private readonly stream: Stream) {}

  async write(bytes: Uint8Array, options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    try {
      if (!this.stream.send(bytes)) await this.stream.onDrain({ signal: options.signal });
    } catch (error) {
      throw new SyncError('CLOSED', `Cannot write: ${(error as Error).message}`, { cause: error });
    }
  }

  async close(options: AbortOptions = {}): Promise<void> {
    // A stream the remote already closed or reset has nothing left to close.
    await this.stream.close({ signal: options.signal }).catch(() => this.stream.abort(new Error("close failed")));
  }

  abort(reason: Error): void {
    this.stream.abort(reason);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for await (const chunk of this.stream) yield chunk instanceof Uint8Array ? chunk : chunk.subarray();
  }
}

/**
 * libp2p 3's address manager debounces its peer-store update by 1 s, and stopping the node
 * (its transports close) arms that timer once more without clearing it: every stopped node
 * kept its process alive for a second (measured; jest reported workers that did not exit).
 * The debounced function has a `stop()`; this calls it. Reaches into libp2p's components,
 * so it only acts when the shape is what libp2p 3.3 has.
 */
function cancelAddressUpdate(node: object): void {
  const manager = (node as { components?: { addressManager?: { _updatePeerStoreAddresses?: { stop?: () => void } } } }).components?.addressManager;
  manager?._updatePeerStoreAddresses?.stop?.();
}
