import { bytesKey, compareBytes, equalBytes, hash } from '@discret/crypto';
import { SyncError } from './errors.js';

/** What a peer sent does not have the shape of the protocol: the peer is dropped. */
const malformed = (message: string) => new SyncError('PROTOCOL', message);

/**
 * Range-based set reconciliation (as in negentropy and Willow), pure logic with no I/O.
 *
 * Both sides hold a set of items, each a sortable `key` (for a room's records: date, kind and
 * id) and a 32-byte `hash` (of the record's signature, so two versions of a row differ). A
 * range of keys is summarised by a fingerprint: the sum modulo 2^256 of its items' hashes,
 * with the count, hashed. Equal fingerprints mean (with overwhelming probability) equal
 * ranges, which are skipped; a differing range is split into `branches` sub-ranges, until a
 * range is small enough to send its keys outright. The side that receives a list of keys
 * learns both what the other lacks (`have`: push those records) and what it lacks itself
 * (`need`: ask for them). Cost grows with the number of differences, not the size of the set.
 *
 * A side with no items starts with an empty list, so the other pushes everything at once.
 */
export interface ReconcileItem {
  key: Uint8Array;
  hash: Uint8Array;
}

/** Upper bound of a range, exclusive; null is "after every key". */
export type Bound = Uint8Array | null;

export type RangeMessage =
  | { upper: Bound; mode: 'skip' }
  | { upper: Bound; mode: 'fingerprint'; fingerprint: Uint8Array }
  | { upper: Bound; mode: 'list'; keys: Uint8Array[] };

/** One message: contiguous ranges covering every key, in order, the first from the smallest key. */
export interface ReconcileMessage {
  ranges: RangeMessage[];
}

export interface ReconcileOptions {
  /** Sub-ranges a differing range is split into. Default 16. */
  branches?: number;
  /** A range with at most this many items is sent as its list of keys. Default 32. */
  listThreshold?: number;
  /** Past this many keys the other lacks in one range, `haveRanges` names the range instead. Default 256. */
  maxListedHave?: number;
}

export const FINGERPRINT_BYTES = 16;

/** Keys are ordered as bytes (crypto's `compareBytes`: SQLite's order). */
export const compareKeys = compareBytes;

/** The items of one side, sorted by key, with range lookups and fingerprints. */
export class ItemSet {
  readonly items: readonly ReconcileItem[];

  constructor(items: Iterable<ReconcileItem>) {
    this.items = [...items].sort((a, b) => compareKeys(a.key, b.key));
  }

  get size(): number {
    return this.items.length;
  }

  /** Index of the first item whose key is >= bound (the end for null). */
  indexOf(bound: Bound): number {
    if (bound === null) return this.items.length;
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareKeys(this.items[mid]!.key, bound) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Fingerprint of items [from, to). */
  fingerprint(from: number, to: number): Uint8Array {
    // 256-bit little-endian sum in eight 32-bit limbs, carried as we go.
    const sum = new Uint32Array(8);
    for (let i = from; i < to; i++) {
      const h = this.items[i]!.hash;
      let carry = 0;
      for (let limb = 0; limb < 8; limb++) {
        const o = limb * 4;
        const word = (h[o]! | (h[o + 1]! << 8) | (h[o + 2]! << 16) | (h[o + 3]! << 24)) >>> 0;
        const total = sum[limb]! + word + carry;
        sum[limb] = total >>> 0;
        carry = total > 0xffffffff ? 1 : 0;
      }
    }
    const input = new Uint8Array(36);
    input.set(new Uint8Array(sum.buffer), 0);
    new DataView(input.buffer).setUint32(32, to - from, true);
    return hash(input).subarray(0, FINGERPRINT_BYTES);
  }
}

/** What one step of reconciliation produced. */
export interface ReconcileStep {
  /** The message to send, or null when every range matched: reconciliation is over. */
  reply: ReconcileMessage | null;
  /** Keys this side has and the other lacks (push their records). */
  have: Uint8Array[];
  /** Keys the other side has and this side lacks (request their records). */
  need: Uint8Array[];
  /**
   * Ranges `[lower, upper)` where this side has many items the other lacks (more than
   * `maxListedHave`): cheaper to send as "everything in this range" than key by key. The other
   * side has at most `listThreshold` items there, so little is sent twice.
   */
  haveRanges: { lower: Uint8Array; upper: Bound }[];
}

/** One side of a reconciliation. Call `initiate` on one side, then `respond` to each message. */
export class Reconciler {
  private readonly branches: number;
  private readonly listThreshold: number;
  private readonly maxListedHave: number;

  constructor(
    private readonly set: ItemSet,
    options: ReconcileOptions = {},
  ) {
    this.branches = Math.max(2, options.branches ?? 16);
    this.listThreshold = Math.max(1, options.listThreshold ?? 32);
    this.maxListedHave = Math.max(1, options.maxListedHave ?? 256);
  }

  /** The first message: the whole set as one fingerprint, or its keys when small (or empty). */
  initiate(): ReconcileMessage {
    return { ranges: [this.describe(0, this.set.size, null)] };
  }

