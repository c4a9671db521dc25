// The body of a browser pool worker (a Web Worker started from an inline script by web-pool.ts;
// bundled at build time by tooling/build/inline-worker.mjs). It runs libsodium's WebAssembly
// build and nothing else: a page that runs Discret has WebAssembly (its SQLite needs it), so
// there is no slower fallback to ship. If libsodium cannot load, the pool's jobs fail with
// POOL_FAILED (web-worker-jobs.ts). Loading starts at once, so the first job does not wait for
// the whole download.
import { loadLibsodiumPrimitives } from './libsodium-primitives.js';
import { jobRunner } from './pool-jobs.js';
import { serveJobs } from './web-worker-jobs.js';

serveJobs(
  loadLibsodiumPrimitives().then((primitives) => {
    const run = jobRunner(primitives);
    return (job) => run(job).out;
  }),
);
