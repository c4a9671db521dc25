// What the pool's workers do, on any runtime: the jobs, their results, and the loop that runs
// one job with a runtime's primitives. Imports only types, so a Node worker can load it from
// dist/ (.js) and src/ (.ts, by type stripping) alike.
import type { Primitives } from './primitive-types.js';

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
/** Which primitives a Node worker uses: the ones the calling thread uses (same verdicts, same bytes). */
export interface WorkerSetup {
  backend: 'sodium' | 'noble';
}

/** Runs jobs with `primitives`, keeping the last signing key's secret for the next job. */
export function jobRunner(primitives: Primitives): (job: SignJob | VerifyJob) => JobResult {
  let cachedSeed: Uint8Array | null = null;
  let cachedSecret: Uint8Array | null = null;
  const secretFor = (seed: Uint8Array): Uint8Array => {
    if (cachedSeed && cachedSecret && cachedSeed.length === seed.length && cachedSeed.every((b, i) => b === seed[i])) return cachedSecret;
    cachedSeed = Uint8Array.from(seed);
    cachedSecret = primitives.signingKeyPair(seed).secretKey;
    return cachedSecret;
  };
  const sign = (job: SignJob): Uint8Array => {
    const n = job.offsets.length - 1;
    const out = new Uint8Array(64 * n);
    const secret = secretFor(job.seed);
    for (let i = 0; i < n; i++) out.set(primitives.sign(job.data.subarray(job.offsets[i]!, job.offsets[i + 1]!), secret), 64 * i);
    return out;
  };
  const verify = (job: VerifyJob): Uint8Array => {
    const n = job.offsets.length - 1;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const message = job.data.subarray(job.offsets[i]!, job.offsets[i + 1]!);
      out[i] = primitives.verify(job.signatures.subarray(64 * i, 64 * i + 64), message, job.keys.subarray(32 * i, 32 * i + 32)) ? 1 : 0;
    }
    return out;
  };
  return (job) => ({ id: job.id, out: job.op === 'sign' ? sign(job) : verify(job) });
}

/** The messages of a job, as views into its buffer. */
export function jobMessages(job: SignJob | VerifyJob): Uint8Array[] {
  return Array.from({ length: job.offsets.length - 1 }, (_, i) => job.data.subarray(job.offsets[i]!, job.offsets[i + 1]!));
}
