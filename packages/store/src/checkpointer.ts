import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '@discret/crypto';

/**
 * Copies the write-ahead log into the database file on a thread of its own. SQLite does it
 * on the writing connection at commit (once the log passes 1,000 pages), which cost a bulk
 * insert about a fifth of its time on the writer's thread; that thread is the bottleneck of
 * a bulk insert, while the other cores only sign.
 */
export interface Checkpointer {
  /** Asks for a checkpoint; asks made while one runs are merged into one more after it. */
  request(): void;
  /** False once it failed or closed: the writer then leaves checkpoints to SQLite again. */
  readonly working: boolean;
  /** Waits for the checkpoint under way, if any, and stops the thread. */
  close(): Promise<void>;
}

interface Reply {
  ok: boolean;
  ready?: boolean;
  error?: string;
}

/** dist/drivers/checkpoint-worker.js from the build, src/drivers/checkpoint-worker.ts from the sources. */
function workerFile(): URL {
  const js = new URL('./drivers/checkpoint-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return js;
  return new URL('./drivers/checkpoint-worker.ts', import.meta.url);
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
