// Replaced at build time by the bundled browser pool worker (tooling/build/inline-worker.mjs writes
// dist/web-pool-worker-source.js). From the sources it is empty, and the pool runs inline.
export const webPoolWorkerSource: string = '';
