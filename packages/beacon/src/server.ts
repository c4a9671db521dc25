import { base64url, equalBytes } from '@discret/crypto';
import type { Logger } from '@discret/log';
import { type Connection, dialableAddresses, MessageChannel, SyncError, type Transport } from '@discret/sync';
import { BeaconError } from './errors.js';
import { deviceOfEntry, type FederatedBeacon, Federation } from './federation.js';
import { type Introduction, type RegistryLimits, TokenRegistry } from './registry.js';
import { linkFromWire, registerFromWire, type ToClient, toWire } from './messages.js';

/**
 * The beacon's side of the rendezvous protocol, over any `Transport` (the beacon app runs it on
 * libp2p). Each client opens one stream and sends `register {tokens, ports}` (and again to
 * renew); the beacon answers `registered {observed}` and, whenever another client presents one
 * of the same tokens, pushes `introduce {device, addresses}` to both. The addresses are the
 * ones the beacon observed (the client's IP, with the ports it says it listens on), then the
 * client's relayed addresses (`register {relayed}`: its circuit reservations). A client
 * that leaves is forgotten; registrations expire unless renewed. With `federation`, several
 * beacons serve one population (federation.ts).
 */
export interface BeaconServerOptions {
  transport: Transport;
  logger: Logger;
  limits?: Partial<RegistryLimits>;
  /** Clients connected at once; more are refused. Default 10,000. */
  maxClients?: number;
  /**
   * A new connection must register within this time (default 30 s), and a registered one
   * renew within its time-to-live; a silent one is closed, so it cannot hold a connection.
   */
  registerWithinMs?: number;
  /** Other beacons serving the same population (each lists all the others), and our own device key. */
  federation?: { beacons: readonly FederatedBeacon[]; deviceKey: Uint8Array };
}

interface Client {
  connection: Connection;
  channel: MessageChannel;
  /** base64url device key: the registry's name for this client. */
  name: string;
}

/** A client's current registration, as federated beacons are told it. */
interface Mirror {
  device: Uint8Array;
  tokens: Uint8Array[];
  addresses: string[];
}

export class BeaconServer {
  readonly registry: TokenRegistry;
  private readonly clients = new Map<string, Client>();
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Our clients' registrations, for federated beacons that link later. */
  private readonly mirrors = new Map<string, Mirror>();
  private readonly federation: Federation | null;

  constructor(private readonly options: BeaconServerOptions) {
    this.registry = new TokenRegistry(options.limits);
    const federation = options.federation;
    this.federation = federation?.beacons.length
      ? new Federation(
          {
            transport: options.transport, logger: options.logger, beacons: federation.beacons, deviceKey: federation.deviceKey,
            sink: { mirrored: (entry, device, tokens, addresses) => this.mirrored(entry, device, tokens, addresses), forgotten: (entry) => this.registry.remove(entry) },
          },
          () => this.mirrors.values(),
        )
      : null;
  }

  /** Starts answering; the transport must be started by the caller. */
  start(): void {
    this.options.transport.onConnection((connection) => this.accept(connection));
    this.timer = setInterval(() => this.registry.expire(Date.now()), 30_000);
    this.timer.unref?.();
    this.federation?.start();
  }

