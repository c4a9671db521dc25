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
