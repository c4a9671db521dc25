import { base64url, equalBytes } from '@discret/crypto';
import { BeaconClient } from '@discret/beacon';
import { componentLogger } from '@discret/log';
import type { RoomItem } from '@discret/store';
import { type BlobPeer, type LanDiscoveryHooks, type PeerDiscovery, type RemotePeer, SyncService, type Transport } from '@discret/sync';
import type { DiscretComponents } from './components.js';
import { type DialRaceHooks, pathKind, raceDials } from './dial-race.js';
import { DiscretError } from './errors.js';
import { platform } from './platform.js';
import { DiscretSyncHost } from './sync-host.js';

/**
 * Everything of a Discret instance that talks to other devices: the sync service over the
 * transport, LAN discovery, and the beacon clients; started together, stopped together.
 */
export class Network {
  private constructor(
    private readonly sync: SyncService,
    private readonly lan: { discovery: PeerDiscovery; hooks: LanDiscoveryHooks } | undefined,
    private readonly beacons: BeaconClient[],
  ) {}

  /** Starts sync on `transport`, then the beacons and LAN discovery the configuration asks for. */
  static async start(parts: DiscretComponents, transport: Transport): Promise<Network> {
    const { config, logger } = parts;
    const syncLog = componentLogger(logger, 'sync');
    const host = new DiscretSyncHost(parts, config, syncLog);
    if (config.relayOnly && (!config.enableBeacons || !config.enableRelay || !config.beacons.length || !transport.useRelays)) {
      throw new DiscretError('INVALID_CONFIGURATION', 'relayOnly needs beacons, enableBeacons, enableRelay and a transport with relays');
    }
    if (config.enableBeacons && config.enableRelay && config.beacons.length) transport.useRelays?.(config.beacons, { only: config.relayOnly });
    const sync = new SyncService({ transport, host, deviceKey: parts.deviceKey, logger, limits: { requestTimeoutMs: config.networkTimeoutInMs } });
    const beacons: BeaconClient[] = [];
    let lan: { discovery: PeerDiscovery; hooks: LanDiscoveryHooks } | undefined;
    try {
      await sync.start();
      if (config.enableBeacons) {
        for (const address of config.beacons) {
          const client = new BeaconClient({ transport, address, logger: syncLog }, {
            tokens: () => host.meetingTokens(),
            found: (addresses) => void connectFirst(sync, addresses),
          });
          client.start();
          beacons.push(client);
        }
      }
      const multicast = platform().lan;
      if (config.enableMulticast && multicast?.reachable(sync.addresses())) {
        lan = { discovery: multicast.create({ group: config.multicastGroup, frequencyMs: config.announceFrequencyInMs, logger: syncLog }), hooks: lanHooks(sync, host, config.announceFrequencyInMs) };
        await lan.discovery.start(lan.hooks);
      }
    } catch (error) {
      await new Network(sync, lan, beacons).stop();
      throw error;
    }
    return new Network(sync, lan, beacons);
  }

  /** Tells the LAN and the beacons our tokens now (they changed: an invite made or accepted). */
  announce(): void {
    if (this.lan) void this.lan.discovery.announce(this.lan.hooks);
    for (const b of this.beacons) void b.refresh();
  }

  /** Local commits changed these rooms: connected peers that share them pull them. */
  roomsChanged(rooms: string[], sources?: ReadonlyMap<string, ReadonlySet<string | null>>, items?: ReadonlyMap<string, readonly RoomItem[] | null>): void {
    this.sync.roomsChanged(rooms, sources, items);
  }

  /** Connected members of a room, to fetch its blobs from. */
  blobPeers(room: string): Promise<BlobPeer[]> {
    return this.sync.blobPeers(room);
  }

  async connect(address: string, signal?: AbortSignal): Promise<string | null> {
    const remote = await this.sync.connect(address, { signal });
    return remote ? base64url(remote.userKey) : null;
  }

  addresses(): string[] {
    return this.sync.addresses();
  }

  peerConnections(): { verifyingKey: string; address: string; path: 'direct' | 'relayed' }[] {
    return this.sync.connections().map((c) => ({ verifyingKey: base64url(c.remote.userKey), address: c.address, path: connectionPath(c.address) }));
  }

  connectedPeers(): string[] {
    return this.sync.peers().map((p) => base64url(p.userKey));
  }

