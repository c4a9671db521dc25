/**
 * A browser's libp2p stack: WebSockets (to beacons, which listen on `/ws`), and, through the
 * beacon's circuit relay, WebRTC to other browsers and to Node peers. A page cannot listen on
 * a port, so it listens only on the relays (`/p2p-circuit`) and on `/webrtc`. Loaded by the
 * browser entry's `libp2pTransport` on its first start.
 */
import { webSockets } from '@libp2p/websockets';
import type { Libp2pStack } from './libp2p-modules.js';
import * as portable from './libp2p-portable-modules.js';

export const browserStack: Libp2pStack = {
  ...portable,
  directTransports: () => [webSockets()],
  defaultListen: [],
  releaseWebRtc: () => {}, // the browser's own WebRTC ends with its connections
};
