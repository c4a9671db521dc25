/**
 * Node's libp2p stack: QUIC first, TCP as the fallback, WebSockets (a beacon listens on `/ws`
 * for browsers; a peer may dial a `/ws` beacon), WebRTC through node-datachannel.
 * Loaded by the Node entry point's `libp2pTransport` on its first start.
 */
import { quic } from '@chainsafe/libp2p-quic';
import { tcp } from '@libp2p/tcp';
import { webSockets } from '@libp2p/websockets';
import { cleanup } from 'node-datachannel';
import type { Libp2pStack } from './libp2p-modules.js';
import * as portable from './libp2p-portable-modules.js';

export const nodeStack: Libp2pStack = {
  ...portable,
  directTransports: () => [quic(), tcp(), webSockets()],
  defaultListen: ['/ip4/0.0.0.0/udp/0/quic-v1', '/ip4/0.0.0.0/tcp/0'],
  // node-datachannel keeps native threads that hold the process open after every libp2p node
  // stopped; its `cleanup()` ends them, for every node of the process at once.
  releaseWebRtc: () => cleanup(),
};
