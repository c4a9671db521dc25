import { CryptoError } from './errors.js';
import { base64url, equalBytes, fromBase64url, utf8 } from './encoding.js';
import { hash, keyedHash } from './hash.js';

/**
 * Content addresses of blobs (files) with verified streaming, as iroh-blobs does with BLAKE3
 * and bao, here on the BLAKE2b every runtime of ours already has.
 *
 * A blob is cut into groups of 64 KiB. Each group has a leaf hash; leaves are paired into a
 * binary tree whose left subtree always holds the largest power of two of leaves below the
 * node's count (the BLAKE3 shape, so a range of leaves needs only the hashes of the subtrees
 * beside it); the root hash also commits to the size. Every hash is keyed by the blob's room,
 * so the same file in two rooms has two unrelated ids: an id reveals nothing about other rooms.
 *
 * A reader that knows the id checks a range of groups with `verifyRange` from the range's leaf
 * hashes plus the hashes of the subtrees beside it (`rangeProof`, about 32 bytes times the
 * tree's depth), then each group against its leaf as it arrives: a bad sender is caught within
 * one group.
 */

/** Bytes per chunk group: the unit of verification, storage and resumption. */
export const BLOB_GROUP_BYTES = 64 * 1024;
const HASH_BYTES = 32;
const ID_PREFIX = 'blob1';

const LEAF = 0;
const PARENT = 1;
const ROOT = 2;

/** The key every hash of a room's blobs is made with. */
export function blobKey(room: Uint8Array): Uint8Array {
  return hash(concat(utf8('discret/blob-key/v1'), room));
}

/** Groups in a blob of `size` bytes (an empty blob has one empty group). */
export function groupCount(size: number): number {
  return Math.max(1, Math.ceil(size / BLOB_GROUP_BYTES));
}

/** Bytes of group `index` in a blob of `size` bytes. */
export function groupBytes(size: number, index: number): number {
  return Math.max(0, Math.min(BLOB_GROUP_BYTES, size - index * BLOB_GROUP_BYTES));
}

export function leafHash(key: Uint8Array, index: number, bytes: Uint8Array): Uint8Array {
  const message = new Uint8Array(9 + bytes.length);
  message[0] = LEAF;
  writeU64(message, 1, index);
  message.set(bytes, 9);
  return keyedHash(key, message);
}

function parentHash(key: Uint8Array, left: Uint8Array, right: Uint8Array): Uint8Array {
  const message = new Uint8Array(1 + 2 * HASH_BYTES);
  message[0] = PARENT;
  message.set(left, 1);
  message.set(right, 1 + HASH_BYTES);
  return keyedHash(key, message);
}

function rootHash(key: Uint8Array, size: number, top: Uint8Array): Uint8Array {
  const message = new Uint8Array(9 + HASH_BYTES);
  message[0] = ROOT;
  writeU64(message, 1, size);
  message.set(top, 9);
  return keyedHash(key, message);
}

/** Where a node of `count` leaves splits: the largest power of two below `count`. */
function split(count: number): number {
  let left = 1;
  while (left * 2 < count) left *= 2;
  return left;
}

/** Subtree hashes already computed, by `lo * 2^32 + hi`: a server answering many ranges of one blob computes each once. */
export type SubtreeMemo = Map<number, Uint8Array>;

/** The hash of the subtree over leaves [lo, hi). */
function subtree(key: Uint8Array, leaves: readonly Uint8Array[], lo: number, hi: number, memo?: SubtreeMemo): Uint8Array {
  if (hi - lo === 1) return leaves[lo]!;
  const slot = lo * 2 ** 32 + hi;
  const known = memo?.get(slot);
  if (known) return known;
  const mid = lo + split(hi - lo);
  const out = parentHash(key, subtree(key, leaves, lo, mid, memo), subtree(key, leaves, mid, hi, memo));
  memo?.set(slot, out);
  return out;
}

/** The root hash of a blob from all its leaf hashes. */
export function blobRoot(key: Uint8Array, size: number, leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length !== groupCount(size)) throw new CryptoError('INVALID_INPUT', `A blob of ${size} bytes has ${groupCount(size)} groups, not ${leaves.length}`);
  return rootHash(key, size, subtree(key, leaves, 0, leaves.length));
}

