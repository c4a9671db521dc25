/**
 * @discret/sync for browsers: the protocol, the memory transport, and libp2p over WebSockets
 * and WebRTC through the beacons' relays. A browser has no multicast, so no LAN discovery:
 * peers meet through beacons (and invites).
 */
import { createLibp2pTransport, type Libp2pTransportOptions } from './libp2p.js';
import { stackLoader } from './libp2p-modules.js';
import type { Transport } from './transport.js';

export * from './portable.js';

const loadBrowserStack = stackLoader(() => import('./browser-libp2p-stack.js').then((m) => m.browserStack));

/** The browser's libp2p transport: WebSockets to the beacons, WebRTC through their relays. */
export function libp2pTransport(options: Libp2pTransportOptions = {}): Transport {
  return createLibp2pTransport(options, loadBrowserStack);
}
