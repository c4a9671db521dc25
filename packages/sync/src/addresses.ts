/**
 * Turning listen multiaddrs into announced ports and back into dialable multiaddrs, as LAN
 * discovery and the beacon both do: a peer announces `[proto, port]` pairs, and whoever hears
 * them pairs them with the IP it saw the announcement come from.
 */
export type PortEntry = [proto: 'tcp' | 'quic', port: number];

/**
 * The TCP and QUIC ports of our direct listen addresses, in listen order, each once. A circuit
 * address (`.../p2p/<relay>/p2p-circuit/...`) is skipped: it carries the relay's port, not ours.
 */
export function listenPorts(addresses: readonly string[], options: { ipv4Only?: boolean; skipLoopback?: boolean } = {}): PortEntry[] {
  const family = options.ipv4Only ? 'ip4' : 'ip[46]';
  const tcpPattern = new RegExp(`^/${family}/([^/]+)/tcp/(\\d+)(/p2p/[^/]+)?$`);
  const quicPattern = new RegExp(`^/${family}/([^/]+)/udp/(\\d+)/quic-v1(/p2p/[^/]+)?$`);
  const out: PortEntry[] = [];
  for (const address of addresses) {
    const tcp = tcpPattern.exec(address);
    const match = tcp ?? quicPattern.exec(address);
    if (!match) continue;
    if (options.skipLoopback && (match[1]!.startsWith('127.') || match[1] === '::1')) continue;
    const entry: PortEntry = [tcp ? 'tcp' : 'quic', Number(match[2])];
    if (!out.some(([p, n]) => p === entry[0] && n === entry[1])) out.push(entry);
  }
  return out;
}

/** Multiaddrs at `ip` for announced `[proto, port]` entries; anything malformed is skipped. */
export function dialableAddresses(family: 'ip4' | 'ip6', ip: string, entries: readonly unknown[]): string[] {
  return entries.flatMap((entry) => {
    if (!Array.isArray(entry)) return [];
    const [proto, port] = entry as [unknown, unknown];
    if (!Number.isInteger(port) || (port as number) <= 0 || (port as number) > 65535) return [];
    if (proto === 'quic') return [`/${family}/${ip}/udp/${port}/quic-v1`];
    if (proto === 'tcp') return [`/${family}/${ip}/tcp/${port}`];
    return [];
  });
}