/**
 * The hashes a reader of groups [from, to) needs besides those groups' leaves: the subtrees
 * beside the range, in depth-first order, left to right. Without `memo` this hashes nearly the
 * whole tree (16k hashes for 1 GiB); with one kept per blob, each subtree is hashed once.
 */
export function rangeProof(key: Uint8Array, leaves: readonly Uint8Array[], from: number, to: number, memo?: SubtreeMemo): Uint8Array[] {
  checkRange(leaves.length, from, to);
  const out: Uint8Array[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi <= from || lo >= to) out.push(subtree(key, leaves, lo, hi, memo));
    else if (hi - lo > 1) {
      const mid = lo + split(hi - lo);
      walk(lo, mid);
      walk(mid, hi);
    }
  };
  walk(0, leaves.length);
  return out;
}

/**
 * Whether `rangeLeaves` are the leaf hashes of groups [from, from + rangeLeaves.length) of the
 * blob with this root and size, given the proof from `rangeProof`.
 */
export function verifyRange(key: Uint8Array, size: number, root: Uint8Array, from: number, rangeLeaves: readonly Uint8Array[], proof: readonly Uint8Array[]): boolean {
  const count = groupCount(size);
  const to = from + rangeLeaves.length;
  if (from < 0 || to > count || from >= to) return false;
  let next = 0;
  const walk = (lo: number, hi: number): Uint8Array | null => {
    if (hi <= from || lo >= to) return proof[next++] ?? null;
    if (hi - lo === 1) return rangeLeaves[lo - from]!;
    const mid = lo + split(hi - lo);
    const left = walk(lo, mid);
    const right = walk(mid, hi);
    return left && right ? parentHash(key, left, right) : null;
  };
  const top = walk(0, count);
  return top !== null && next === proof.length && equalBytes(rootHash(key, size, top), root);
}

function checkRange(count: number, from: number, to: number): void {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to > count || from >= to) {
    throw new CryptoError('INVALID_INPUT', `Groups [${from}, ${to}) are not a range of a blob of ${count} groups`);
  }
}

/** What a blob id says: its room, root hash and size. */
export interface BlobAddress {
  room: Uint8Array;
  root: Uint8Array;
  size: number;
}

/** `blob1.<room>.<size>.<root>`: a string an app stores in any String field. */
export function blobId(address: BlobAddress): string {
  return `${ID_PREFIX}.${base64url(address.room)}.${address.size}.${base64url(address.root)}`;
}

/** Reads a blob id; INVALID_ARGUMENT when `id` is not one. */
export function parseBlobId(id: string): BlobAddress {
  const parts = typeof id === 'string' ? id.split('.') : [];
  const [prefix, room, size, root] = parts;
  const bytes = (text: string | undefined) => {
    try {
      return text ? fromBase64url(text) : null;
    } catch {
      return null;
    }
  };
  const roomBytes = bytes(room);
  const rootBytes = bytes(root);
  const length = /^(0|[1-9][0-9]{0,15})$/.test(size ?? '') ? Number(size) : Number.NaN;
  if (parts.length !== 4 || prefix !== ID_PREFIX || !roomBytes?.length || rootBytes?.length !== HASH_BYTES || !Number.isSafeInteger(length)) {
    throw new CryptoError('INVALID_INPUT', `Not a blob id: ${String(id).slice(0, 120)}`);
  }
  return { room: roomBytes, root: rootBytes, size: length };
}

/** Blob ids inside a text (a row's JSON), for finding references. */
export function blobIdsIn(text: string): string[] {
  return text.match(/blob1\.[A-Za-z0-9_-]+\.[0-9]+\.[A-Za-z0-9_-]{43}/g) ?? [];
}

function writeU64(out: Uint8Array, at: number, value: number): void {
  const high = Math.floor(value / 2 ** 32);
  const low = value >>> 0;
  for (let i = 0; i < 4; i++) {
    out[at + i] = (high >>> (24 - 8 * i)) & 0xff;
    out[at + 4 + i] = (low >>> (24 - 8 * i)) & 0xff;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
