import type { JobResult } from './pool-jobs.js';
import type { CryptoPool, CryptoPoolOptions, SignedMessage } from './pool.js';
import { InlineCryptoPool } from './pool.js';
import type { SigningKey } from './signing.js';
import { loadWebCryptoEd25519, type WebCryptoEd25519 } from './webcrypto-ed25519.js';
import { type PoolWorker, WorkerCryptoPool } from './worker-pool.js';

export interface WebCryptoPoolOptions extends CryptoPoolOptions {
  /** Use the browser's WebCrypto Ed25519 when it has one that passes the self-test (default true); false: always the workers. */
  webCrypto?: boolean;
}

/** Web Workers as the pool sees them, started from one of the bundled worker scripts. */
function webWorkerSpawner(source: string): () => PoolWorker {
  return () => {
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
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
  };
}

/** WebCrypto's Ed25519 on the calling thread, where there are no workers. */
class WebCryptoEnginePool extends InlineCryptoPool {
  constructor(private readonly engine: WebCryptoEd25519) {
    super();
  }
  override async signAll(key: SigningKey, messages: readonly Uint8Array[]): Promise<Uint8Array[]> {
    this.check();
    return this.engine.signAll(key.exportSeed(), messages);
  }
  override async verifyAll(items: readonly SignedMessage[]): Promise<boolean[]> {
    this.check();
    return this.engine.verifyAll(items);
  }
}

let webCrypto: Promise<WebCryptoEd25519 | null> | null = null;

/** Whether pools here sign and verify with WebCrypto's Ed25519 (the runtime has it and it passed the self-test). */
export async function webCryptoInUse(): Promise<boolean> {
  return (await webCryptoEngine()) !== null;
}

/** The runtime's WebCrypto Ed25519, checked once. */
function webCryptoEngine(): Promise<WebCryptoEd25519 | null> {
  webCrypto ??= loadWebCryptoEd25519();
  return webCrypto;
}

/**
 * The browser's pool: `parallelism` Web Workers (default: the cores the browser reports, less
 * the page's own, at least one), started from inline scripts (a Content-Security-Policy must
 * allow `worker-src blob:`), each downloaded only when used:
 * - where the browser's WebCrypto has Ed25519 with libsodium's verdicts (checked once), workers
 *   that call it: native code, ~2x libsodium's WebAssembly, and a script of a few KiB;
 * - elsewhere (or `webCrypto: false`), workers running libsodium's WebAssembly build.
 * Every batch goes to them, even one message (`minBatch` 1): a round trip to a worker costs less
 * than one signature with the page's @noble, and WebCrypto would run on the page's thread.
 * `parallelism: 0`: the calling thread (WebCrypto there when it has it).
 */
export function createWebCryptoPool(options: WebCryptoPoolOptions = {}): CryptoPool {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 2;
  const parallelism = options.parallelism ?? Math.max(1, cores - 1);
  const started = (pool: WorkerCryptoPool): WorkerCryptoPool => {
    if (options.warm) pool.warm();
    return pool;
  };
  const chosen = (async (): Promise<CryptoPool> => {
    const engine = options.webCrypto === false ? null : await webCryptoEngine();
    const workers = parallelism > 0 && typeof Worker !== 'undefined';
    if (engine && workers) {
      const { webCryptoPoolWorkerSource } = await import('./webcrypto-pool-worker-source.js');
      if (webCryptoPoolWorkerSource) return started(new WorkerCryptoPool({ minBatch: 1, ...options, parallelism }, webWorkerSpawner(webCryptoPoolWorkerSource)));
    }
    if (engine) return new WebCryptoEnginePool(engine);
    if (!workers) return new InlineCryptoPool();
    const { webPoolWorkerSource } = await import('./web-pool-worker-source.js');
    if (!webPoolWorkerSource) return new InlineCryptoPool();
    return started(new WorkerCryptoPool({ minBatch: 1, ...options, parallelism }, webWorkerSpawner(webPoolWorkerSource)));
  })();

  return new DeferredPool(parallelism, chosen);
}

/** A pool whose engine is chosen asynchronously; calls wait for the choice. */
class DeferredPool implements CryptoPool {
  constructor(
    readonly parallelism: number,
    private readonly pool: Promise<CryptoPool>,
  ) {}
  async signAll(key: SigningKey, messages: readonly Uint8Array[]): Promise<Uint8Array[]> {
    return (await this.pool).signAll(key, messages);
  }
  async verifyAll(items: readonly SignedMessage[]): Promise<boolean[]> {
    return (await this.pool).verifyAll(items);
  }
  async close(): Promise<void> {
    await (await this.pool).close();
  }
}
