// Replaced at build time by the bundled database worker (tooling/build/inline-worker.mjs writes
// dist/browser/db-worker-source.js). From the sources it is empty: the browser tests run the
// build.
export const workerSource: string = '';
