/**
 * @discret/beacon — how peers meet over the internet: rotating tokens, and the beacon's
 * rendezvous as pure logic. The beacon server (apps/beacon), the client and the relay come next.
 */
export { BeaconError, type BeaconErrorCode } from './errors.js';
export { beaconToken, dayOf, presentedTokens, BEACON_TOKEN_BYTES } from './tokens.js';
export { TokenRegistry, DEFAULT_REGISTRY_LIMITS, type Introduction, type RegistryLimits } from './registry.js';
export { BeaconServer, observedAddresses, type BeaconServerOptions } from './server.js';
export { BeaconClient, type BeaconClientOptions, type BeaconClientHooks } from './client.js';
