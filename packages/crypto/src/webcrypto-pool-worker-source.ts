// Replaced at build time by the bundled WebCrypto pool worker (tooling/build/inline-worker.mjs
// writes dist/webcrypto-pool-worker-source.js). From the sources it is empty, and the pool
// uses WebCrypto on the calling thread.
export const webCryptoPoolWorkerSource: string = '';
