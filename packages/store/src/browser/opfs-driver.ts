import { hex } from '@discret/crypto';
import type { DatabaseLock, OpenOptions, SqlConnection, StoreDriver } from '../driver.js';
import { StoreError, storageError } from '../errors.js';
import { workerSource } from './db-worker-source.js';
import type { Operation, Operations, WorkerReply, WorkerRequest } from './worker-protocol.js';

export interface OpfsDriverOptions {
  /**
   * URL of SQLite's WebAssembly module (`mc-wa-sqlite.wasm`, shipped beside this file in
   * dist/browser). Default: resolved from this module, which Vite does on its own; with
   * esbuild, copy the file next to your bundle or give its URL here.
   */
  wasmUrl?: string | URL;
}

/** A worker without open databases is stopped after this long (it holds SQLite's memory). */
const IDLE_MS = 10_000;

/**
 * The browser's driver: SQLCipher-compatible encrypted SQLite (SQLite3MultipleCiphers in
 * WebAssembly) in the origin private file system, run by a dedicated worker that this driver
 * starts (from an inline script, so no bundler set-up is needed; a Content-Security-Policy must
 * allow `worker-src blob:`). One worker serves all the driver's databases, and stops when none
 * has been open for a while. A database is held with `navigator.locks`: a second tab of the
 * same app gets LOCKED.
 */
export function opfsDriver(options: OpfsDriverOptions = {}): StoreDriver {
  let worker: DatabaseWorker | null = null;
  return {
    name: 'opfs',
    encrypted: true,
    async open(open: OpenOptions): Promise<SqlConnection> {
      if (open.key?.length !== 32) throw new StoreError('WRONG_KEY', 'An encrypted store needs a 32-byte key');
      const wasmUrl = String(options.wasmUrl ?? defaultWasmUrl());
      worker ??= new DatabaseWorker(() => {
        worker = null;
      });
      return worker.connect({ path: open.path, keyHex: hex(open.key), wasmUrl });
    },
    lock: (path) => lockDatabase(path),
    fileSize: (path) => opfsFileSize(path),
    warm() {
      // The worker starts and compiles SQLite's WebAssembly now (while the user logs in, say);
      // unused, it stops after IDLE_MS as if its last connection had closed.
      worker ??= new DatabaseWorker(() => {
        worker = null;
      });
      worker.warm(String(options.wasmUrl ?? defaultWasmUrl()));
    },
  };
}

/** The wasm beside this module (Vite rewrites this URL to the emitted asset). */
function defaultWasmUrl(): URL {
  try {
    return new URL('./mc-wa-sqlite.wasm', import.meta.url);
  } catch {
    throw new StoreError('INVALID_ARGUMENT', 'Cannot tell where mc-wa-sqlite.wasm is from this bundle: give opfsDriver({ wasmUrl })');
  }
}

/** The worker of one driver, and the connections open through it. */
class DatabaseWorker {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (answer: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private nextConnection = 1;
  private open = 0;
  private idle: ReturnType<typeof setTimeout> | null = null;
  private warming = false;

  constructor(private readonly onStopped: () => void) {
    const url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    this.worker = new Worker(url, { type: 'module', name: 'discret-database' });
    URL.revokeObjectURL(url);
    this.worker.addEventListener('message', (event: MessageEvent<WorkerReply>) => this.settle(event.data));
    this.worker.addEventListener('error', (event) => this.failAll(new StoreError('STORAGE', `The database worker failed: ${event.message}`)));
  }

  async connect(body: Operations['open']['body']): Promise<SqlConnection> {
    const connection = this.nextConnection++;
    this.open++;
    this.keepAlive();
    try {
      await this.call(connection, 'open', body);
    } catch (error) {
      this.released();
      const failure = error as { errcode?: number; cause?: { errcode?: number } };
      if ((failure.errcode ?? failure.cause?.errcode) === 26) {
        throw new StoreError('WRONG_KEY', 'The key does not open this database: wrong key material or app key, or the file is damaged (then restore it from a backup)');
      }
      throw error;
    }
    let closed = false;
    const call = <K extends Operation>(op: K, request: Operations[K]['body']) => {
      if (closed) return Promise.reject(new StoreError('CLOSED', 'The connection is closed'));
      return this.call(connection, op, request);
    };
    return {
      exec: async (sql) => void (await call('exec', { sql })),
      all: (sql, params = []) => call('all', { sql, params }),
      run: (sql, params = []) => call('run', { sql, params }),
      batch: async (steps) => void (await call('batch', { steps })),
      close: async () => {
        if (closed) return;
        closed = true;
        try {
          await this.call(connection, 'close', null);
        } finally {
          this.released();
        }
      },
    };
  }

  /** Loads SQLite in the worker now; a failure here is reported again by the first open. */
  warm(wasmUrl: string): void {
    if (this.warming) return;
    this.warming = true;
    this.open++;
    this.call(0, 'warm', { wasmUrl }).catch(() => {}).finally(() => this.released());
  }

  private keepAlive(): void {
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
  }

  /** A connection is gone; with none left, the worker stops after IDLE_MS. */
  private released(): void {
    if (--this.open > 0) return;
    this.idle = setTimeout(() => {
      if (this.open > 0) return;
      this.worker.terminate();
      this.failAll(new StoreError('CLOSED', 'The database worker stopped'));
      this.onStopped();
    }, IDLE_MS);
  }

  private call<K extends Operation>(connection: number, op: K, body: Operations[K]['body']): Promise<Operations[K]['answer']> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (answer: unknown) => void, reject });
      this.worker.postMessage({ id, connection, op, body } as WorkerRequest);
    });
  }

  private settle(reply: WorkerReply): void {
    const waiter = this.waiting.get(reply.id);
    if (!waiter) return;
    this.waiting.delete(reply.id);
    if (reply.ok) waiter.resolve(reply.answer);
    else {
      const failure = Object.assign(new Error(reply.error.message), { errcode: reply.error.errcode });
      waiter.reject(storageError(failure) ?? failure);
    }
  }

  private failAll(error: Error): void {
    for (const waiter of this.waiting.values()) waiter.reject(error);
    this.waiting.clear();
  }
}

/** Holds `discret:<path>` in the Web Locks of this origin (every tab), or throws LOCKED. */
async function lockDatabase(path: string): Promise<DatabaseLock> {
  const locks = globalThis.navigator?.locks;
  if (!locks) throw new StoreError('INVALID_ARGUMENT', 'This runtime has no navigator.locks');
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const granted = await new Promise<boolean>((resolve, reject) => {
    locks.request(`discret:${path}`, { ifAvailable: true }, async (lock) => {
      resolve(lock !== null);
      if (lock) await held; // the lock lasts until the store releases it
    }).catch(reject);
  });
  if (!granted) throw new StoreError('LOCKED', `The database ${path} is open in another tab or window of this app`);
  return { release };
}

/** Size of an OPFS file (path segments are folders), undefined when there is none. */
async function opfsFileSize(path: string): Promise<number | undefined> {
  const parts = path.split('/').filter((p) => p);
  try {
    let folder = await navigator.storage.getDirectory();
    for (const part of parts.slice(0, -1)) folder = await folder.getDirectoryHandle(part);
    const file = await (await folder.getFileHandle(parts[parts.length - 1]!)).getFile();
    return file.size;
  } catch (error) {
    if ((error as { name?: string }).name === 'NotFoundError' || (error as { name?: string }).name === 'TypeMismatchError') return undefined;
    throw new StoreError('STORAGE', `Cannot read ${path} in the origin private file system: ${(error as Error).message}`);
  }
}