  /** Answers a message from the other side. */
  respond(message: ReconcileMessage): ReconcileStep {
    const out: RangeMessage[] = [];
    const have: Uint8Array[] = [];
    const need: Uint8Array[] = [];
    const haveRanges: ReconcileStep['haveRanges'] = [];
    let from = 0;
    let previousUpper: Bound = new Uint8Array(0);
    for (const range of message.ranges) {
      if (previousUpper === null) throw malformed('A range follows the last one');
      if (range.upper !== null && compareKeys(range.upper, previousUpper) < 0) throw malformed('Ranges are not in order');
      const to = this.set.indexOf(range.upper);
      switch (range.mode) {
        case 'skip':
          out.push({ upper: range.upper, mode: 'skip' });
          break;
        case 'fingerprint':
          if (equalBytes(range.fingerprint, this.set.fingerprint(from, to))) out.push({ upper: range.upper, mode: 'skip' });
          else out.push(...this.split(from, to, range.upper));
          break;
        case 'list': {
          const theirs = new Set(range.keys.map(keyText));
          const ours = new Set<string>();
          const missing: Uint8Array[] = [];
          for (let i = from; i < to; i++) {
            const key = this.set.items[i]!.key;
            ours.add(keyText(key));
            if (!theirs.has(keyText(key))) missing.push(key);
          }
          if (missing.length > this.maxListedHave) haveRanges.push({ lower: previousUpper, upper: range.upper });
          else have.push(...missing);
          for (const key of range.keys) if (!ours.has(keyText(key))) need.push(key);
          out.push({ upper: range.upper, mode: 'skip' });
          break;
        }
      }
      from = to;
      previousUpper = range.upper;
    }
    const done = out.every((r) => r.mode === 'skip');
    return { reply: done ? null : { ranges: merge(out) }, have, need, haveRanges };
  }

  /** Our view of a range that differs: our keys if few, else fingerprints of sub-ranges. */
  private split(from: number, to: number, upper: Bound): RangeMessage[] {
    const count = to - from;
    if (count <= this.listThreshold) return [this.describe(from, to, upper)];
    const parts: RangeMessage[] = [];
    for (let p = 0; p < this.branches; p++) {
      const start = from + Math.floor((p * count) / this.branches);
      const end = from + Math.floor(((p + 1) * count) / this.branches);
      const bound = p === this.branches - 1 ? upper : this.set.items[end]!.key;
      // Most sub-ranges of a differing range match: a fingerprint lets the other side skip
      // them, where a list would cost all their keys. Only tiny ones go as lists.
      parts.push(end - start <= 2 ? this.describe(start, end, bound) : { upper: bound, mode: 'fingerprint', fingerprint: this.set.fingerprint(start, end) });
    }
    return parts;
  }

  private describe(from: number, to: number, upper: Bound): RangeMessage {
    if (to - from <= this.listThreshold) {
      return { upper, mode: 'list', keys: this.set.items.slice(from, to).map((it) => it.key) };
    }
    return { upper, mode: 'fingerprint', fingerprint: this.set.fingerprint(from, to) };
  }
}

/** Adjacent skips become one range (they cost nothing to the other side). */
function merge(ranges: RangeMessage[]): RangeMessage[] {
  const out: RangeMessage[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (r.mode === 'skip' && last?.mode === 'skip') out[out.length - 1] = r;
    else out.push(r);
  }
  return out;
}

/** A key as a string, for maps and sets (one char per byte). */
export const keyText: (key: Uint8Array) => string = bytesKey;

/** The compact wire form of a range: `[upper, 0]` skip, `[upper, 1, fingerprint]`, `[upper, 2, keys]`. */
type WireRange = [Bound, 0] | [Bound, 1, Uint8Array] | [Bound, 2, Uint8Array[]];

/** A message as arrays (CBOR maps with string keys cost ~25 bytes per range). */
export function reconcileToWire(message: ReconcileMessage): WireRange[] {
  return message.ranges.map((r): WireRange => (r.mode === 'skip' ? [r.upper, 0] : r.mode === 'fingerprint' ? [r.upper, 1, r.fingerprint] : [r.upper, 2, r.keys]));
}

/** Reads the wire form back; throws SyncError PROTOCOL for anything malformed (the caller closes the stream). */
export function reconcileFromWire(value: unknown, limits = { maxRanges: 4096, maxKeys: 65_536 }): ReconcileMessage {
  if (!Array.isArray(value) || value.length > limits.maxRanges) throw malformed('A reconcile message is a bounded list of ranges');
  let keys = 0;
  const ranges = value.map((r): RangeMessage => {
    if (!Array.isArray(r)) throw malformed('A range is an array');
    const [upper, mode, payload] = r as [unknown, unknown, unknown];
    if (upper !== null && !(upper instanceof Uint8Array)) throw malformed('A range bound is bytes or null');
    if (mode === 0) return { upper, mode: 'skip' };
    if (mode === 1 && payload instanceof Uint8Array && payload.length === FINGERPRINT_BYTES) return { upper, mode: 'fingerprint', fingerprint: payload };
    if (mode === 2 && Array.isArray(payload) && payload.every((k) => k instanceof Uint8Array)) {
      keys += payload.length;
      if (keys > limits.maxKeys) throw malformed('Too many keys in one message');
      return { upper, mode: 'list', keys: payload as Uint8Array[] };
    }
    throw malformed('Unknown range mode');
  });
  return { ranges };
}