  stop(): void {
    this.federation?.stop();
    if (this.timer) clearInterval(this.timer);
    for (const client of this.clients.values()) void client.connection.close().catch(() => {});
    this.clients.clear();
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Links open now to federated beacons (for metrics: each should be up). */
  get federatedLinks(): number {
    return this.federation?.linkCount ?? 0;
  }

  private accept(connection: Connection): void {
    if (this.clients.size >= (this.options.maxClients ?? 10_000)) {
      this.options.logger.warn({ connection: connection.id }, 'too many clients: refused');
      void connection.close();
      return;
    }
    let served = false;
    connection.onStream((stream) => {
      if (served) {
        stream.abort(new SyncError('PROTOCOL', 'One stream per client'));
        return;
      }
      served = true;
      const client: Client = { connection, channel: new MessageChannel(stream, { logger: this.options.logger, maxFrameBytes: 64 * 1024 }), name: base64url(connection.remoteDeviceKey) };
      void this.serve(client).catch((error) => {
        // A client that breaks the protocol is let go at once: it holds no connection here.
        this.options.logger.debug({ err: error, connection: connection.id }, 'client dropped');
        void connection.close().catch(() => {});
      });
    });
    connection.onClose(() => {
      const name = base64url(connection.remoteDeviceKey);
      // Only if this connection is the device's current one (a newer one replaced it otherwise).
      if (this.clients.get(name)?.connection !== connection) return;
      this.clients.delete(name);
      this.registry.remove(name);
      if (this.mirrors.delete(name)) this.federation?.tell({ type: 'forget', device: connection.remoteDeviceKey });
    });
  }

  private async serve(client: Client): Promise<void> {
    for (let first = true; ; first = false) {
      const timeoutMs = first ? (this.options.registerWithinMs ?? 30_000) : this.registry.limits.ttlMs;
      const message = await client.channel.receive({ timeoutMs });
      if (message === null) {
        await client.connection.close();
        return;
      }
      if (first && message.type === 'federate') {
        if (!this.federation?.accepts(client.connection.remoteDeviceKey)) throw new SyncError('PROTOCOL', 'Not a federated beacon');
        linkFromWire(message);
        await this.federation.serve(client.channel);
        await client.connection.close();
        return;
      }
      const { tokens, ports, relayed } = registerFromWire(message);
      // Registered from now on. A device registered over two connections: the newer one wins.
      const previous = this.clients.get(client.name);
      if (previous && previous.connection !== client.connection) void previous.connection.close().catch(() => {});
      this.clients.set(client.name, client);
      const addresses = [...observedAddresses(client.connection.remoteAddress, ports), ...relayed];
      // Registered here too: what federated beacons told us of this device goes (one entry per
      // device, so a device on several beacons does not count twice against maxPeersPerToken).
      for (const link of this.federation?.linkPrefixes ?? []) this.registry.remove(link + client.name);
      try {
        const introductions = this.registry.register(client.name, tokens, addresses, Date.now());
        await this.sendTo(client, { type: 'registered', observed: client.connection.remoteAddress });
        await this.introduce(introductions);
        const mirror = { device: client.connection.remoteDeviceKey, tokens, addresses };
        this.mirrors.set(client.name, mirror);
        this.federation?.tell({ type: 'mirror', ...mirror });
      } catch (error) {
        if (!(error instanceof BeaconError)) throw error;
        await this.sendTo(client, { type: 'refused', code: error.code, message: error.message });
      }
    }
  }

  /** Sends each introduction whose recipient is a client of ours (a federated beacon tells its own). */
  private async introduce(introductions: Introduction[]): Promise<void> {
    for (const intro of introductions) {
      const to = this.clients.get(intro.to);
      const device = this.deviceOf(intro.peer);
      // Not to itself: a client registered here and on a federated beacon holds its own tokens twice.
      if (!to || !device || equalBytes(device, to.connection.remoteDeviceKey)) continue;
      await this.sendTo(to, { type: 'introduce', device, addresses: [...intro.addresses] });
    }
  }

  private deviceOf(entry: string): Uint8Array | undefined {
    return this.clients.get(entry)?.connection.remoteDeviceKey ?? deviceOfEntry(entry);
  }

  private async sendTo(client: Client, message: ToClient): Promise<void> {
    await client.channel.send(toWire(message)).catch(() => {});
  }

  /** A registration a federated beacon told us: held beside ours, and introduced to our clients. */
  private mirrored(entry: string, device: Uint8Array, tokens: Uint8Array[], addresses: string[]): void {
    // A client of ours as well: its own registration here stands for it.
    if (this.clients.has(base64url(device))) return;
    try {
      void this.introduce(this.registry.register(entry, tokens, addresses, Date.now()));
    } catch (error) {
      // Past a limit here: that beacon's client is simply not met through us.
      if (!(error instanceof BeaconError)) throw error;
      this.options.logger.debug({ err: error }, 'mirrored registration refused');
    }
  }
}

/** The client's IP as the beacon saw it, with each port it says it listens on. */
export function observedAddresses(remoteAddress: string, ports: readonly unknown[]): string[] {
  // The in-memory network: a remote address is its dialable name (simulations of many peers).
  if (remoteAddress.startsWith('memory:')) return [remoteAddress];
  const ip = /^\/(ip[46])\/([^/]+)\//.exec(remoteAddress);
  return ip ? dialableAddresses(ip[1] as 'ip4' | 'ip6', ip[2]!, ports) : [];
}
