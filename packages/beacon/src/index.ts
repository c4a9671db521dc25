/**
 * @discret/beacon — how peers meet over the internet: rotating tokens, the rendezvous registry,
 * the beacon server (run by apps/beacon) and its client. Runs on any runtime: the network is
 * the sync package's Transport.
 */
export { BeaconError, type BeaconErrorCode } from './errors.js';
export { beaconToken, dayOf, presentedTokens, BEACON_TOKEN_BYTES } from './tokens.js';
export { TokenRegistry, DEFAULT_REGISTRY_LIMITS, type Introduction, type RegistryLimits } from './registry.js';
export { BeaconServer, observedAddresses, type BeaconServerOptions } from './server.js';
export type { FederatedBeacon } from './federation.js';
export { BeaconClient, type BeaconClientOptions, type BeaconClientHooks } from './client.js';
