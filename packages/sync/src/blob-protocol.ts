import { BLOB_GROUP_BYTES, groupBytes, groupCount } from '@discret/crypto';
import { SyncError } from './errors.js';

/**
 * The messages of a blob stream: a stream of its own per transfer, beside the request stream,
 * so that a large transfer shares the connection with row sync (the multiplexer interleaves
 * streams) instead of holding up the requests queued behind it.
 *
 * - `blobGet {room, root, size, from, to}`: groups [from, to) of the blob, at most
 *   MAX_BLOB_WINDOW. The answerer checks the room is shared with the asker before reading
 *   anything, and answers `error` otherwise, or `blobMissing` when it does not hold the blob
 *   whole;
 * - else `blobProof {leaves, proof}` (the range's leaf hashes and the hashes beside it, see
 *   @discret/crypto's blob-tree.ts), then one `blobGroup {index, data}` per group, in order.
 *
 * The asker may send the next `blobGet` after the last group, on the same stream.
 */

/** Groups asked per `blobGet` at most (16 MiB): bounds what one request holds on either side. */
export const MAX_BLOB_WINDOW = 256;
/** Hashes in a proof at most: twice the depth of a tree of 2^53 groups, with room to spare. */
const MAX_PROOF_HASHES = 128;

export interface BlobGet {
  room: string;
  root: Uint8Array;
  size: number;
  from: number;
  to: number;
}

export interface BlobProof {
  leaves: Uint8Array[];
  proof: Uint8Array[];
}

export interface BlobGroup {
  index: number;
  data: Uint8Array;
}

const malformed = (message: string) => new SyncError('PROTOCOL', message);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isHash = (v: unknown): v is Uint8Array => isBytes(v) && v.length === 32;

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed(`${what} is a map`);
  return v as Record<string, unknown>;
}

export function decodeBlobGet(wire: unknown): BlobGet {
  const { room, root, size, from, to } = object(wire, 'A blobGet');
  if (typeof room !== 'string' || !isHash(root) || !Number.isSafeInteger(size) || (size as number) < 0) throw malformed('A blobGet names a room, a root and a size');
  const count = groupCount(size as number);
  const ok = Number.isSafeInteger(from) && Number.isSafeInteger(to) && (from as number) >= 0 && (to as number) <= count
    && (from as number) < (to as number) && (to as number) - (from as number) <= MAX_BLOB_WINDOW;
  if (!ok) throw malformed(`A blobGet asks for 1 to ${MAX_BLOB_WINDOW} groups of the blob`);
  return { room, root, size: size as number, from: from as number, to: to as number };
}

/** A proof for `asked`: one leaf per group asked, and a bounded list of hashes. */
export function decodeBlobProof(wire: unknown, asked: BlobGet): BlobProof {
  const { leaves, proof } = object(wire, 'A blobProof');
  if (!Array.isArray(leaves) || leaves.length !== asked.to - asked.from || !leaves.every(isHash)) throw malformed('A blobProof has one leaf hash per group asked');
  if (!Array.isArray(proof) || proof.length > MAX_PROOF_HASHES || !proof.every(isHash)) throw malformed('A blobProof has a bounded list of hashes');
  return { leaves, proof };
}

/** A group, which must be `expected` and hold exactly that group's bytes. */
export function decodeBlobGroup(wire: unknown, asked: BlobGet, expected: number): BlobGroup {
  const { index, data } = object(wire, 'A blobGroup');
  if (index !== expected) throw malformed(`Expected group ${expected}, got ${String(index)}`);
  if (!isBytes(data) || data.length !== groupBytes(asked.size, expected) || data.length > BLOB_GROUP_BYTES) throw malformed(`Group ${expected} has the wrong length`);
  return { index: expected, data };
}
