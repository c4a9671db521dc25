// Everything of @discret/sync that runs on any JS runtime. The entry points (index.ts for
// Node, browser.ts) add their runtime's parts: LAN discovery and the QUIC/TCP libp2p stack on
// Node.
export { SyncError, type SyncErrorCode } from './errors.js';
export type { AbortOptions, ByteStream, Connection, Transport, TransportInit } from './transport.js';
export { MessageChannel, encodeFrame, decodeMessage, WIRE_VERSION, DEFAULT_MAX_FRAME_BYTES, type WireMessage, type ChannelOptions } from './wire.js';
export { MemoryNetwork, memoryTransport, type MemoryNetworkOptions } from './memory.js';
export { createLibp2pTransport, SYNC_PROTOCOL, type Libp2pTransportOptions, type RelayServerLimits } from './libp2p.js';
export type { Libp2pStack, Libp2pStackLoader } from './libp2p-modules.js';
export {
  ItemSet, Reconciler, compareKeys, FINGERPRINT_BYTES, reconcileToWire, reconcileFromWire,
  type ReconcileItem, type ReconcileMessage, type RangeMessage, type ReconcileOptions, type ReconcileStep, type Bound,
} from './reconcile.js';
export { newChallenge, proveIdentity, checkIdentity, identityProofBytes, CHALLENGE_BYTES } from './identity.js';
export type { Admission, HostImportReport, PeerAdmission, RemotePeer, RoomSink, RoomSource, SyncEvents, SyncHost, SyncPhase } from './host.js';
export { DEFAULT_SESSION_LIMITS, type SessionLimits } from './session-context.js';
export { SyncService, type SyncServiceOptions, type BlobPeer } from './service.js';
export { BlobStreamClient, type BlobSource, type VerifiedGroup } from './blob-transfer.js';
export { MAX_BLOB_WINDOW, type BlobGet, type BlobProof } from './blob-protocol.js';
export { reconcileItem, keysOfBatch, batchWithin, ITEM_KEY_BYTES, type ItemKind } from './items.js';
export { batchToWire, batchFromWire } from './records-wire.js';
export { listenPorts, dialableAddresses, type PortEntry } from './addresses.js';
/** What an entry point offers for finding peers on the local network (Node's UDP multicast). */
export type { LanDiscoveryOptions, LanDiscoveryHooks, LanDiscoveryFactory, PeerDiscovery } from './lan-types.js';
