import type { LiveQuery, LiveQueryHub } from './live-queries.js';

/**
 * A live query as an async iterator: the current result first, then one value per change of
 * the result. Only the latest unseen result is kept (a slow reader skips intermediate ones,
 * never reads two identical ones in a row). Ends when `signal` aborts or the app closes;
 * throws the error of a failed evaluation.
 */
export async function* watchLive<T>(hub: LiveQueryHub, live: LiveQuery<T>, signal?: AbortSignal): AsyncGenerator<T, void, undefined> {
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  let ended = false;
  const end = () => {
    ended = true;
    poke();
  };
  const unsubscribe = live.subscribe(poke);
  const stopWatchingClose = hub.onClose(end);
  signal?.addEventListener('abort', end, { once: true });
  try {
    if (signal?.aborted || hub.closed) return;
    // Unchanged results keep their object (share.ts), so identity tells a new one.
    let seen: T | undefined;
    for (;;) {
      if (ended) return;
      if (live.error !== undefined) throw live.error;
      if (live.current !== undefined && live.current !== seen) {
        seen = live.current;
        yield seen;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    unsubscribe();
    stopWatchingClose();
    signal?.removeEventListener('abort', end);
  }
}
