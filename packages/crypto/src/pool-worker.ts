// The body of a ThreadCryptoPool worker thread. It imports the primitives by a computed path,
// so Node can run it both from dist/ (.js) and straight from src/ (.ts, by type stripping).
// The pool tells it which primitives the calling thread uses.
import { parentPort, workerData } from 'node:worker_threads';
import type { Primitives } from './primitive-types.js';

export interface WorkerSetup {
  backend: 'sodium' | 'noble';
}
export interface SignJob {
  id: number;
  op: 'sign';
  seed: Uint8Array;
  /** The messages, back to back; message i is data[offsets[i] .. offsets[i + 1]). */
  data: Uint8Array;
  offsets: Uint32Array;
}
export interface VerifyJob {
  id: number;
  op: 'verify';
  data: Uint8Array;
  offsets: Uint32Array;
  /** 32 bytes per message. */
  keys: Uint8Array;
  /** 64 bytes per message. */
  signatures: Uint8Array;
}
export interface JobResult {
  id: number;
  /** sign: 64 bytes per message; verify: one byte per message, 1 when valid. */
  out: Uint8Array;
}

const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
const setup = workerData as WorkerSetup;
const { noblePrimitives } = (await import(`./noble-primitives${extension}`)) as typeof import('./noble-primitives.js');
const { loadSodiumPrimitives } = (await import(`./sodium-primitives${extension}`)) as typeof import('./sodium-primitives.js');
const primitives: Primitives = (setup.backend === 'sodium' ? loadSodiumPrimitives() : null) ?? noblePrimitives;

let cachedSeed: Uint8Array | null = null;
let cachedSecret: Uint8Array | null = null;

function secretFor(seed: Uint8Array): Uint8Array {
  if (cachedSeed && cachedSecret && cachedSeed.length === seed.length && cachedSeed.every((b, i) => b === seed[i])) return cachedSecret;
  cachedSeed = Uint8Array.from(seed);
  cachedSecret = primitives.signingKeyPair(seed).secretKey;
  return cachedSecret;
}

function sign(job: SignJob): Uint8Array {
  const n = job.offsets.length - 1;
  const out = new Uint8Array(64 * n);
  const secret = secretFor(job.seed);
  for (let i = 0; i < n; i++) {
    out.set(primitives.sign(job.data.subarray(job.offsets[i]!, job.offsets[i + 1]!), secret), 64 * i);
  }
  return out;
}

function verify(job: VerifyJob): Uint8Array {
  const n = job.offsets.length - 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const message = job.data.subarray(job.offsets[i]!, job.offsets[i + 1]!);
    const key = job.keys.subarray(32 * i, 32 * i + 32);
    const signature = job.signatures.subarray(64 * i, 64 * i + 64);
    out[i] = primitives.verify(signature, message, key) ? 1 : 0;
  }
  return out;
}

parentPort?.on('message', (job: SignJob | VerifyJob) => {
  const out = job.op === 'sign' ? sign(job) : verify(job);
  const result: JobResult = { id: job.id, out };
  parentPort!.postMessage(result, [out.buffer as ArrayBuffer]);
});