  async stop(): Promise<void> {
    await this.lan?.discovery.stop().catch(() => {});
    for (const b of this.beacons) await b.stop();
    await this.sync.stop().catch(() => {});
  }
}

/**
 * What LAN discovery needs: our tokens, our addresses, and what to do when a peer that holds
 * one of them announces itself (dial it, at most once per announcement period per address).
 */
function lanHooks(sync: SyncService, host: DiscretSyncHost, periodMs: number): LanDiscoveryHooks {
  const tried = new Map<string, number>();
  return {
    tokens: () => host.meetingTokens(),
    addresses: () => sync.addresses(),
    found: (addresses) => {
      const now = Date.now();
      const key = addresses.join(' ');
      if ((tried.get(key) ?? 0) > now - periodMs) return;
      tried.set(key, now);
      if (tried.size > 1024) tried.delete(tried.keys().next().value!);
      void connectFirst(sync, addresses);
    },
  };
}

/** `relayed` when the data goes through a relay; WebRTC set up through one is `direct`. */
function connectionPath(address: string): 'direct' | 'relayed' {
  return pathKind(address) === 'relay' ? 'relayed' : 'direct';
}

/** How long a connection that a better path replaced stays open before it is closed. */
const REPLACED_GRACE_MS = 5_000;

/** A relayed connection is upgraded once its session has been quiet this long... */
const UPGRADE_QUIET_MS = 1_000;
/** ...or after this, whatever it does. */
const UPGRADE_WAIT_MS = 10_000;

/** When WebRTC did not come up over a relayed connection, it is tried again after these delays. */
const UPGRADE_RETRIES_MS = [2_000, 5_000, 15_000];

/**
 * Reaches a peer that discovery or a beacon introduced, by every path it offers (dial-race.ts):
 * the first connection is used at once, and a better path found later replaces it. A peer left
 * on a relayed connection, because the WebRTC upgrade failed (ICE under load, a slow signalling
 * round), is upgraded again a few times (upgradeLater).
 */
function connectFirst(sync: SyncService, addresses: readonly string[]): Promise<void> {
  return raceDials<RemotePeer>(addresses, dialHooks(sync)).then((best) => {
    const webrtc = addresses.filter((a) => pathKind(a) === 'webrtc');
    if (best && webrtc.length) upgradeLater(sync, best, webrtc, 0);
  });
}

function dialHooks(sync: SyncService): DialRaceHooks<RemotePeer> {
  return {
    connect: (address, signal) => sync.connect(address, { signal }),
    // The replaced connection goes after a grace period, once both sides' handshakes and
    // libp2p's own streams (identify) on it are done: a stream opened on a relayed connection
    // while it closes makes yamux throw from a microtask (an uncaught StreamStateError, seen in
    // the beacon test when it was closed at once).
    close: async (remote) => closeLater(sync, remote.connectionId),
    same: (a, b) => a.connectionId === b.connectionId,
    // A new peer's first sync runs on the relayed connection: WebRTC's handshakes beside it
    // slowed a 10k-row initial sync to a browser by about 20% (pnpm bench, 2 cores).
    beforeUpgrade: (relayed, signal) => sync.whenQuiet(relayed.connectionId, { quietMs: UPGRADE_QUIET_MS, maxMs: UPGRADE_WAIT_MS, signal }),
  };
}

function closeLater(sync: SyncService, connectionId: string): void {
  setTimeout(() => void sync.disconnect(connectionId), REPLACED_GRACE_MS).unref?.();
}

/** While `remote` is reached only through a relay, dials its WebRTC addresses again, a bounded number of times. */
function upgradeLater(sync: SyncService, remote: RemotePeer, webrtc: readonly string[], attempt: number): void {
  const relayedOnly = () => {
    const links = sync.connections().filter((c) => equalBytes(c.remote.deviceKey, remote.deviceKey));
    return links.some((c) => c.remote.connectionId === remote.connectionId) && links.every((c) => pathKind(c.address) === 'relay');
  };
  if (attempt >= UPGRADE_RETRIES_MS.length || !relayedOnly()) return;
  setTimeout(() => {
    if (!relayedOnly()) return; // gone (or closed), or upgraded meanwhile
    void raceDials<RemotePeer>(webrtc, dialHooks(sync)).then((upgraded) => {
      if (upgraded) closeLater(sync, remote.connectionId);
      else upgradeLater(sync, remote, webrtc, attempt + 1);
    });
  }, UPGRADE_RETRIES_MS[attempt]).unref?.();
}
