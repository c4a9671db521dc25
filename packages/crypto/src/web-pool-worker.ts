// The body of a browser pool worker (a Web Worker started from an inline script by web-pool.ts;
// bundled at build time by tooling/build/inline-worker.mjs). It runs libsodium's WebAssembly
// build and nothing else: a page that runs Discret has WebAssembly (its SQLite needs it), so
// there is no slower fallback to ship. If libsodium cannot load, the error reaches the pool,
// which fails the pending jobs with POOL_FAILED instead of leaving them waiting.
import { loadLibsodiumPrimitives } from './libsodium-primitives.js';
import type { SignJob, VerifyJob } from './pool-jobs.js';
import { jobRunner } from './pool-jobs.js';

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: { data: SignJob | VerifyJob }) => void): void;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
};
// Started at once, so the first job does not wait for the whole download; the listener is added
// synchronously, so no job posted while libsodium loads is missed.
const ready = loadLibsodiumPrimitives().then(jobRunner);
ready.catch(() => {}); // reported with the first job, below

scope.addEventListener('message', async ({ data }) => {
  let run: Awaited<typeof ready>;
  try {
    run = await ready;
  } catch (error) {
    // Thrown from a task of its own, it becomes the Worker's 'error' event in the page.
    setTimeout(() => {
      throw error;
    });
    return;
  }
  const result = run(data);
  scope.postMessage(result, [result.out.buffer as ArrayBuffer]);
});
