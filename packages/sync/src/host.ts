import type { NodeRecord, RecordBatch, RecordRef, RoomItem } from '@discret/store';
import type { BlobSource } from './blob-transfer.js';

/** The two parts of a room, synchronised in this order: rights before data. */
export type SyncPhase = 'definition' | 'data';

/** A remote device whose user key was proven on this connection. */
export interface RemotePeer {
  connectionId: string;
  /** The remote install's device key (proven by the transport). */
  deviceKey: Uint8Array;
  /** The remote user's verifying key (proven by the identity challenge). */
  userKey: Uint8Array;
  /** The remote user's `sys.Peer` row, signed by `userKey`. */
  peer: NodeRecord;
  /** Invite ids the remote presented in its hello (it was invited, and says by which invite). */
  invites: Uint8Array[];
}

export type Admission = { allowed: true } | { allowed: false; reason: string };

/** What an import of received records did (as the store reports it). */
export interface HostImportReport {
  applied: number;
  ignored: number;
  /** Rows refused alone (no right at their date, unknown entity...). */
  rejected: number;
}

/**
 * Who may connect, in the host's eyes: the identity this side proves, and the decision about
 * a proven remote. What a session's handshake needs.
 */
export interface PeerAdmission {
  /** Signs an identity challenge with the user key (see identity.ts). */
  proveIdentity(challenge: Uint8Array, proverDevice: Uint8Array, verifierDevice: Uint8Array): Uint8Array;
  /** This user's `sys.Peer` row, sent with the proof. */
  peerRecord(): Promise<NodeRecord>;
  /** Ids of the invites this install accepted and has not yet met the inviter of. */
  inviteClaims(): Promise<Uint8Array[]>;
  /**
   * Checks the proven remote's `sys.Peer` row and decides whether it may synchronise; records
   * pending peers and hardware, consumes invites. Called once per connection.
   */
  admit(remote: RemotePeer, signal: AbortSignal): Promise<Admission>;
}

/** What this side serves of its rooms: what the responder reads. */
export interface RoomSource {
  /** Ids (base64url) of the rooms this remote may read. */
  roomsFor(remote: RemotePeer): Promise<string[]>;
  /** How many records of the room this side holds (cheap: counted, not listed). */
  countItems(room: string): Promise<number>;
  /** A room's items of one phase, without payloads. */
  items(room: string, phase: SyncPhase): Promise<RoomItem[]>;
  /**
   * A page of a room phase's records from `cursor` (null: the start), about `maxBytes` by
   * `sizeOf`, and the next cursor (null at the end): how a side with nothing gets a room.
   */
  page(room: string, phase: SyncPhase, cursor: Uint8Array | null, maxBytes: number, sizeOf: (record: unknown) => number): Promise<{ batch: Required<RecordBatch>; next: Uint8Array | null }>;
  /** Records by reference, only those of the room. */
  read(room: string, refs: readonly RecordRef[]): Promise<Required<RecordBatch>>;
  /** The `sys.Peer` rows of the room's members that we know, for a remote that synchronised the room. */
  roomPeers(room: string): Promise<NodeRecord[]>;
}

/** What this side takes in from a remote's rooms: what the puller writes through. */
export interface RoomSink {
  /** True when this install knows the room (its definition was accepted). */
  hasRoom(room: string): Promise<boolean>;
  /** Which phase an item belongs to (its entity is a room structure entity, or not). */
  phaseOf(item: RoomItem): SyncPhase;
  /** The items (announced by a peer for the live path) we lack. */
  lacks(room: string, items: RoomItem[]): Promise<RoomItem[]>;
  /**
   * Imports records received for a room. Throws a SyncError INVALID_DATA if any record has a
   * bad signature or shape (nothing of the batch is stored, the peer is dropped); rows refused
   * for rights are counted in the report and logged, the rest is stored.
   */
  import(room: string, phase: SyncPhase, batch: Required<RecordBatch>, remote: RemotePeer, signal: AbortSignal): Promise<HostImportReport>;
  /**
   * Peers of a room learned from a remote: members we never met are recorded (pending, unless
   * the app allows new peers at once). The host checks each row's signature and membership.
   */
  learnPeers(room: string, peers: NodeRecord[], remote: RemotePeer): Promise<void>;
}

/** Told when a connection's remote was admitted, when it left, and after each room sync. */
export interface SyncEvents {
  peerConnected?(remote: RemotePeer): void;
  peerDisconnected?(remote: RemotePeer): void;
  roomSynchronized?(room: string, remote: RemotePeer, report: HostImportReport): void;
}

/**
 * What sync needs from the app's database and rules, in four parts as js-libp2p splits its
 * components: admission (the handshake), the room source (the responder), the room sink (the
 * puller), and events. Core implements it over its store and rooms; tests can implement it in
 * memory. Sync decides nothing about rights itself: it asks. A host that holds blobs serves
 * them (`BlobSource`).
 */
export interface SyncHost extends PeerAdmission, RoomSource, RoomSink, SyncEvents, Partial<BlobSource> {}
