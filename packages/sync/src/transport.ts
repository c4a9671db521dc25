import type { Logger } from '@discret/log';

/** Options of every async call that may wait on the network. */
export interface AbortOptions {
  signal?: AbortSignal;
}

/**
 * A bidirectional stream of bytes between two devices, in order and reliable. The sync
 * protocol frames its messages on it (see `MessageChannel`); a transport only moves bytes.
 */
export interface ByteStream extends AsyncIterable<Uint8Array> {
  /** Sends bytes; resolves when the transport accepted them (waits while its buffer is full). */
  write(bytes: Uint8Array, options?: AbortOptions): Promise<void>;
  /** Ends this side gracefully: the remote reads what was sent, then the end. */
  close(options?: AbortOptions): Promise<void>;
  /** Ends both sides at once, dropping what is in flight. */
  abort(reason: Error): void;
}

/** An authenticated connection to one remote device. */
export interface Connection {
  /** Unique per connection (for events and logs). */
  readonly id: string;
  /** The remote device's ed25519 public key, proven by the transport's handshake. */
  readonly remoteDeviceKey: Uint8Array;
  /** How the remote was reached, as text (a multiaddr, or `memory:<name>`). */
  readonly remoteAddress: string;
  /** Opens a new stream to the remote. */
  openStream(options?: AbortOptions): Promise<ByteStream>;
  /** Called with each stream the remote opens. */
  onStream(handler: (stream: ByteStream) => void): void;
  /** Called once when the connection closes, whoever closed it. */
  onClose(handler: () => void): void;
  close(options?: AbortOptions): Promise<void>;
}

/** What a transport is started with: the shared parts of the Discret instance. */
export interface TransportInit {
  /** 32-byte seed of this install's ed25519 device key: the transport's identity. */
  deviceSeed: Uint8Array;
  logger: Logger;
}

/**
 * The network seam, as js-libp2p separates interfaces from implementations: sync runs
 * unchanged over `libp2pTransport()` (real sockets) and `memoryTransport()` (in process).
 */
export interface Transport {
  /** A name for logs (`libp2p`, `memory`). */
  readonly name: string;
  start(init: TransportInit, options?: AbortOptions): Promise<void>;
  stop(options?: AbortOptions): Promise<void>;
  /** Addresses others can dial, once started. */
  addresses(): string[];
  /** Connects to a device at an address; the connection is authenticated. */
  dial(address: string, options?: AbortOptions): Promise<Connection>;
  /**
   * Connects to a device by its device key, at an address the transport already knows for it
   * (libp2p: its peer store, filled by earlier connections and identify). DIAL_FAILED when it
   * knows none.
   */
  dialPeer(deviceKey: Uint8Array, options?: AbortOptions): Promise<Connection>;
  /** Called with each connection another device opens to this one. */
  onConnection(handler: (connection: Connection) => void): void;
  /**
   * Relays to be reachable through (called before start; transports without relays ignore it).
   * `only`: through the relays alone, never a direct connection (this device's address stays private).
   */
  useRelays?(addresses: string[], options?: { only?: boolean }): void;
  /** Called when `addresses()` changes (a relay reservation made or lost). */
  onAddressesChange?(handler: () => void): void;
}
