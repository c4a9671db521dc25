import type { Row, RunResult, SqlValue } from '../driver.js';

// The messages between a page's driver (opfs-driver.ts) and the database worker
// (db-worker.ts), typed end to end: each operation names its body and its answer.

export interface OpenBody {
  path: string;
  /** 64 hex digits of the raw key. */
  keyHex: string;
  /** Absolute URL of SQLite's WebAssembly module. */
  wasmUrl: string;
}

export interface Operations {
  /** Loads SQLite's WebAssembly and its file system now, before any file is opened. */
  warm: { body: { wasmUrl: string }; answer: null };
  open: { body: OpenBody; answer: null };
  exec: { body: { sql: string }; answer: null };
  all: { body: { sql: string; params: readonly SqlValue[] }; answer: Row[] };
  run: { body: { sql: string; params: readonly SqlValue[] }; answer: RunResult };
  batch: { body: { steps: readonly { sql: string; params: readonly SqlValue[] }[] }; answer: null };
  close: { body: null; answer: null };
}

export type Operation = keyof Operations;

export type WorkerRequest = {
  [K in Operation]: { id: number; connection: number; op: K; body: Operations[K]['body'] };
}[Operation];

/** An SQLite failure as the worker saw it: `errcode` is SQLite's result code. */
export interface WorkerFailure {
  message: string;
  errcode?: number;
}

export type WorkerReply = { id: number; ok: true; answer: unknown } | { id: number; ok: false; error: WorkerFailure };
