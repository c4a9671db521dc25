import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { decode, encode } from 'cborg';
import { hex, randomBytes } from '@discret/crypto';
import { dialableAddresses, listenPorts, type PortEntry } from './addresses.js';
import type { LanDiscoveryHooks, LanDiscoveryOptions, PeerDiscovery } from './lan-types.js';

export type { LanDiscoveryHooks, LanDiscoveryOptions } from './lan-types.js';

/**
 * LAN discovery by multicast announcements of meeting tokens, upstream's way.
 *
 * Every `frequencyMs` (and at once when asked, e.g. after an invite), each peer sends to a
 * multicast group one datagram: CBOR `[1, nonce, tokens, ports]`, where `tokens` are its
 * 8-byte meeting tokens (one per allowed peer, its own user's, and one per pending invite)
 * and `ports` the ports it listens on (`[["tcp", 4001], ["quic", 4002]]`). A peer that hears a
 * token it also holds dials the sender's address at those ports; the connection then proves
 * who is who, and admission decides as for any connection.
 *
 * Why not @libp2p/mdns: mDNS announces the libp2p peer id (our device key) and addresses to
 * anyone listening, and makes every node dial every other. Tokens are opaque to strangers: a
 * token is derived from the Diffie-Hellman secret of two users' meeting keys, so only the two
 * of them can compute it, and a stranger on the LAN learns no key, only that some Discret app
 * is here. Nodes that share no token never connect.
 */
export const DEFAULT_MULTICAST_GROUP = '224.0.0.224:22402';
const MAX_TOKENS_PER_PACKET = 128;
const MAX_PACKET_BYTES = 8192;

export class LanDiscovery implements PeerDiscovery {
  private socket: Socket | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly nonce = randomBytes(8);
  private readonly host: string;
  private readonly port: number;
  private ours = new Set<string>();

  constructor(private readonly options: LanDiscoveryOptions) {
    const [host, port] = (options.group ?? DEFAULT_MULTICAST_GROUP).split(':');
    this.host = host!;
    this.port = Number(port);
    if (!this.host || !Number.isInteger(this.port)) throw new RangeError(`A multicast group is address:port, not ${options.group}`);
  }

  /** True when there is something to announce: we listen on an address others can reach. */
  static reachable(addresses: string[]): boolean {
    return ports(addresses).length > 0;
  }

  async start(hooks: LanDiscoveryHooks): Promise<void> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    this.socket = socket;
    socket.on('message', (message, from) => this.heard(message, from, hooks));
    socket.on('error', (error) => this.options.logger.warn({ err: error }, 'multicast socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.port, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.addMembership(this.host, this.options.interface);
    if (this.options.interface) socket.setMulticastInterface(this.options.interface);
    socket.setMulticastTTL(1); // the LAN only
    socket.setMulticastLoopback(true); // other peers on this host; our own packets are skipped by nonce
    socket.unref();
    this.timer = setInterval(() => void this.announce(hooks), this.options.frequencyMs ?? 10_000);
    this.timer.unref();
    await this.announce(hooks);
  }

  /** Announces now (after tokens changed: a new invite, a new allowed peer). */
  async announce(hooks: LanDiscoveryHooks): Promise<void> {
    const socket = this.socket;
    if (!socket) return;
    try {
      const tokens = await hooks.tokens();
      this.ours = new Set(tokens.map(hex));
      const listening = ports(hooks.addresses());
      if (!listening.length || !tokens.length) return;
      for (let i = 0; i < tokens.length; i += MAX_TOKENS_PER_PACKET) {
        const packet = encode([1, this.nonce, tokens.slice(i, i + MAX_TOKENS_PER_PACKET), listening]);
        await new Promise<void>((resolve) => socket.send(packet, this.port, this.host, () => resolve()));
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'multicast announcement failed');
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  private heard(message: Buffer, from: RemoteInfo, hooks: LanDiscoveryHooks): void {
    if (message.length > MAX_PACKET_BYTES) return;
    let value: unknown;
    try {
      value = decode(message);
    } catch {
      return; // not ours
    }
    if (!Array.isArray(value) || value.length !== 4 || value[0] !== 1) return;
    const [, nonce, tokens, listening] = value as [number, unknown, unknown, unknown];
    if (!(nonce instanceof Uint8Array) || hex(nonce) === hex(this.nonce)) return;
    if (!Array.isArray(tokens) || tokens.length > MAX_TOKENS_PER_PACKET || !Array.isArray(listening) || listening.length > 8) return;
    if (!tokens.some((t) => t instanceof Uint8Array && this.ours.has(hex(t)))) return;
    const addresses = dialableAddresses('ip4', from.address, listening);
    if (addresses.length) hooks.found(addresses);
  }
}

/** The announceable ports of our listen addresses: non-loopback IPv4 TCP and QUIC, QUIC first. */
function ports(addresses: string[]): PortEntry[] {
  return listenPorts(addresses, { ipv4Only: true, skipLoopback: true }).sort((a, b) => (a[0] === 'quic' ? -1 : b[0] === 'quic' ? 1 : 0));
}
