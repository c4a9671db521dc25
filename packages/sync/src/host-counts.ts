/** What HostCounts needs of a libp2p connection. */
export interface OpenConnection {
  id: string;
  remoteAddr: { toString(): string };
}

/**
 * Open connections per remote host (the IP of their address).
 * Kept up to date on open and close, so a listener's per-IP limit costs O(1) per inbound
 * connection (counting them over all open connections made 2,000 clients quadratic).
 */
export class HostCounts {
  private readonly counts = new Map<string, number>();
  private readonly hosts = new Map<string, string>();

  add(connection: OpenConnection): void {
    const host = hostOf(connection.remoteAddr.toString());
    this.hosts.set(connection.id, host);
    this.counts.set(host, (this.counts.get(host) ?? 0) + 1);
  }

  remove(connection: OpenConnection): void {
    const host = this.hosts.get(connection.id);
    if (host === undefined) return;
    this.hosts.delete(connection.id);
    const left = (this.counts.get(host) ?? 1) - 1;
    if (left > 0) this.counts.set(host, left);
    else this.counts.delete(host);
  }

  count(host: string): number {
    return this.counts.get(host) ?? 0;
  }
}

/** The IP address of a direct multiaddr (`/ip4/1.2.3.4/...`); relayed ones have the relay's. */
export function hostOf(address: string): string {
  return address.split('/')[2] ?? '';
}
