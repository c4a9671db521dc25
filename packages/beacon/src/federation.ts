import { base64url, compareBytes, equalBytes, fromBase64url } from '@discret/crypto';
import type { Logger } from '@discret/log';
import { MessageChannel, type Transport } from '@discret/sync';
import { type LinkMessage, linkFromWire, toWire } from './messages.js';

/**
 * Several beacons serving one population: each beacon keeps a link to every other one (a full
 * mesh, listed on each), tells them each registration of its own clients (`mirror`) and each
 * departure (`forget`), and holds theirs in its registry beside its own. A client registered on
 * one beacon is thus introduced to a client registered on another; each beacon introduces only
 * its own clients. Mirrored registrations expire as others do (a client's renewal mirrors
 * again), and all of a link's go when the link drops. What is mirrored is never passed on, so
 * there are no loops. One link per pair: the beacon with the smaller device key dials; the
 * other accepts `federate` only from a device key on its list.
 */
export interface FederatedBeacon {
  /** Its address (a multiaddr ending in its peer id, or `memory:<name>` in simulations). */
  address: string;
  /** Its device key (for a multiaddr, the key of its peer id). */
  deviceKey: Uint8Array;
}

/** What a federation does with what other beacons tell it (the server's registry). */
export interface FederationSink {
  mirrored(entry: string, device: Uint8Array, tokens: Uint8Array[], addresses: string[]): void;
  forgotten(entry: string): void;
}

export interface FederationOptions {
  transport: Transport;
  logger: Logger;
  beacons: readonly FederatedBeacon[];
  /** Our own device key (the smaller key of a pair dials). */
  deviceKey: Uint8Array;
  sink: FederationSink;
}

export class Federation {
  private readonly links = new Map<MessageChannel, string>();
  private stopped = false;
  private nextLink = 0;
  private readonly retryTimers = new Set<ReturnType<typeof setTimeout>>();

  constructor(
    private readonly options: FederationOptions,
    /** The current registrations of our own clients, sent to a link when it opens. */
    private readonly current: () => Iterable<{ device: Uint8Array; tokens: Uint8Array[]; addresses: string[] }>,
  ) {}

  /** Dials the beacons whose device key is greater than ours (they accept; we accept the others). */
  start(): void {
    for (const beacon of this.options.beacons) if (compareBytes(this.options.deviceKey, beacon.deviceKey) < 0) void this.dial(beacon, 1000);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.retryTimers) clearTimeout(timer);
    this.retryTimers.clear();
  }

  /** Links open now (each to another beacon). */
  get linkCount(): number {
    return this.links.size;
  }

  /** The registry-name prefix of each open link's entries (an entry is prefix + base64url device). */
  get linkPrefixes(): Iterable<string> {
    return this.links.values();
  }

  /** Whether `device` is one of our federated beacons (only they may open a link). */
  accepts(device: Uint8Array): boolean {
    return this.options.beacons.some((b) => equalBytes(b.deviceKey, device));
  }

  /** Serves an accepted link (its `federate` already read) until it closes. */
  async serve(channel: MessageChannel): Promise<void> {
    // A link's registry entries are named `~<link>~<base64url device>` (deviceOfEntry reads them back).
    const link = `~${this.nextLink++}~`;
    const entries = new Set<string>();
    this.links.set(channel, link);
    try {
      for (const registration of this.current()) await this.send(channel, { type: 'mirror', ...registration });
      for (;;) {
        const wire = await channel.receive();
        if (wire === null) return;
        const message = linkFromWire(wire);
        if (message.type === 'federate') continue;
        const entry = `${link}${base64url(message.device)}`;
        if (message.type === 'mirror') {
          entries.add(entry);
          this.options.sink.mirrored(entry, message.device, message.tokens, message.addresses);
        } else {
          entries.delete(entry);
          this.options.sink.forgotten(entry);
        }
      }
    } finally {
      this.links.delete(channel);
      for (const entry of entries) this.options.sink.forgotten(entry);
    }
  }

  /** Tells every link: a client of ours registered (or renewed), or left. */
  tell(message: LinkMessage): void {
    for (const channel of this.links.keys()) void this.send(channel, message);
  }

  private async send(channel: MessageChannel, message: LinkMessage): Promise<void> {
    await channel.send(toWire(message)).catch(() => {});
  }

  private async dial(beacon: FederatedBeacon, backoffMs: number): Promise<void> {
    if (this.stopped) return;
    try {
      const connection = await this.options.transport.dial(beacon.address, { signal: AbortSignal.timeout(15_000) });
      const channel = new MessageChannel(await connection.openStream({ signal: AbortSignal.timeout(15_000) }), { logger: this.options.logger, maxFrameBytes: 256 * 1024 });
      await channel.send(toWire({ type: 'federate' }));
      this.options.logger.info({ beacon: beacon.address }, 'federated beacon linked');
      await this.serve(channel);
      await connection.close().catch(() => {});
      backoffMs = 1000;
    } catch (error) {
      this.options.logger.debug({ err: error, beacon: beacon.address }, 'federated beacon unreachable');
    }
    if (this.stopped) return;
    // Retried with jittered backoff.
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer);
      void this.dial(beacon, Math.min(60_000, backoffMs * 2));
    }, backoffMs * (0.5 + Math.random()));
    timer.unref?.();
    this.retryTimers.add(timer);
  }
}

/** The device of a registry entry mirrored over a link (`~<link>~<base64url device>`), or undefined for any other name. */
export function deviceOfEntry(entry: string): Uint8Array | undefined {
  return entry.startsWith('~') ? fromBase64url(entry.slice(entry.lastIndexOf('~') + 1)) : undefined;
}
