import type { Logger } from '@discret/log';
import { type Connection, listenPorts, MessageChannel, type Transport } from '@discret/sync';
import { registerToWire, toClientFromWire } from './messages.js';
import { presentedTokens } from './tokens.js';

/**
 * A peer's side of the rendezvous: keeps a registration on one beacon fresh, and reports the
 * peers the beacon introduces. Tokens are presented rotated (tokens.ts). When the beacon goes
 * away it reconnects with backoff (1 s doubling to 60 s) until stopped.
 */
export interface BeaconClientOptions {
  /** The started transport the peer synchronises over (the beacon is dialled through it). */
  transport: Transport;
  /** The beacon's multiaddr, ending in its peer id. */
  address: string;
  logger: Logger;
  /** Time between renewals. Default 4 minutes (the beacon drops registrations after 10). */
  renewMs?: number;
}

export interface BeaconClientHooks {
  /** Our meeting tokens now (presented rotated). */
  tokens(): Promise<Uint8Array[]>;
  /** A peer that holds one of our tokens, at these addresses (as the beacon saw it). */
  found(addresses: string[], deviceKey: Uint8Array): void;
}

export class BeaconClient {
  private stopped = false;
  private connection: Connection | null = null;
  private channel: MessageChannel | null = null;
  private renewTimer: ReturnType<typeof setInterval> | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private backoffMs = 1000;
  /** Settles when the beacon first acknowledged a registration (for callers who wait). */
  registered: Promise<void>;
  private markRegistered!: () => void;

  constructor(
    private readonly options: BeaconClientOptions,
    private readonly hooks: BeaconClientHooks,
  ) {
    this.registered = new Promise((resolve) => (this.markRegistered = resolve));
  }

  start(): void {
    // A relay reservation made (or lost) changes how others reach us: register again.
    this.options.transport.onAddressesChange?.(() => {
      if (!this.stopped) void this.refresh();
    });
    void this.connect();
  }

  /** Registers again now (our tokens changed: an invite, a new peer). */
  async refresh(): Promise<void> {
    const channel = this.channel;
    if (!channel) return;
    const tokens = presentedTokens(await this.hooks.tokens(), Date.now());
    const addresses = this.options.transport.addresses();
    // Our relayed addresses (circuit reservations) go as they are: behind a NAT they are the
    // way in. Direct ones go as ports: the beacon pairs them with the IP it sees.
    const relayed = addresses.filter((a) => a.includes('/p2p-circuit')).slice(0, 8);
    await channel.send(registerToWire({ tokens, ports: listenPorts(addresses), relayed })).catch(() => {});
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.renewTimer) clearInterval(this.renewTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    await this.connection?.close().catch(() => {});
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const connection = await this.options.transport.dial(this.options.address, { signal: AbortSignal.timeout(15_000) });
      this.connection = connection;
      const channel = new MessageChannel(await connection.openStream({ signal: AbortSignal.timeout(15_000) }), { logger: this.options.logger, maxFrameBytes: 64 * 1024 });
      this.channel = channel;
      connection.onClose(() => this.lost());
      await this.refresh();
      this.renewTimer = setInterval(() => void this.refresh(), this.options.renewMs ?? 4 * 60_000);
      this.renewTimer.unref?.();
      this.backoffMs = 1000;
      await this.listen(channel);
    } catch (error) {
      this.options.logger.debug({ err: error, beacon: this.options.address }, 'beacon unreachable');
      this.lost();
    }
  }

  private async listen(channel: MessageChannel): Promise<void> {
    for (;;) {
      const wire = await channel.receive();
      if (wire === null) return this.lost();
      const message = toClientFromWire(wire);
      if (message.type === 'registered') this.markRegistered();
      else if (message.type === 'refused') this.options.logger.warn({ beacon: this.options.address, reason: message.message }, 'the beacon refused our registration');
      else if (message.addresses.length) this.hooks.found(message.addresses, message.device);
    }
  }

  private lost(): void {
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.renewTimer = null;
    this.channel = null;
    this.connection = null;
    if (this.stopped || this.retryTimer) return;
    // Jittered: after a beacon restarts, its clients do not all come back in the same instant.
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, this.backoffMs * (0.5 + Math.random()));
    this.retryTimer.unref?.();
    this.backoffMs = Math.min(60_000, this.backoffMs * 2);
  }
}
