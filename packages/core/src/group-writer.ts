import { GROUPS_PER_WRITE, type Store, type StoredGroup } from '@discret/store';
import { WriteWindow } from './write-window.js';

/** Writes in flight per blob being written: two transactions' worth (512 KiB). */
const WRITES_IN_FLIGHT = 2;

/**
 * The groups of one blob on their way to the database: gathered GROUPS_PER_WRITE at a time
 * (one transaction each), two such writes in flight while the next groups are hashed or
 * received. `done` is told the bytes of each write once it committed, in order.
 */
export class GroupWriter {
  private batch: StoredGroup[] = [];
  private readonly window: WriteWindow<number>;

  constructor(
    private readonly store: Store<unknown>,
    private readonly blob: string,
    done?: (bytes: number) => void,
  ) {
    this.window = new WriteWindow<number>(WRITES_IN_FLIGHT, done);
  }

  /** Adds a group; waits when two writes are in flight already. */
  async add(group: StoredGroup): Promise<void> {
    this.batch.push(group);
    if (this.batch.length >= GROUPS_PER_WRITE) await this.flush();
  }

  /** Writes what is gathered and waits for every write. */
  async finish(): Promise<void> {
    await this.flush();
    await this.window.drain();
  }

  /**
   * After a failure elsewhere: writes what was gathered (it was verified) and waits for what is
   * in flight, ignoring failures.
   */
  async settle(): Promise<void> {
    await this.flush().catch(() => {});
    await this.window.settle();
  }

  private async flush(): Promise<void> {
    if (!this.batch.length) return;
    const groups = this.batch;
    this.batch = [];
    const bytes = groups.reduce((sum, g) => sum + g.data.length, 0);
    await this.window.push(this.store.blobs.writeGroups(this.blob, groups).then(() => bytes));
  }
}
