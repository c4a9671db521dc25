/** Groups kept after they arrive, for all blobs together (2 MiB). */
const KEPT_GROUPS = 32;

/**
 * Verified groups just received by a fetch, handed to a reader of the same blob without
 * reading them back from the database (a 64 KiB read and decryption each), and the readers
 * waiting for a group still on its way. Bounded: the oldest groups are dropped (a reader that
 * falls behind reads them from the database).
 */
export class GroupArrivals {
  private readonly kept = new Map<string, Uint8Array>();
  private readonly waiting = new Map<string, Set<(data: Uint8Array) => void>>();

  /** A group arrived (verified and being committed). */
  arrived(id: string, index: number, data: Uint8Array): void {
    const key = `${index}:${id}`;
    const waiters = this.waiting.get(key);
    if (waiters) {
      this.waiting.delete(key);
      for (const wake of waiters) wake(data);
    }
    this.kept.set(key, data);
    if (this.kept.size > KEPT_GROUPS) this.kept.delete(this.kept.keys().next().value!);
  }

  /** Takes a group that arrived recently, if it is still kept. */
  take(id: string, index: number): Uint8Array | undefined {
    const key = `${index}:${id}`;
    const data = this.kept.get(key);
    if (data) this.kept.delete(key);
    return data;
  }

  /** Resolves when group `index` of `id` arrives; `cancel` stops waiting. */
  wait(id: string, index: number): { arrived: Promise<Uint8Array>; cancel: () => void } {
    const key = `${index}:${id}`;
    let wake!: (data: Uint8Array) => void;
    const arrived = new Promise<Uint8Array>((resolve) => (wake = resolve));
    const set = this.waiting.get(key) ?? new Set();
    set.add(wake);
    this.waiting.set(key, set);
    return {
      arrived,
      cancel: () => {
        set.delete(wake);
        if (!set.size && this.waiting.get(key) === set) this.waiting.delete(key);
      },
    };
  }
}
