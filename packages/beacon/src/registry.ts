import { fromHex, hex } from '@discret/crypto';
import { BeaconError } from './errors.js';

/**
 * The beacon's rendezvous, as pure logic: which connected peers presented which tokens, and who
 * should be introduced to whom. No I/O: the beacon server feeds it and sends what it returns.
 *
 * Rules:
 * - a peer learns about a token only if it presented that token itself: a match names the
 *   other peers that presented the same token, with the addresses the beacon observed for them;
 * - both sides of a match are told (the server sends each its half);
 * - every table is bounded: peers registered, tokens per peer, peers per token. Past a limit
 *   the registration is refused with LIMIT, never queued or grown;
 * - a registration replaces the peer's previous one, and expires after `ttlMs` unless renewed.
 */
export interface RegistryLimits {
  /** Peers registered at once. */
  maxPeers: number;
  /** Tokens one peer may present. */
  maxTokensPerPeer: number;
  /** Peers that may present the same token (a token is shared by two users' devices). */
  maxPeersPerToken: number;
  /** A registration not renewed within this time is dropped. */
  ttlMs: number;
}

export const DEFAULT_REGISTRY_LIMITS: Readonly<RegistryLimits> = Object.freeze({
  maxPeers: 10_000,
  maxTokensPerPeer: 1024,
  maxPeersPerToken: 32,
  ttlMs: 10 * 60_000,
});

/** One introduction: `to` should be told that `peer` (at `addresses`) holds `token` too. */
export interface Introduction {
  to: string;
  token: Uint8Array;
  peer: string;
  addresses: readonly string[];
}

interface Registration {
  tokens: string[];
  addresses: readonly string[];
  expires: number;
}

export class TokenRegistry {
  private readonly peers = new Map<string, Registration>();
  private readonly byToken = new Map<string, Set<string>>();
  readonly limits: RegistryLimits;

  constructor(limits: Partial<RegistryLimits> = {}) {
    this.limits = { ...DEFAULT_REGISTRY_LIMITS, ...limits };
  }

  /** Sizes, for metrics and for tests that memory stays bounded. */
  get size(): { peers: number; tokens: number } {
    return { peers: this.peers.size, tokens: this.byToken.size };
  }

  /**
   * Registers (or replaces) what `peer` presents, reachable at `addresses` (as the beacon
   * observed them). Returns the introductions to send: to `peer` about each other holder of one
   * of its tokens, and to each of those about `peer`.
   */
  register(peer: string, tokens: readonly Uint8Array[], addresses: readonly string[], now: number): Introduction[] {
    if (tokens.length > this.limits.maxTokensPerPeer) throw new BeaconError('LIMIT', `At most ${this.limits.maxTokensPerPeer} tokens per peer`);
    if (!tokens.every((t) => t instanceof Uint8Array && t.length >= 8 && t.length <= 32)) throw new BeaconError('INVALID_REQUEST', 'A token is 8 to 32 bytes');
    this.expire(now);
    if (!this.peers.has(peer) && this.peers.size >= this.limits.maxPeers) throw new BeaconError('LIMIT', `At most ${this.limits.maxPeers} peers registered`);
    const keys = [...new Set(tokens.map(hex))];
    // Check every token's room first, so a refused registration changes nothing.
    for (const key of keys) {
      const holders = this.byToken.get(key);
      if (holders && !holders.has(peer) && holders.size >= this.limits.maxPeersPerToken) {
        throw new BeaconError('LIMIT', `At most ${this.limits.maxPeersPerToken} peers per token`);
      }
    }
    this.remove(peer);
    this.peers.set(peer, { tokens: keys, addresses: [...addresses], expires: now + this.limits.ttlMs });
    const introductions: Introduction[] = [];
    for (const key of keys) {
      const holders = this.byToken.get(key) ?? new Set<string>();
      this.byToken.set(key, holders);
      const token = fromHex(key);
      for (const other of holders) {
        const registration = this.peers.get(other)!;
        introductions.push({ to: peer, token, peer: other, addresses: registration.addresses });
        introductions.push({ to: other, token, peer, addresses: [...addresses] });
      }
      holders.add(peer);
    }
    return introductions;
  }

  /** Whether `peer` is registered (and not yet expired by `expire`). */
  has(peer: string): boolean {
    return this.peers.has(peer);
  }

  /** Forgets a peer (it disconnected). */
  remove(peer: string): void {
    const registration = this.peers.get(peer);
    if (!registration) return;
    this.peers.delete(peer);
    for (const key of registration.tokens) {
      const holders = this.byToken.get(key);
      holders?.delete(peer);
      if (holders?.size === 0) this.byToken.delete(key);
    }
  }

  /** Drops registrations older than their time to live. */
  expire(now: number): void {
    for (const [peer, registration] of this.peers) if (registration.expires <= now) this.remove(peer);
  }
}
