// The body of a CryptoPool worker thread. It imports only packages, and the verification rule
// by a computed path, so Node can run it both from dist/ (.js) and straight from src/ (.ts,
// by type stripping).
// It follows DISCRET_CRYPTO like the main thread: workers inherit the environment.
import { createRequire } from 'node:module';
import { parentPort } from 'node:worker_threads';
import { ed25519 } from '@noble/curves/ed25519.js';

type Sodium = typeof import('sodium-native');

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

const sodium: Sodium | null = (() => {
  if (process.env.DISCRET_CRYPTO === 'noble') return null;
  try {
    return createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return null;
  }
})();

// The same rule as the main thread's verify() (ed25519-rule.ts), never noble's defaults.
const ruleFile = import.meta.url.endsWith('.ts') ? './ed25519-rule.ts' : './ed25519-rule.js';
const { makeVerifier } = (await import(ruleFile)) as typeof import('./ed25519-rule.js');
const verifyRule = makeVerifier(sodium);

let cachedSeed: Buffer | null = null;
let cachedSecret: Buffer | null = null;

function secretFor(seed: Uint8Array): Buffer {
  if (cachedSeed && cachedSecret && cachedSeed.equals(seed)) return cachedSecret;
  const pk = Buffer.alloc(32);
  const sk = Buffer.alloc(64);
  sodium!.crypto_sign_seed_keypair(pk, sk, Buffer.from(seed));
  cachedSeed = Buffer.from(seed);
  cachedSecret = sk;
  return sk;
}

function buf(view: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(view.buffer, view.byteOffset + start, end - start);
}

function sign(job: SignJob): Uint8Array {
  const n = job.offsets.length - 1;
  const out = Buffer.alloc(64 * n);
  const secret = sodium ? secretFor(job.seed) : null;
  for (let i = 0; i < n; i++) {
    const message = buf(job.data, job.offsets[i]!, job.offsets[i + 1]!);
    if (secret) sodium!.crypto_sign_detached(out.subarray(64 * i, 64 * i + 64), message, secret);
    else out.set(ed25519.sign(message, job.seed), 64 * i);
  }
  return out;
}

function verify(job: VerifyJob): Uint8Array {
  const n = job.offsets.length - 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const message = buf(job.data, job.offsets[i]!, job.offsets[i + 1]!);
    const key = buf(job.keys, 32 * i, 32 * i + 32);
    const signature = buf(job.signatures, 64 * i, 64 * i + 64);
    out[i] = verifyRule(signature, message, key) ? 1 : 0;
  }
  return out;
}

parentPort?.on('message', (job: SignJob | VerifyJob) => {
  const out = job.op === 'sign' ? sign(job) : verify(job);
  const result: JobResult = { id: job.id, out };
  parentPort!.postMessage(result, [out.buffer as ArrayBuffer]);
});
