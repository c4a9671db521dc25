export type BeaconErrorCode =
  /** A limit of the beacon was reached (registrations, tokens per peer, peers per token): refused, not queued. */
  | 'LIMIT'
  /** A request that is not shaped as the protocol says. */
  | 'INVALID_REQUEST';

/** Every failure of @discret/beacon. */
export class BeaconError extends Error {
  override readonly name = 'BeaconError';
  constructor(
    readonly code: BeaconErrorCode,
    message: string,
  ) {
    super(message);
  }
}
