import { equalBytes, SigningKey } from '@discret/crypto';
import type { Logger } from '@discret/log';
import { SyncError } from './errors.js';
import type { AbortOptions, ByteStream, Connection, Transport, TransportInit } from './transport.js';
import { yieldToEventLoop } from './yield.js';

/** Most chunks a memory stream holds for a reader that does not read: writers wait past it. */
const STREAM_BUFFER_CHUNKS = 64;

export interface MemoryNetworkOptions {
  /** Delay of every chunk in one direction, in ms (0: next tick). */
  latencyMs?: number;
  /**
   * Loss: the probability that a write resets its connection (streams are reliable, so a lost
   * packet shows up as a broken connection, as on a real network). Default 0.
   */
  lossRate?: number;
  /** Seed of the loss draws, so a simulation replays the same way. Default 1. */
  seed?: number;
}

/**
 * An in-process network for tests and simulations of many peers: deterministic delivery,
 * injectable latency, and partitions. Transports join it by name (`memory:<name>`); the
 * device key a transport starts with is what its peers see (in-process, so it is trusted).
 */
export class MemoryNetwork {
  readonly latencyMs: number;
  readonly lossRate: number;
  private random: number;
  private readonly nodes = new Map<string, MemoryTransport>();
  /** Pairs of names (sorted, joined by a space) that cannot reach each other. */
  private readonly cuts = new Set<string>();
  private nextId = 0;
  /** What went over this network so far: writes (frames, usually) and bytes, for simulations. */
  readonly stats = { writes: 0, bytes: 0 };

  constructor(options: MemoryNetworkOptions = {}) {
    this.latencyMs = options.latencyMs ?? 0;
    this.lossRate = options.lossRate ?? 0;
    this.random = (options.seed ?? 1) >>> 0 || 1;
  }

  /** @internal Whether this write is lost (xorshift32: deterministic for a seed). */
  lose(): boolean {
    if (this.lossRate <= 0) return false;
    let x = this.random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.random = x >>> 0;
    return this.random / 0x100000000 < this.lossRate;
  }

  /** A transport on this network, reachable at `memory:<name>`. */
  transport(name: string): Transport {
    return new MemoryTransport(this, name);
  }

  /** Cuts every link between the two groups: open connections close, dials fail until heal(). */
  partition(groupA: string[], groupB: string[]): void {
    for (const a of groupA) for (const b of groupB) this.cuts.add(pair(a, b));
    for (const node of this.nodes.values()) node.dropCut();
  }

  /** Removes every partition. */
  heal(): void {
    this.cuts.clear();
  }

  canReach(a: string, b: string): boolean {
    return !this.cuts.has(pair(a, b));
  }

  /** @internal */
  register(node: MemoryTransport): void {
    if (this.nodes.has(node.nodeName)) throw new SyncError('DIAL_FAILED', `memory:${node.nodeName} is already taken`);
    this.nodes.set(node.nodeName, node);
  }

  /** @internal */
  unregister(node: MemoryTransport): void {
    if (this.nodes.get(node.nodeName) === node) this.nodes.delete(node.nodeName);
  }

  /** @internal */
  find(name: string): MemoryTransport | undefined {
    return this.nodes.get(name);
  }

  /** @internal The name of the started transport with this device key. */
  nameOf(deviceKey: Uint8Array): string | undefined {
    for (const [name, node] of this.nodes) if (node.deviceKey && equalBytes(node.deviceKey, deviceKey)) return name;
    return undefined;
  }

  /** @internal */
  connectionId(): string {
    return `mem-${++this.nextId}`;
  }
}

const pair = (a: string, b: string) => (a < b ? `${a} ${b}` : `${b} ${a}`);

/** A transport on a MemoryNetwork: `new MemoryNetwork().transport('alice')`. */
export function memoryTransport(network: MemoryNetwork, name: string): Transport {
  return network.transport(name);
}

class MemoryTransport implements Transport {
  readonly name = 'memory';
  /** @internal */
  get network(): MemoryNetwork {
    return this.net;
  }
  deviceKey: Uint8Array | null = null;
  log: Logger | null = null;
  private readonly handlers: ((connection: Connection) => void)[] = [];
  private readonly connections = new Set<MemoryConnection>();

  constructor(
    private readonly net: MemoryNetwork,
    readonly nodeName: string,
  ) {}

  async start(init: TransportInit): Promise<void> {
    this.deviceKey = new SigningKey(init.deviceSeed).publicKey;
    this.log = init.logger;
    this.net.register(this);
  }

  async stop(): Promise<void> {
    this.net.unregister(this);
    for (const c of [...this.connections]) await c.close();
    this.deviceKey = null;
  }

  addresses(): string[] {
    return this.deviceKey ? [`memory:${this.nodeName}`] : [];
  }

  onConnection(handler: (connection: Connection) => void): void {
    this.handlers.push(handler);
  }

