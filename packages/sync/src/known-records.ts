import { base64url } from '@discret/crypto';
import type { RoomItem } from '@discret/store';

/** Records remembered per remote at most (the newest are kept). */
const MAX_KNOWN = 4096;

/**
 * Records a remote is known to hold, by signature (one per version of a record): those it
 * announced to us. A commit of records all known to a remote is not announced to it: in a
 * room of many peers, a write reaches each one from its first neighbour, and the neighbours
 * that told it the same need not hear it back. Bounded: the oldest are forgotten (announcing
 * one again only costs a notice the remote finds it holds).
 */
export class KnownRecords {
  private readonly known = new Set<string>();

  add(items: readonly RoomItem[]): void {
    for (const item of items) {
      const key = base64url(item.signature);
      this.known.delete(key);
      this.known.add(key);
    }
    while (this.known.size > MAX_KNOWN) this.known.delete(this.known.values().next().value!);
  }

  /** Whether `items` (a commit's records) are listed and all known to be held: nothing to announce. */
  holdsAll(items: readonly RoomItem[] | null | undefined): boolean {
    return !!items?.length && items.every((item) => this.known.has(base64url(item.signature)));
  }
}
