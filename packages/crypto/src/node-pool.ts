import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { CryptoPool, CryptoPoolOptions } from './pool.js';
import type { JobResult, WorkerSetup } from './pool-jobs.js';
import { primitives } from './primitives.js';
import { startWorker } from './worker.js';
import { type PoolWorker, WorkerCryptoPool } from './worker-pool.js';

/** dist/pool-worker.js when running the build, src/pool-worker.ts when running the sources. */
function workerFile(): URL {
  const js = new URL('./pool-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  return new URL('./pool-worker.ts', import.meta.url);
}

/** A worker thread as the pool sees it; it uses the primitives the calling thread uses. */
function spawnThread(): PoolWorker {
  const workerData: WorkerSetup = { backend: primitives().name === 'sodium' ? 'sodium' : 'noble' };
  const worker = startWorker(workerFile(), { workerData });
  return {
    postMessage: (job, transfer) => worker.postMessage(job, transfer),
    onMessage: (handler) => void worker.on('message', (result: JobResult) => handler(result)),
    onError: (handler) => void worker.on('error', handler),
    hold: (held) => (held ? worker.ref() : worker.unref()),
    terminate: () => worker.terminate(),
  };
}

/** Node's pool: `parallelism` worker threads (default: the available cores). */
export function createNodeCryptoPool(options: CryptoPoolOptions = {}): CryptoPool {
  const pool = new WorkerCryptoPool({ ...options, parallelism: options.parallelism ?? availableParallelism() }, spawnThread);
  if (options.warm) pool.warm();
  return pool;
}
