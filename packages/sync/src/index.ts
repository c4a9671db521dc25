/**
 * @discret/sync for Node — the transport seam of Discret and the pieces of its
 * synchronisation protocol, with Node's parts: LAN discovery by UDP multicast and libp2p over
 * QUIC and TCP. The `browser` export condition gives browser.ts.
 */
import { createLibp2pTransport, type Libp2pTransportOptions } from './libp2p.js';
import { stackLoader } from './libp2p-modules.js';
import type { Transport } from './transport.js';
import { LanDiscovery } from './lan.js';
import type { LanDiscoveryFactory } from './lan-types.js';

export * from './portable.js';
export { LanDiscovery, DEFAULT_MULTICAST_GROUP } from './lan.js';

const loadNodeStack = stackLoader(() => import('./node-libp2p-stack.js').then((m) => m.nodeStack));

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
