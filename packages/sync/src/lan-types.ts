import type { Logger } from '@discret/log';

export interface LanDiscoveryOptions {
  /** `address:port` of the multicast group. Default `224.0.0.224:22402` (upstream's). */
  group?: string;
  /** Time between announcements. Default 10 s. */
  frequencyMs?: number;
  /** IPv4 address of the interface to announce on (default: the system's choice). */
  interface?: string;
  logger: Logger;
}

export interface LanDiscoveryHooks {
  /** Our meeting tokens now. */
  tokens(): Promise<Uint8Array[]>;
  /** The multiaddrs we listen on (only non-loopback IPv4 ones are announced). */
  addresses(): string[];
  /** A peer that holds one of our tokens announced itself at these addresses. */
  found(addresses: string[]): void;
}

/** Finding peers on the local network: Node's is UDP multicast (lan.ts); a browser has none. */
export interface PeerDiscovery {
  start(hooks: LanDiscoveryHooks): Promise<void>;
  /** Announces at once (after an invite, say), not only at the next period. */
  announce(hooks: LanDiscoveryHooks): Promise<void>;
  stop(): Promise<void>;
}

/** How an entry point offers LAN discovery. */
export interface LanDiscoveryFactory {
  /** Whether any of these listen addresses can be announced on a LAN. */
  reachable(addresses: string[]): boolean;
  create(options: LanDiscoveryOptions): PeerDiscovery;
}
