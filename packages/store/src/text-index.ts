import type { Logger } from '@discret/log';
import type { GroupCommitWriter } from './writer.js';

/** How long written text may wait before it enters the full-text index (search() never waits for it). */
const TEXT_INDEX_DELAY_MS = 250;
/** Index at once when this many writes have queued text. */
const TEXT_INDEX_BATCH = 4096;

/**
 * Moves text from `_fts_pending` into the FTS5 index in bulk, some time after the writes that
 * queued it: one FTS5 insert per row wrote about 8 of the 14 pages of a one-row commit. It
 * runs after TEXT_INDEX_DELAY_MS, at TEXT_INDEX_BATCH queued rows, before any search and at
 * close. A failure is logged; the text stays pending and is indexed at the next attempt.
 */
export class TextIndexer {
  /** Whether _fts_pending may hold text (true at open: a crash may have left some). */
  private pending = true;
  private queuedSinceIndex = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly writer: GroupCommitWriter,
    private readonly log: Logger,
  ) {}

  /** True when a search must index first. */
  get hasPending(): boolean {
    return this.pending;
  }

  /** Indexes everything pending now. */
  async indexNow(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queuedSinceIndex = 0;
    this.pending = false;
    try {
      await this.writer.write(async (tx) => {
        await tx.execute('INSERT INTO _fts (rowid, text) SELECT id, text FROM _fts_pending');
        await tx.execute('DELETE FROM _fts_pending');
      });
    } catch (error) {
      this.pending = true;
      throw error;
    }
  }

  /** After a commit that queued text for `count` writes: index it soon, or now if much has piled up. */
  queued(count: number): void {
    this.pending = true;
    this.queuedSinceIndex += count;
    if (this.stopped) return;
    if (this.queuedSinceIndex >= TEXT_INDEX_BATCH) {
      this.inBackground();
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.inBackground();
    }, TEXT_INDEX_DELAY_MS);
    this.timer.unref?.();
  }

  /** Indexes what is pending (if anything) and stops scheduling. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    // Left pending, it is indexed at the next search after reopening: log and go on.
    await this.indexNow().catch((error: unknown) => this.log.warn({ err: error }, 'full-text indexing at close failed'));
  }

  private inBackground(): void {
    void this.indexNow().catch((error: unknown) => this.log.warn({ err: error }, 'background full-text indexing failed; will retry'));
  }
}
