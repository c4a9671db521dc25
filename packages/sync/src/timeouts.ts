import { SyncError } from './errors.js';

/** `promise`, or TIMEOUT after `ms`, or CLOSED when `signal` aborts first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string, signal: AbortSignal): Promise<T> {
  const deadline = AbortSignal.timeout(ms);
  const stop = AbortSignal.any([deadline, signal]);
  let onAbort: (() => void) | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        onAbort = () => reject(deadline.aborted ? new SyncError('TIMEOUT', `No ${what} within ${ms} ms`) : new SyncError('CLOSED', `closed while waiting for ${what}`));
        if (stop.aborted) onAbort();
        else stop.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    if (onAbort) stop.removeEventListener('abort', onAbort);
  }
}
