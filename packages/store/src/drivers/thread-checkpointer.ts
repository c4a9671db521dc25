import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '@discret/crypto';
import type { Checkpointer } from '../checkpointer.js';

interface Reply {
  ok: boolean;
  ready?: boolean;
  error?: string;
}

/** dist/drivers/checkpoint-worker.js from the build, src/drivers/checkpoint-worker.ts from the sources. */
function workerFile(): URL {
  const js = new URL('./checkpoint-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  return new URL('./checkpoint-worker.ts', import.meta.url);
}

/** The checkpoint thread of the better-sqlite3 drivers: its own connection to `path`. */
export class ThreadCheckpointer implements Checkpointer {
  private readonly worker: Worker;
  private failed = false;
  private closed = false;
  private running = false;
  private again = false;
  private exited: Promise<void>;

  constructor(path: string, key: Uint8Array | null, private readonly onFailure: (reason: string) => void = () => {}) {
    this.worker = startWorker(workerFile(), { workerData: { path, key } });
    // Idle, it never keeps the process alive; a checkpoint cut short by an exit is harmless.
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (reply: Reply) => this.onReply(reply));
    this.worker.on('error', (err) => this.fail(err.message));
    this.worker.once('exit', () => {
      if (!this.closed) this.fail('the checkpoint thread exited');
    });
  }

  get working(): boolean {
    return !this.failed && !this.closed;
  }

  request(): void {
    if (!this.working) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.worker.postMessage('checkpoint');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.worker.ref(); // held until the thread has closed its connection
    this.worker.postMessage('close');
    await this.exited;
  }

  private onReply(reply: Reply): void {
    if (!reply.ok) {
      this.fail(reply.error ?? 'unknown error');
      return;
    }
    if (reply.ready) return;
    this.running = false;
    if (this.again) {
      this.again = false;
      this.request();
    }
  }

  private fail(reason: string): void {
    if (this.failed || this.closed) return;
    this.failed = true;
    this.onFailure(reason);
    void this.worker.terminate();
  }
}
