import { CryptoError } from './errors.js';
import type { CryptoPool, CryptoPoolOptions, SignedMessage } from './pool.js';
import type { JobResult, SignJob, VerifyJob } from './pool-jobs.js';
import { type SigningKey, verify } from './signing.js';

/**
 * A worker as the pool sees it, whatever the runtime: Node's worker threads (node-pool.ts) or
 * a browser's Web Workers (web-pool.ts).
 */
export interface PoolWorker {
  postMessage(job: SignJob | VerifyJob, transfer: ArrayBuffer[]): void;
  onMessage(handler: (result: JobResult) => void): void;
  onError(handler: (error: Error) => void): void;
  /** Whether the worker may keep the runtime alive (Node); a no-op elsewhere. */
  hold(held: boolean): void;
  terminate(): Promise<unknown> | undefined;
}

/** Starts one worker; the pool calls it lazily, once per slot. */
export type PoolWorkerSpawner = () => PoolWorker;

/**
 * Bulk ed25519 signing and verification on workers (threads in Node, Web Workers in a page). A batch is cut into one slice
 * per worker and the slices run in parallel; the messages travel packed into one buffer per
 * slice, so the cost per message is a copy, not a structured clone. Small batches stay on the
 * calling thread, where they are cheaper. Node workers are unreferenced while idle, so a pool that
 * is never closed does not keep the process alive.
 */
export class WorkerCryptoPool implements CryptoPool {
  readonly parallelism: number;
  readonly minBatch: number;
  private readonly workers: Array<PoolWorker | undefined> = [];
  private readonly pending = new Map<number, { resolve: (out: Uint8Array) => void; reject: (e: Error) => void; worker: PoolWorker }>();
  private readonly busy = new Map<PoolWorker, number>();
  private nextId = 1;
  private closed = false;

  constructor(
    options: CryptoPoolOptions & { parallelism: number },
    private readonly spawn: PoolWorkerSpawner,
  ) {
    this.parallelism = Math.max(0, Math.floor(options.parallelism));
    this.minBatch = Math.max(1, options.minBatch ?? 256);
  }

  async signAll(key: SigningKey, messages: readonly Uint8Array[]): Promise<Uint8Array[]> {
    if (!this.useWorkers(messages.length)) return messages.map((m) => key.sign(m));
    const seed = key.exportSeed();
    const slices = this.slice(messages.length);
    const outs = await Promise.all(
      slices.map(([start, end], w) => {
        const { data, offsets } = pack(messages, start, end);
        const job: Omit<SignJob, 'id'> = { op: 'sign', seed, data, offsets };
        return this.run(w, job, [data.buffer as ArrayBuffer, offsets.buffer as ArrayBuffer]);
      }),
    );
    const signatures: Uint8Array[] = [];
    for (const out of outs) for (let i = 0; i < out.length; i += 64) signatures.push(out.subarray(i, i + 64));
    return signatures;
  }

  async verifyAll(items: readonly SignedMessage[]): Promise<boolean[]> {
    if (!this.useWorkers(items.length)) return items.map((it) => verify(it.publicKey, it.message, it.signature));
    const slices = this.slice(items.length);
    const outs = await Promise.all(
      slices.map(([start, end], w) => {
        const { data, offsets } = pack(
          items.map((it) => it.message),
          start,
          end,
        );
        const keys = new Uint8Array(32 * (end - start));
        const signatures = new Uint8Array(64 * (end - start));
        for (let i = start; i < end; i++) {
          const it = items[i]!;
          // Wrong lengths cannot be valid: zeroes make the worker answer false for them.
          if (it.publicKey.length === 32 && it.signature.length === 64) {
            keys.set(it.publicKey, 32 * (i - start));
            signatures.set(it.signature, 64 * (i - start));
          }
        }
        const job: Omit<VerifyJob, 'id'> = { op: 'verify', data, offsets, keys, signatures };
        return this.run(w, job, [data.buffer, offsets.buffer, keys.buffer, signatures.buffer] as ArrayBuffer[]);
      }),
    );
    const result: boolean[] = [];
    let index = 0;
    for (const out of outs) {
      for (const byte of out) {
        const it = items[index++]!;
        result.push(byte === 1 && it.publicKey.length === 32 && it.signature.length === 64);
      }
    }
    return result;
  }

  /** Starts every worker now (the first batch would start them otherwise), so it does not wait for them. */
  warm(): void {
    if (this.closed) return;
    for (let i = 0; i < this.parallelism; i++) this.worker(i);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const { reject } of this.pending.values()) reject(new CryptoError('POOL_CLOSED', 'The crypto pool was closed'));
    this.pending.clear();
    await Promise.all(this.workers.map((w) => w?.terminate()));
    this.workers.length = 0;
  }

  private useWorkers(count: number): boolean {
    if (this.closed) throw new CryptoError('POOL_CLOSED', 'The crypto pool was closed');
    return this.parallelism > 0 && count >= this.minBatch;
  }

  /** [start, end) of one slice per worker, as even as possible. */
  private slice(count: number): Array<[number, number]> {
    const parts = Math.min(this.parallelism, count);
    const slices: Array<[number, number]> = [];
    for (let p = 0; p < parts; p++) slices.push([Math.floor((p * count) / parts), Math.floor(((p + 1) * count) / parts)]);
    return slices;
  }

  private worker(index: number): PoolWorker {
    let worker = this.workers[index];
    if (!worker) {
      const started = this.spawn();
      started.onMessage((result) => this.settle(result));
      started.onError((error) => this.fail(started, error));
      started.hold(false);
      worker = started;
      this.workers[index] = worker;
      this.busy.set(worker, 0);
    }
    return worker;
  }

  private run(index: number, job: Omit<SignJob, 'id'> | Omit<VerifyJob, 'id'>, transfer: ArrayBuffer[]): Promise<Uint8Array> {
    const worker = this.worker(index);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.setBusy(worker, +1);
      worker.postMessage({ ...job, id }, transfer);
    });
  }

  private settle(result: JobResult): void {
    const job = this.pending.get(result.id);
    if (!job) return;
    this.pending.delete(result.id);
    this.setBusy(job.worker, -1);
    job.resolve(result.out);
  }

  private fail(worker: PoolWorker, error: Error): void {
    for (const [id, job] of this.pending) {
      if (job.worker !== worker) continue;
      this.pending.delete(id);
      job.reject(new CryptoError('POOL_FAILED', `A crypto worker failed: ${error.message}`));
    }
    this.busy.delete(worker);
    const index = this.workers.indexOf(worker);
    if (index >= 0) this.workers[index] = undefined; // the next batch starts a fresh one
  }

  /** A worker keeps the process alive only while it has work in flight. */
  private setBusy(worker: PoolWorker, delta: number): void {
    const count = (this.busy.get(worker) ?? 0) + delta;
    this.busy.set(worker, count);
    if (delta > 0 && count === 1) worker.hold(true);
    if (count === 0) worker.hold(false);
  }
}

/** Packs messages [start, end) back to back with their offsets. */
function pack(messages: readonly Uint8Array[], start: number, end: number): { data: Uint8Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(end - start + 1);
  let total = 0;
  for (let i = start; i < end; i++) {
    offsets[i - start] = total;
    total += messages[i]!.length;
  }
  offsets[end - start] = total;
  const data = new Uint8Array(total);
  for (let i = start; i < end; i++) data.set(messages[i]!, offsets[i - start]!);
  return { data, offsets };
}
