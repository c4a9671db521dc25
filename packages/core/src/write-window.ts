/**
 * Writes in flight, at most `limit`: a stream of blob groups keeps a few commits under way
 * while the next groups are hashed or received (the group-commit writer then puts several in
 * one transaction), without holding more than `limit` groups in memory.
 */
export class WriteWindow<T> {
  private readonly pending: Promise<T>[] = [];

  constructor(
    private readonly limit: number,
    /** Told of each write once it committed, in order. */
    private readonly done: (value: T) => void = () => {},
  ) {}

  /** Adds a write; waits for the oldest when `limit` are in flight. */
  async push(write: Promise<T>): Promise<void> {
    write.catch(() => {}); // awaited in order below; a failure surfaces there
    this.pending.push(write);
    if (this.pending.length >= this.limit) this.done(await this.pending.shift()!);
  }

  /** Waits for every write in flight. */
  async drain(): Promise<void> {
    while (this.pending.length) this.done(await this.pending.shift()!);
  }

  /** Waits for what is in flight to settle, ignoring failures (after an error elsewhere). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.splice(0));
  }
}
