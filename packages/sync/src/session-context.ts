import type { Logger } from '@discret/log';
import type { RemotePeer, SyncHost } from './host.js';
import type { ItemSetCache } from './item-cache.js';
import type { KeyedLocks } from './keyed-locks.js';
import type { DecodeLimits } from './protocol.js';
import type { Connection } from './transport.js';

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

/** What decoding a message of this session is bounded by. */
export function decodeLimits(limits: SessionLimits): DecodeLimits {
  return { maxRecords: limits.keysPerFetch * 4, keysPerFetch: limits.keysPerFetch };
}

/** What the sessions of one sync service share: handed to each, as js-libp2p hands components. */
export interface SessionContext<Session = unknown> {
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
  ended(session: Session): void;
}

/** What the roles of one session (handshake, puller, responder) see of it. */
export interface SessionCore {
  readonly connection: Connection;
  readonly ctx: SessionContext;
  /** Aborted when the session ends. */
  readonly signal: AbortSignal;
  /** The remote, once its identity is proven; the roles that call it only run after that. */
  peer(): RemotePeer;
  /** The remote if its identity is proven yet, else null. */
  proven(): RemotePeer | null;
  /** Drops the peer for a protocol fault, a timeout or hostile data, saying why in the log. */
  fail(error: unknown): void;
  /** Notes that a request or an answer went by now (see PeerSession.quietFor). */
  touch(): void;
  /**
   * The remote's last change notice brought records this side lacked (news) or only ones it
   * held already (a duplicate): how the link is ranked for eager notices (see PeerSession.lazy).
   */
  noticeWas(news: boolean): void;
}
