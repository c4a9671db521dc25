// The message loop both browser pool workers share (web-pool-worker.ts on libsodium,
// webcrypto-pool-worker.ts on WebCrypto): each job's result goes back to the page, transferred;
// an engine that could not load fails the job as the Worker's 'error' event, so the pool fails
// its jobs with POOL_FAILED instead of leaving them waiting.
import type { JobResult, SignJob, VerifyJob } from './pool-jobs.js';

/** Runs one job: its output (64 bytes per signature, or one byte per verdict). */
export type RunJob = (job: SignJob | VerifyJob) => Uint8Array | Promise<Uint8Array>;

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: { data: SignJob | VerifyJob }) => void): void;
  postMessage(message: JobResult, transfer: ArrayBuffer[]): void;
};

/**
 * Serves the page's jobs with the engine `ready` resolves to. The listener is added at once, so
 * no job posted while the engine loads is missed.
 */
export function serveJobs(ready: Promise<RunJob>): void {
  ready.catch(() => {}); // reported with the first job, below
  scope.addEventListener('message', async ({ data }) => {
    let out: Uint8Array;
    try {
      out = await (await ready)(data);
    } catch (error) {
      // Thrown from a task of its own, it becomes the Worker's 'error' event in the page.
      setTimeout(() => {
        throw error;
      });
      return;
    }
    scope.postMessage({ id: data.id, out }, [out.buffer as ArrayBuffer]);
  });
}
