import type { Logger } from '@discret/log';
import type { NodeRecord, RecordBatch, RecordRef, RoomItem } from '@discret/store';
import type { Admission, BlobGet, BlobProof, HostImportReport, RemotePeer, SyncHost, SyncPhase } from '@discret/sync';
import { base64url } from '@discret/crypto';
import type { DiscretComponents } from './components.js';
import type { PeerRules } from './host-checks.js';
import { PeerGate } from './peer-gate.js';
import { RoomExchange } from './room-exchange.js';

export type { PeerRules } from './host-checks.js';

/**
 * Discret's side of synchronisation, in the parts sync's `SyncHost` is made of: the peer gate
 * (admission, identity, peers recorded, meeting tokens: peer-gate.ts), the room exchange (what
 * a remote may read, what is served, how received records are judged: room-exchange.ts), and
 * the events, which go to the app.
 */
export class DiscretSyncHost implements SyncHost {
  private readonly gate: PeerGate;
  private readonly rooms: RoomExchange;

  constructor(
    private readonly parts: DiscretComponents,
    rules: PeerRules,
    log: Logger,
  ) {
    this.gate = new PeerGate(parts, rules, log);
    this.rooms = new RoomExchange(parts, log);
  }

  // ---- admission (peer-gate.ts)
  proveIdentity(challenge: Uint8Array, proverDevice: Uint8Array, verifierDevice: Uint8Array): Uint8Array {
    return this.gate.proveIdentity(challenge, proverDevice, verifierDevice);
  }
  peerRecord(): Promise<NodeRecord> {
    return this.gate.peerRecord();
  }
  inviteClaims(): Promise<Uint8Array[]> {
    return this.gate.inviteClaims();
  }
  admit(remote: RemotePeer, signal: AbortSignal): Promise<Admission> {
    return this.gate.admit(remote, signal);
  }
  learnPeers(room: string, peers: NodeRecord[], remote: RemotePeer): Promise<void> {
    return this.gate.learnPeers(room, peers, remote);
  }
  /** Our meeting tokens, for LAN discovery and beacons. */
  meetingTokens(): Promise<Uint8Array[]> {
    return this.gate.meetingTokens();
  }

  // ---- rooms (room-exchange.ts)
  hasRoom(room: string): Promise<boolean> {
    return this.rooms.hasRoom(room);
  }
  roomsFor(remote: RemotePeer): Promise<string[]> {
    return this.rooms.roomsFor(remote);
  }
  phaseOf(item: RoomItem): SyncPhase {
    return this.rooms.phaseOf(item);
  }
  lacks(room: string, items: RoomItem[]): Promise<RoomItem[]> {
    return this.rooms.lacks(room, items);
  }
  items(room: string, phase: SyncPhase): Promise<RoomItem[]> {
    return this.rooms.items(room, phase);
  }
  countItems(room: string): Promise<number> {
    return this.rooms.countItems(room);
  }
  page(room: string, phase: SyncPhase, cursor: Uint8Array | null, maxBytes: number, sizeOf: (record: unknown) => number) {
    return this.rooms.page(room, phase, cursor, maxBytes, sizeOf);
  }
  read(room: string, refs: readonly RecordRef[]): Promise<Required<RecordBatch>> {
    return this.rooms.read(room, refs);
  }
  import(room: string, phase: SyncPhase, batch: Required<RecordBatch>, remote: RemotePeer, signal: AbortSignal): Promise<HostImportReport> {
    this.parts.live.holdRoom(room); // one live-query update per pull (released by roomSynchronized)
    return this.rooms.import(room, phase, batch, remote, signal);
  }
  roomPeers(room: string): Promise<NodeRecord[]> {
    return this.rooms.roomPeers(room);
  }

  // ---- blobs (blob-service.ts)
  blobRange(get: BlobGet): Promise<BlobProof | null> {
    return this.parts.blobs.blobRange(get);
  }
  blobGroup(get: BlobGet, index: number): Promise<Uint8Array> {
    return this.parts.blobs.blobGroup(get, index);
  }

  // ---- events, to the app
  peerConnected(remote: RemotePeer): void {
    this.parts.events.emit({ type: 'PeerConnected', verifyingKey: base64url(remote.userKey), date: Date.now(), connectionId: remote.connectionId });
  }
  peerDisconnected(remote: RemotePeer): void {
    this.parts.events.emit({ type: 'PeerDisconnected', verifyingKey: base64url(remote.userKey), date: Date.now(), connectionId: remote.connectionId });
  }
  roomSynchronized(room: string): void {
    this.parts.live.releaseRoom(room);
    this.parts.events.emit({ type: 'RoomSynchronized', room });
  }
}