  async dial(address: string, options: AbortOptions = {}): Promise<Connection> {
    options.signal?.throwIfAborted();
    if (!this.deviceKey) throw new SyncError('NOT_STARTED', 'The transport is not started');
    const name = address.startsWith('memory:') ? address.slice(7) : address;
    const remote = this.net.find(name);
    if (!remote?.deviceKey || !this.net.canReach(this.nodeName, name)) throw new SyncError('DIAL_FAILED', `Cannot reach ${address}`);
    // As libp2p does: an open connection to that device is used again, not doubled.
    const open = [...this.connections].find((c) => c.remoteName === name && !c.closed);
    if (open) return open;
    await delay(this.net.latencyMs * 2);
    const id = this.net.connectionId();
    const mine = new MemoryConnection(id, remote.deviceKey, `memory:${name}`, this, name, this.net.latencyMs);
    const theirs = new MemoryConnection(id, this.deviceKey, `memory:${this.nodeName}`, remote, this.nodeName, this.net.latencyMs);
    mine.peer = theirs;
    theirs.peer = mine;
    this.connections.add(mine);
    remote.connections.add(theirs);
    for (const handler of remote.handlers) handler(theirs);
    return mine;
  }

  async dialPeer(deviceKey: Uint8Array, options: AbortOptions = {}): Promise<Connection> {
    const name = this.net.nameOf(deviceKey);
    if (name === undefined) throw new SyncError('DIAL_FAILED', 'No device with that key on this network');
    return this.dial(`memory:${name}`, options);
  }

  /** Closes connections that a new partition cut. */
  dropCut(): void {
    for (const c of [...this.connections]) if (!this.net.canReach(this.nodeName, c.remoteName)) void c.close();
  }

  forget(connection: MemoryConnection): void {
    this.connections.delete(connection);
  }
}

class MemoryConnection implements Connection {
  peer!: MemoryConnection;
  private readonly streamHandlers: ((stream: ByteStream) => void)[] = [];
  private readonly closeHandlers: (() => void)[] = [];
  private readonly streams = new Set<MemoryStream>();
  readonly early: MemoryStream[] = [];
  closed = false;

  constructor(
    readonly id: string,
    readonly remoteDeviceKey: Uint8Array,
    readonly remoteAddress: string,
    private readonly owner: MemoryTransport,
    readonly remoteName: string,
    private readonly latencyMs: number,
  ) {}

  async openStream(options: AbortOptions = {}): Promise<ByteStream> {
    options.signal?.throwIfAborted();
    if (this.closed) throw new SyncError('CLOSED', 'The connection is closed');
    const net = this.owner.network;
    const lose = () => net.lose();
    const count = (bytes: number) => {
      net.stats.writes++;
      net.stats.bytes += bytes;
    };
    const mine = new MemoryStream(this.latencyMs, lose, () => void this.close(), count);
    const theirs = new MemoryStream(this.latencyMs, lose, () => void this.close(), count);
    mine.peer = theirs;
    theirs.peer = mine;
    this.streams.add(mine);
    this.peer.streams.add(theirs);
    if (this.peer.streamHandlers.length) for (const handler of this.peer.streamHandlers) handler(theirs);
    else if (this.peer.early.length < 4) this.peer.early.push(theirs);
    else theirs.abort(new SyncError('CLOSED', 'Nobody reads this stream'));
    return mine;
  }

  onStream(handler: (stream: ByteStream) => void): void {
    this.streamHandlers.push(handler);
    // Streams opened before anyone listened (the remote was faster than our dial() returning).
    for (const stream of this.early.splice(0)) handler(stream);
  }

  onClose(handler: () => void): void {
    this.closeHandlers.push(handler);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.owner.forget(this);
    for (const s of this.streams) s.abort(new SyncError('CLOSED', 'The connection closed'));
    for (const handler of this.closeHandlers) handler();
    await this.peer.close();
  }
}

/** One direction's reader end plus a writer into the peer's; bounded, so writers wait for readers. */
class MemoryStream implements ByteStream {
  peer!: MemoryStream;
  private readonly chunks: Uint8Array[] = [];
  private ended = false;
  private error: Error | null = null;
  private wakeReader: (() => void) | null = null;
  private readonly wakeWriters: (() => void)[] = [];

  constructor(
    private readonly latencyMs: number,
    private readonly lose: () => boolean,
    private readonly reset: () => void,
    private readonly count: (bytes: number) => void,
  ) {}

  async write(bytes: Uint8Array, options: AbortOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    if (this.error) throw this.error;
    if (this.lose()) {
      this.reset();
      throw new SyncError('CLOSED', 'The connection was reset (simulated loss)');
    }
    if (this.peer.ended || this.peer.error) throw new SyncError('CLOSED', 'The stream is closed');
    while (this.peer.chunks.length >= STREAM_BUFFER_CHUNKS) {
      await new Promise<void>((resolve) => this.peer.wakeWriters.push(resolve));
      if (this.error) throw this.error;
    }
    const copy = Uint8Array.from(bytes);
    this.count(copy.length);
    await delay(this.latencyMs);
    this.peer.push(copy);
  }

  private push(chunk: Uint8Array): void {
    if (this.ended || this.error) return;
    this.chunks.push(chunk);
    this.wakeReader?.();
  }

  async close(): Promise<void> {
    await delay(this.latencyMs);
    this.peer.ended = true;
    this.peer.wakeReader?.();
  }

  abort(reason: Error): void {
    for (const s of [this, this.peer]) {
      if (s.error) continue;
      s.error = reason;
      s.wakeReader?.();
      for (const w of s.wakeWriters.splice(0)) w();
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      if (this.chunks.length) {
        yield this.chunks.shift()!;
        this.wakeWriters.shift()?.();
        continue;
      }
      if (this.error) throw this.error;
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
      this.wakeReader = null;
    }
  }
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : yieldToEventLoop();
}
