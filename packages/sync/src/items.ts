import { hash } from '@discret/crypto';
import type { EdgeDeletionRecord, EdgeRecord, NodeDeletionRecord, NodeRecord, RecordBatch } from '@discret/store';
import { compareKeys, type ReconcileItem } from './reconcile.js';

/**
 * The reconciliation key of a record version: kind (1 byte), date (8 bytes big-endian), then
 * 12 bytes of the hash of its signature. Sorting by kind first means a range read in key
 * order brings nodes before the edges that need them; the signature part makes two versions
 * written in the same millisecond different items. The item's hash is the whole hash of the
 * signature (a signature is unique per version and already covers every field).
 */
export type ItemKind = 'node' | 'edge' | 'nodeDeletion' | 'edgeDeletion';
const KIND_BYTE: Record<ItemKind, number> = { node: 0, edge: 1, nodeDeletion: 2, edgeDeletion: 3 };
export const ITEM_KEY_BYTES = 21;

export function reconcileItem(kind: ItemKind, date: number, signature: Uint8Array): ReconcileItem {
  const digest = hash(signature);
  const key = new Uint8Array(ITEM_KEY_BYTES);
  key[0] = KIND_BYTE[kind];
  const view = new DataView(key.buffer);
  view.setUint32(1, Math.floor(date / 2 ** 32));
  view.setUint32(5, date >>> 0);
  key.set(digest.subarray(0, 12), 9);
  return { key, hash: digest };
}

/** The key of every record of a batch, in the batch's order (nodes, edges, deletions). */
export function keysOfBatch(batch: RecordBatch): Uint8Array[] {
  const keys: Uint8Array[] = [];
  const add = (kind: ItemKind, records: (NodeRecord | EdgeRecord | NodeDeletionRecord | EdgeDeletionRecord)[] | undefined, date: (r: never) => number) => {
    for (const r of records ?? []) keys.push(reconcileItem(kind, date(r as never), r.signature).key);
  };
  add('node', batch.nodes, (r: NodeRecord) => r.mdate);
  add('edge', batch.edges, (r: EdgeRecord) => r.cdate);
  add('nodeDeletion', batch.nodeDeletions, (r: NodeDeletionRecord) => r.deletionDate);
  add('edgeDeletion', batch.edgeDeletions, (r: EdgeDeletionRecord) => r.deletionDate);
  return keys;
}

/**
 * True when every record's key is in `[lower, upper)`. Compares the kind and date first and
 * hashes a signature only when they tie with a bound: a range check of a 1024-record batch
 * then costs almost no hashing (it was a visible part of a new device's sync).
 */
export function batchWithin(batch: RecordBatch, lower: Uint8Array, upper: Uint8Array | null): boolean {
  const prefix = new Uint8Array(9);
  const view = new DataView(prefix.buffer);
  const check = (kind: ItemKind, date: number, signature: Uint8Array) => {
    prefix[0] = KIND_BYTE[kind];
    view.setUint32(1, Math.floor(date / 2 ** 32));
    view.setUint32(5, date >>> 0);
    const low = comparePrefix(prefix, lower);
    const high = upper === null ? -1 : comparePrefix(prefix, upper);
    if (low > 0 && high < 0) return true;
    if (low < 0 || high > 0) return false;
    const key = reconcileItem(kind, date, signature).key;
    return compareKeys(key, lower) >= 0 && (upper === null || compareKeys(key, upper) < 0);
  };
  return (batch.nodes ?? []).every((r) => check('node', r.mdate, r.signature))
    && (batch.edges ?? []).every((r) => check('edge', r.cdate, r.signature))
    && (batch.nodeDeletions ?? []).every((r) => check('nodeDeletion', r.deletionDate, r.signature))
    && (batch.edgeDeletions ?? []).every((r) => check('edgeDeletion', r.deletionDate, r.signature));
}

/** Compares a 9-byte prefix with the first 9 bytes of a key (a shorter key compares as its bytes then "less"). */
function comparePrefix(prefix: Uint8Array, key: Uint8Array): number {
  for (let i = 0; i < 9; i++) {
    if (i >= key.length) return 1;
    if (prefix[i] !== key[i]) return prefix[i]! - key[i]!;
  }
  return 0;
}

export { keyText } from './reconcile.js';
