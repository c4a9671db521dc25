import { compareBytes } from '@discret/crypto';

/** What decides between two versions of one record: its date, then its author's signature. */
export interface Version {
  date: number;
  signature: Uint8Array;
}

/**
 * Whether version `a` replaces version `b`, the same on every peer: the newer date wins, and
 * at the same millisecond the larger signature (bytes compared). A version does not replace
 * itself.
 */
export function supersedes(a: Version, b: Version): boolean {
  return a.date > b.date || (a.date === b.date && compareBytes(a.signature, b.signature) > 0);
}
