// warm(): the pool starts its workers at once instead of at the first batch, each once, and the
// batches after it use them. Workers here are the pool's edge (a spawner that runs the real job
// loop on the calling thread), so the count of starts is visible.
import { describe, expect, test } from '@jest/globals';
import { SigningKey, verify } from '../src/signing.ts';
import { jobRunner, type JobResult, type SignJob, type VerifyJob } from '../src/pool-jobs.ts';
import { noblePrimitives } from '../src/noble-primitives.ts';
import { type PoolWorker, WorkerCryptoPool } from '../src/worker-pool.ts';

function countingSpawner() {
  let started = 0;
  const spawn = (): PoolWorker => {
    started++;
    const run = jobRunner(noblePrimitives);
    let deliver: (result: JobResult) => void = () => {};
    return {
      postMessage: (job: SignJob | VerifyJob) => queueMicrotask(() => deliver(run(job))),
      onMessage: (handler) => {
        deliver = handler;
      },
      onError: () => {},
      hold: () => {},
      terminate: () => undefined,
    };
  };
  return { spawn, started: () => started };
}

describe('a warmed pool', () => {
  test('starts every worker once, at once, and signs with them', async () => {
    const workers = countingSpawner();
    const pool = new WorkerCryptoPool({ parallelism: 3, minBatch: 1 }, workers.spawn);
    expect(workers.started()).toBe(0); // lazily, by default
    pool.warm();
    expect(workers.started()).toBe(3);
    pool.warm();
    const key = SigningKey.generate();
    const messages = Array.from({ length: 9 }, (_, i) => new Uint8Array([i]));
    const signatures = await pool.signAll(key, messages);
    expect(signatures.every((s, i) => verify(key.publicKey, messages[i]!, s))).toBe(true);
    expect(workers.started()).toBe(3);
    await pool.close();
    pool.warm(); // closed: nothing starts
    expect(workers.started()).toBe(3);
  });
});
