import type { SqlConnection } from './driver.js';
import { StoreError } from './errors.js';

/** A write that runs inside the writer's transaction. */
export type WriteJob<T> = (conn: SqlConnection) => Promise<T>;

interface Pending {
  job: WriteJob<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * The single writer with group commit: writes that arrive while a transaction is running
 * wait, then share the next transaction (up to `maxBatch`). Each runs in its own savepoint,
 * so a rejected write is rolled back alone and its caller alone gets the error. A promise
 * resolves only after its transaction committed: what was acknowledged survives a crash.
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private running: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly conn: SqlConnection,
    private readonly maxBatch: number,
    /** Called after each commit with the results of the writes it made durable. */
    private readonly afterCommit: (committed: unknown[]) => void = () => {},
  ) {}

  write<T>(job: WriteJob<T>): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('CLOSED', 'The store is closed'));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job: job as WriteJob<unknown>, resolve: resolve as (v: unknown) => void, reject });
      this.running ??= this.drain();
    });
  }

  /** Waits for every queued write, then refuses new ones. */
  async close(): Promise<void> {
    this.closed = true;
    await this.running;
  }

  private async drain(): Promise<void> {
    // Let writes issued in the same tick join the first transaction.
    await Promise.resolve();
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      try {
        await this.conn.exec('BEGIN IMMEDIATE');
        for (const pending of batch) {
          await this.conn.exec('SAVEPOINT w');
          try {
            const value = await pending.job(this.conn);
            await this.conn.exec('RELEASE w');
            outcomes.push({ ok: true, value });
          } catch (error) {
            await this.conn.exec('ROLLBACK TO w; RELEASE w');
            outcomes.push({ ok: false, error });
          }
        }
        await this.conn.exec('COMMIT');
      } catch (error) {
        await this.conn.exec('ROLLBACK').catch(() => {});
        for (const pending of batch) pending.reject(error);
        continue;
      }
      this.afterCommit(outcomes.flatMap((o) => (o.ok ? [o.value] : [])));
      batch.forEach((pending, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) pending.resolve(outcome.value);
        else pending.reject(outcome.error);
      });
    }
    this.running = null;
  }
}
