export type SyncErrorCode =
  /** A frame was malformed, oversized, of an unknown version or unexpected: the connection is closed. */
  | 'PROTOCOL'
  /** The remote did not answer in time. */
  | 'TIMEOUT'
  /** The connection or stream closed. */
  | 'CLOSED'
  /** A dial failed (unreachable address, partition, refused). */
  | 'DIAL_FAILED'
  /** The operation's AbortSignal fired. */
  | 'ABORTED'
  /** The transport is not started, or already stopped. */
  | 'NOT_STARTED'
  /** The remote sent records with a bad signature, a forged key or a malformed shape: it is disconnected. */
  | 'INVALID_DATA'
  /** The remote refused a request (not admitted, a room it does not share with us). */
  | 'REFUSED'
  /** The remote is pulling the same room from us and goes first; we retry later. */
  | 'BUSY';

/** Every failure of @discret/sync. */
export class SyncError extends Error {
  override readonly name = 'SyncError';
  constructor(
    readonly code: SyncErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
