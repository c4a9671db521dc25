/**
 * @discret/sync for Node — the transport seam of Discret and the pieces of its
 * synchronisation protocol, with Node's parts: LAN discovery by UDP multicast and libp2p over
 * QUIC and TCP. The `browser` export condition gives browser.ts.
 */
import { createLibp2pTransport, type Libp2pTransportOptions } from './libp2p.js';
import type { Libp2pStack } from './libp2p-modules.js';
import type { Transport } from './transport.js';
import { LanDiscovery } from './lan.js';
import type { LanDiscoveryFactory } from './lan-types.js';

export * from './portable.js';
export { LanDiscovery, DEFAULT_MULTICAST_GROUP } from './lan.js';

let loading: Promise<Libp2pStack> | undefined;
const loadNodeStack = async (): Promise<Libp2pStack> => {
  loading ??= import('./node-libp2p-stack.js').then((m) => m.nodeStack);
  return loading;
};

/**
 * The default transport on Node: libp2p 3 with QUIC first and TCP + noise + yamux as the
 * fallback, identify and ping, circuit relay and WebRTC through the beacons.
 */
export function libp2pTransport(options: Libp2pTransportOptions = {}): Transport {
  return createLibp2pTransport(options, loadNodeStack);
}

/** LAN discovery on Node: multicast announcements of meeting tokens. */
export const lanDiscovery: LanDiscoveryFactory = {
  reachable: (addresses) => LanDiscovery.reachable(addresses),
  create: (options) => new LanDiscovery(options),
};
