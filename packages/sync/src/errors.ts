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
  | 'NOT_STARTED';

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
