/**
 * The libp2p modules every runtime shares (each has a browser build). Imported by a stack
 * loader on the first start of a libp2p transport, never when @discret/sync is imported: they
 * are hundreds of small modules, and loading them took 0.6 s of every process start, also of
 * apps and CLI commands that never go online.
 */
export { noise } from '@chainsafe/libp2p-noise';
export { yamux } from '@chainsafe/libp2p-yamux';
export { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
export { peerIdFromPublicKey } from '@libp2p/peer-id';
export { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
export { identify } from '@libp2p/identify';
export { ping } from '@libp2p/ping';
export { webRTC } from '@libp2p/webrtc';
export { multiaddr } from '@multiformats/multiaddr';
export { createLibp2p } from 'libp2p';
