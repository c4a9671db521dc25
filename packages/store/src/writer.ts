import type { SqlConnection } from './driver.js';
import type { Checkpointer } from './checkpointer.js';
import { StoreError } from './errors.js';
import { type BatchSigner, WriteTransaction } from './transaction.js';
import { yieldToEventLoop } from './yield.js';

/** A write that runs inside the writer's transaction. */
export type WriteJob<T> = (tx: WriteTransaction) => Promise<T>;

interface Pending {
  job: WriteJob<unknown>;
  /** How many rows it writes, roughly (1 for a request, n for a bulk insert of n rows), or how to count them when asked. */
  weight: number | (() => number);
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * A transaction of at least this many rows starts the checkpoint thread (when the driver has
 * one); from then on the write-ahead log is copied into the file there, not at each commit.
 */
export const CHECKPOINT_THREAD_ROWS = 1000;
/**
 * So does this many commits: an app that writes one row at a time checkpointed on its own
 * thread every ~170 commits (SQLite's 1000-page default), which cost each awaited write about a
 * third of its time (measured: 355 us per awaited insert, 200-300 us with the thread).
 */
export const CHECKPOINT_THREAD_COMMITS = 256;

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * The single writer with group commit: writes that arrive while a transaction is running
 * wait, then share the next transaction (up to `maxBatch` rows: a bulk write counts as the
 * rows it writes, and is never split). Each is undone alone when it
 * fails (see WriteTransaction), so its caller alone gets the error. If the shared
 * transaction itself fails (the database refuses the batch), every write is retried in a
 * transaction of its own, so one bad write cannot take the others down. A promise resolves
 * only after its transaction committed: what was acknowledged survives a crash.
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  private closed = false;
  /** Set once the database was found damaged: from then on every write is refused with it. */
  private damaged: StoreError | null = null;
  /** Transactions committed so far (tests use it to see that writes were grouped). */
  commits = 0;
  /** The checkpoint thread, once a large transaction started it. */
  private checkpointer: Checkpointer | null = null;
  private checkpointerFailed = false;

  constructor(
    private readonly conn: SqlConnection,
    private readonly maxBatch: number,
    private readonly signer: BatchSigner,
    /** Called after each commit with the results of the writes it made durable. */
    private readonly afterCommit: (committed: unknown[]) => void = () => {},
    /** Starts the driver's checkpoint thread, when it has one. */
    private readonly openCheckpointer?: () => Checkpointer,
  ) {}

  write<T>(job: WriteJob<T>, weight: number | (() => number) = 1): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('CLOSED', 'The store is closed'));
    if (this.damaged) return Promise.reject(this.damaged);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job: job as WriteJob<unknown>, weight, resolve: resolve as (v: unknown) => void, reject });
      this.running ??= this.drain();
    });
  }

  /**
   * Stops writing for good when `error` says the file is damaged (found by a write or a
   * read): more writes into a corrupt file could only spread the damage.
   */
  noteFailure(error: unknown): void {
    if (error instanceof StoreError && error.code === 'CORRUPT_DATABASE') this.damaged ??= error;
  }

  /** Waits for every queued write, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
    await this.checkpointer?.close();
    this.checkpointer = null;
  }

  private async drain(): Promise<void> {
    // Let writes issued in the same tick join the first transaction.
    await Promise.resolve();
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.batchLength());
      if (this.damaged) {
        for (const pending of batch) pending.reject(this.damaged);
        continue;
      }
      let outcomes: Outcome[];
      try {
        outcomes = await this.transaction(batch);
      } catch (error) {
        if (batch.length === 1) {
          batch[0]!.reject(error);
          continue;
        }
        for (const pending of batch) {
          if (this.damaged) {
            pending.reject(this.damaged);
            continue;
          }
          let alone: Outcome[];
          try {
            alone = await this.transaction([pending]);
          } catch (error) {
            pending.reject(error);
            continue;
          }
          this.settle([pending], alone);
        }
        continue;
      }
      this.settle(batch, outcomes);
    }
    this.running = null;
  }

  /** How many queued writes the next transaction takes: at least one, then up to `maxBatch` rows. */
  private batchLength(): number {
    let rows = weightOf(this.queue[0]!);
    let length = 1;
    while (length < this.queue.length && rows + weightOf(this.queue[length]!) <= this.maxBatch) rows += weightOf(this.queue[length++]!);
    return length;
  }

  /** Runs the jobs in one transaction; throws (after rolling back) if it cannot commit. */
  private async transaction(batch: Pending[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    await this.conn.exec('BEGIN IMMEDIATE');
    try {
      const tx = new WriteTransaction(this.conn, this.signer);
      for (const pending of batch) {
        tx.beginJob();
        try {
          const value = await pending.job(tx);
          await tx.endJob(true);
          outcomes.push({ ok: true, value });
        } catch (error) {
          await tx.endJob(false);
          outcomes.push({ ok: false, error });
        }
        // Pipelining: write what is signed, and let the workers' answers in now and then.
        if (await tx.flushReady()) await yieldToEventLoop();
      }
      await tx.flush();
      await this.commit(batch.reduce((rows, pending) => rows + weightOf(pending), 0));
      this.commits++;
    } catch (error) {
      await this.conn.exec('ROLLBACK').catch(() => {});
      this.noteFailure(error);
      throw error;
    }
    for (const outcome of outcomes) if (!outcome.ok) this.noteFailure(outcome.error);
    return outcomes;
  }

  /** Commits; the first large transaction hands the log's checkpoints to the checkpoint thread. */
  private async commit(rows: number): Promise<void> {
    if (this.checkpointer && !this.checkpointer.working) {
      this.checkpointer = null;
      this.checkpointerFailed = true;
      await this.conn.exec('PRAGMA wal_autocheckpoint = 1000'); // SQLite's default, on this connection again
    } else if (!this.checkpointer && !this.checkpointerFailed && this.openCheckpointer && (rows >= CHECKPOINT_THREAD_ROWS || this.commits >= CHECKPOINT_THREAD_COMMITS)) {
      try {
        this.checkpointer = this.openCheckpointer();
        await this.conn.exec('PRAGMA wal_autocheckpoint = 0');
      } catch {
        this.checkpointerFailed = true; // it checkpoints as before
      }
    }
    await this.conn.exec('COMMIT');
    this.checkpointer?.request();
  }

  /** Hands out the results of a committed transaction (a throwing listener cannot undo it). */
  private settle(batch: Pending[], outcomes: Outcome[]): void {
    try {
      this.afterCommit(outcomes.flatMap((o) => (o.ok ? [o.value] : [])));
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}

function weightOf(pending: Pending): number {
  return typeof pending.weight === 'number' ? pending.weight : pending.weight();
}
