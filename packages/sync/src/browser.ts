/**
 * @discret/sync for browsers: the protocol and the memory transport. A browser has no
 * multicast, so no LAN discovery; its libp2p stack (WebSockets, WebRTC) is given to
 * `createLibp2pTransport` by the browser runtime.
 */
export * from './portable.js';
