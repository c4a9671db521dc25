import type { JobResult } from './pool-jobs.js';
import type { CryptoPool, CryptoPoolOptions } from './pool.js';
import { InlineCryptoPool } from './pool.js';
import { webPoolWorkerSource } from './web-pool-worker-source.js';
import { type PoolWorker, WorkerCryptoPool } from './worker-pool.js';

/** A Web Worker as the pool sees it, started from the bundled worker script (libsodium, ~17x @noble's signing speed). */
function spawnWebWorker(): PoolWorker {
  const url = URL.createObjectURL(new Blob([webPoolWorkerSource], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module', name: 'discret-crypto' });
  URL.revokeObjectURL(url);
  return {
    postMessage: (job, transfer) => worker.postMessage(job, transfer),
    onMessage: (handler) => worker.addEventListener('message', (event: MessageEvent<JobResult>) => handler(event.data)),
    onError: (handler) =>
      worker.addEventListener('error', (event) => {
        event.preventDefault(); // handled: the pool fails the worker's jobs with POOL_FAILED
        handler(new Error(event.message));
      }),
    hold: () => {},
    terminate: () => {
      worker.terminate();
      return undefined;
    },
  };
}

/**
 * The browser's pool: `parallelism` Web Workers (default: the cores the browser reports, less
 * the page's own, at least one), started from an inline script (a Content-Security-Policy must
 * allow `worker-src blob:`). Every batch goes to them, even one message (`minBatch` 1): a
 * round trip to a worker costs less than one signature with the page's @noble. Where there
 * are no workers, or none is wanted (`parallelism: 0`), the calling thread.
 */
export function createWebCryptoPool(options: CryptoPoolOptions = {}): CryptoPool {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 2;
  const parallelism = options.parallelism ?? Math.max(1, cores - 1);
  if (parallelism === 0 || typeof Worker === 'undefined' || !webPoolWorkerSource) return new InlineCryptoPool();
  return new WorkerCryptoPool({ minBatch: 1, ...options, parallelism }, spawnWebWorker);
}
