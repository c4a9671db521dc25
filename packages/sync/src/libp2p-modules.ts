import type { Libp2pOptions } from 'libp2p';

type Modules = typeof import('./libp2p-portable-modules.js');

/**
 * What the libp2p transport needs from a runtime: the modules every runtime shares (libp2p,
 * noise, yamux, identify, ping, circuit relay, WebRTC, keys, multiaddr) and the runtime's own
 * direct transports. Node gives QUIC and TCP (node-libp2p-stack.ts); a browser gives
 * WebSockets. Loaded once, on the first start, by the entry point's loader.
 */
export interface Libp2pStack extends Modules {
  /** The transports dialled and listened on without a relay. */
  directTransports(): NonNullable<Libp2pOptions['transports']>;
  /** Listen addresses when the app gives none. */
  defaultListen: readonly string[];
  /** Ends what the WebRTC implementation keeps running once no node uses it (Node's native threads). */
  releaseWebRtc(): void;
}

export type Libp2pStackLoader = () => Promise<Libp2pStack>;

/**
 * A loader that imports a stack once, on the first start (the libp2p modules are hundreds of
 * small modules: importing them at load cost every process 0.6 s), and shares it afterwards.
 */
export function stackLoader(load: () => Promise<Libp2pStack>): Libp2pStackLoader {
  let loading: Promise<Libp2pStack> | undefined;
  return () => (loading ??= load());
}
