/**
 * One holder at a time per key, across all connections: sessions use it for rooms (one room
 * synchronised with one peer at a time) and for answering turns (one answer at a time per
 * remote user).
 */
export class KeyedLocks {
  private readonly held = new Map<string, Promise<void>>();

  async acquire(key: string, signal: AbortSignal): Promise<() => void> {
    for (;;) {
      signal.throwIfAborted();
      const busy = this.held.get(key);
      if (!busy) break;
      await busy;
    }
    let release!: () => void;
    this.held.set(key, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(key);
      release();
    };
  }
}
