// The body of a browser pool worker (a Web Worker started from an inline script by web-pool.ts;
// bundled at build time by tooling/build/inline-worker.mjs). Its first message says which
// primitives the page uses; libsodium's WebAssembly build when it loads, @noble otherwise.
import { libsodiumOrNoble } from './libsodium-or-noble.js';
import type { SignJob, VerifyJob, WorkerSetup } from './pool-jobs.js';
import { jobRunner } from './pool-jobs.js';

type Message = { setup: WorkerSetup } | SignJob | VerifyJob;

const scope = globalThis as unknown as {
  addEventListener(type: 'message', listener: (event: { data: Message }) => void): void;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
};
let run: Promise<ReturnType<typeof jobRunner>> | null = null;

scope.addEventListener('message', async ({ data }) => {
  if ('setup' in data) {
    run = libsodiumOrNoble(data.setup.backend === 'libsodium').then(jobRunner);
    return;
  }
  const result = (await run!)(data);
  scope.postMessage(result, [result.out.buffer as ArrayBuffer]);
});
