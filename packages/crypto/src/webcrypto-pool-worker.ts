// The body of a browser pool worker on the browser's WebCrypto Ed25519 (started by web-pool.ts
// when the page found one with libsodium's verdicts; bundled at build time by
// tooling/build/inline-worker.mjs). WebCrypto runs its work on the calling thread, so in a
// worker it leaves the page's thread free. A few KiB, against ~425 KiB for the libsodium worker.
import { jobMessages, type SignJob, type VerifyJob } from './pool-jobs.js';
import { loadWebCryptoEd25519, type WebCryptoEd25519 } from './webcrypto-ed25519.js';
import { serveJobs } from './web-worker-jobs.js';

async function run(engine: WebCryptoEd25519, job: SignJob | VerifyJob): Promise<Uint8Array> {
  const messages = jobMessages(job);
  if (job.op === 'sign') {
    const out = new Uint8Array(64 * messages.length);
    for (const [i, signature] of (await engine.signAll(job.seed, messages)).entries()) out.set(signature, 64 * i);
    return out;
  }
  const items = messages.map((message, i) => ({
    message, publicKey: job.keys.subarray(32 * i, 32 * i + 32), signature: job.signatures.subarray(64 * i, 64 * i + 64),
  }));
  return Uint8Array.from(await engine.verifyAll(items), (valid) => (valid ? 1 : 0));
}

// Checked again here: a worker's WebCrypto is the page's, but a policy could still differ.
serveJobs(
  loadWebCryptoEd25519().then((engine) => {
    if (!engine) throw new Error("This worker's WebCrypto has no Ed25519 with libsodium's verdicts");
    return (job) => run(engine, job);
  }),
);
