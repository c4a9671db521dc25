import type { JobResult, WorkerSetup } from './pool-jobs.js';
import type { CryptoPool, CryptoPoolOptions } from './pool.js';
import { InlineCryptoPool } from './pool.js';
import { primitives } from './primitives.js';
import { webPoolWorkerSource } from './web-pool-worker-source.js';
import { type PoolWorker, WorkerCryptoPool } from './worker-pool.js';

/** A Web Worker as the pool sees it, started from the bundled worker script. */
function spawnWebWorker(): PoolWorker {
  const url = URL.createObjectURL(new Blob([webPoolWorkerSource], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module', name: 'discret-crypto' });
  URL.revokeObjectURL(url);
  const setup: WorkerSetup = { backend: primitives().name === 'libsodium' ? 'libsodium' : 'noble' };
  worker.postMessage({ setup });
  return {
    postMessage: (job, transfer) => worker.postMessage(job, transfer),
    onMessage: (handler) => worker.addEventListener('message', (event: MessageEvent<JobResult>) => handler(event.data)),
    onError: (handler) => worker.addEventListener('error', (event) => handler(new Error(event.message))),
    hold: () => {},
    terminate: () => {
      worker.terminate();
      return undefined;
    },
  };
}

/**
 * The browser's pool: `parallelism` Web Workers (default: the cores the browser reports, less
 * the page's own), started from an inline script (a Content-Security-Policy must allow
 * `worker-src blob:`). Where there are no workers, or none is wanted, the calling thread.
 */
export function createWebCryptoPool(options: CryptoPoolOptions = {}): CryptoPool {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  const parallelism = options.parallelism ?? Math.max(0, cores - 1);
  if (parallelism === 0 || typeof Worker === 'undefined' || !webPoolWorkerSource) return new InlineCryptoPool();
  return new WorkerCryptoPool({ ...options, parallelism }, spawnWebWorker);
}
