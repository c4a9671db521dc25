import { base64url } from '@discret/crypto';
import type { Logger } from '@discret/log';
import { type Connection, dialableAddresses, MessageChannel, SyncError, type Transport } from '@discret/sync';
import { BeaconError } from './errors.js';
import { type RegistryLimits, TokenRegistry } from './registry.js';

/**
 * The beacon's side of the rendezvous protocol, over any `Transport` (the beacon app runs it on
 * libp2p). Each client opens one stream and sends `register {tokens, ports}` (and again to
 * renew); the beacon answers `registered {observed}` and, whenever another client presents one
 * of the same tokens, pushes `introduce {device, addresses}` to both. The addresses are the
 * ones the beacon observed (the client's IP, with the ports it says it listens on), then the
 * client's relayed addresses (`register {relayed}`: its circuit reservations). A client
 * that leaves is forgotten; registrations expire unless renewed.
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
}

interface Client {
  connection: Connection;
  channel: MessageChannel;
  /** base64url device key: the registry's name for this client. */
  name: string;
}

export class BeaconServer {
  readonly registry: TokenRegistry;
  private readonly clients = new Map<string, Client>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly options: BeaconServerOptions) {
    this.registry = new TokenRegistry(options.limits);
  }

  /** Starts answering; the transport must be started by the caller. */
  start(): void {
    this.options.transport.onConnection((connection) => this.accept(connection));
    this.timer = setInterval(() => this.registry.expire(Date.now()), 30_000);
    this.timer.unref?.();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    for (const client of this.clients.values()) void client.connection.close().catch(() => {});
    this.clients.clear();
  }

  get clientCount(): number {
    return this.clients.size;
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
      for (const [name, client] of this.clients) {
        if (client.connection !== connection) continue;
        this.clients.delete(name);
        this.registry.remove(name);
      }
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
      if (message.type !== 'register') throw new SyncError('PROTOCOL', `Unexpected ${message.type}`);
      const body = (message.body ?? {}) as Record<string, unknown>;
      const tokens = Array.isArray(body.tokens) && body.tokens.every((t) => t instanceof Uint8Array) ? (body.tokens as Uint8Array[]) : null;
      const ports = Array.isArray(body.ports) && body.ports.length <= 8 ? (body.ports as unknown[]) : null;
      if (!tokens || !ports) throw new SyncError('PROTOCOL', 'register {tokens, ports}');
      // Registered from now on. A device registered over two connections: the newer one wins.
      const previous = this.clients.get(client.name);
      if (previous && previous.connection !== client.connection) void previous.connection.close().catch(() => {});
      this.clients.set(client.name, client);
      const relayed = Array.isArray(body.relayed)
        ? body.relayed.filter((a): a is string => typeof a === 'string' && a.length < 400 && a.includes('/p2p-circuit')).slice(0, 8)
        : [];
      const addresses = [...observedAddresses(client.connection.remoteAddress, ports), ...relayed];
      try {
        const introductions = this.registry.register(client.name, tokens, addresses, Date.now());
        await client.channel.send({ type: 'registered', body: { observed: client.connection.remoteAddress } });
        for (const intro of introductions) {
          const to = this.clients.get(intro.to);
          if (!to) continue;
          const device = this.clients.get(intro.peer)?.connection.remoteDeviceKey;
          if (!device) continue;
          await to.channel.send({ type: 'introduce', body: { device, addresses: intro.addresses } }).catch(() => {});
        }
      } catch (error) {
        if (!(error instanceof BeaconError)) throw error;
        await client.channel.send({ type: 'refused', body: { code: error.code, message: error.message } });
      }
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
