// The body of a Node pool worker thread. It imports its modules by a computed path, so Node
// can run it both from dist/ (.js) and straight from src/ (.ts, by type stripping). The pool
// tells it which primitives the calling thread uses.
import { parentPort, workerData } from 'node:worker_threads';
import type { Primitives } from './primitive-types.js';
import type { SignJob, VerifyJob, WorkerSetup } from './pool-jobs.js';

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const setup = workerData as WorkerSetup;
const { noblePrimitives } = (await import(`./noble-primitives${extension}`)) as typeof import('./noble-primitives.js');
const { loadSodiumPrimitives } = (await import(`./sodium-primitives${extension}`)) as typeof import('./sodium-primitives.js');
const { jobRunner } = (await import(`./pool-jobs${extension}`)) as typeof import('./pool-jobs.js');
const primitives: Primitives = (setup.backend === 'sodium' ? loadSodiumPrimitives() : null) ?? noblePrimitives;
const run = jobRunner(primitives);

parentPort?.on('message', (job: SignJob | VerifyJob) => {
  const result = run(job);
  parentPort!.postMessage(result, [result.out.buffer as ArrayBuffer]);
});
