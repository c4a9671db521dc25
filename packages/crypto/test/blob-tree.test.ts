import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  BLOB_GROUP_BYTES, blobId, blobIdsIn, blobKey, blobRoot, CryptoError, groupBytes, groupCount, leafHash, parseBlobId, rangeProof, verifyRange,
} from '@discret/crypto';

const room = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const key = blobKey(room);

/** Leaf hashes of a blob of `count` groups whose group i holds the byte i. */
function leavesOf(count: number, k = key): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => leafHash(k, i, Uint8Array.of(i & 0xff)));
}

describe('blob hash tree', () => {
  test('group arithmetic: an empty blob has one empty group; the last group holds the rest', () => {
    expect(groupCount(0)).toBe(1);
    expect(groupBytes(0, 0)).toBe(0);
    expect(groupCount(BLOB_GROUP_BYTES)).toBe(1);
    expect(groupCount(BLOB_GROUP_BYTES + 1)).toBe(2);
    expect(groupBytes(BLOB_GROUP_BYTES + 1, 1)).toBe(1);
  });

  test('every range of every tree shape verifies with its proof, and only with its own leaves', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 70 }), fc.nat(), fc.nat(), (count, a, b) => {
        const size = (count - 1) * BLOB_GROUP_BYTES + 1;
        const leaves = leavesOf(count);
        const root = blobRoot(key, size, leaves);
        const from = a % count;
        const to = from + 1 + (b % (count - from));
        const proof = rangeProof(key, leaves, from, to);
        expect(proof.length).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(count) + 1));
        expect(verifyRange(key, size, root, from, leaves.slice(from, to), proof)).toBe(true);
        // A changed leaf, a shifted range, a wrong size or a truncated proof all fail.
        const changed = leaves.slice(from, to);
        changed[changed.length - 1] = leafHash(key, to - 1, Uint8Array.of(0xee, 1));
        expect(verifyRange(key, size, root, from, changed, proof)).toBe(false);
        if (from + 1 < to) expect(verifyRange(key, size, root, from + 1, leaves.slice(from, to - 1), proof)).toBe(false);
        expect(verifyRange(key, size + BLOB_GROUP_BYTES, root, from, leaves.slice(from, to), proof)).toBe(false);
        if (proof.length) expect(verifyRange(key, size, root, from, leaves.slice(from, to), proof.slice(1))).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  test('the same content in another room has an unrelated root', () => {
    const other = blobKey(Uint8Array.from({ length: 16 }, () => 9));
    const leaves = leavesOf(3);
    const otherLeaves = leavesOf(3, other);
    expect(blobRoot(key, 3 * BLOB_GROUP_BYTES, leaves)).not.toEqual(blobRoot(other, 3 * BLOB_GROUP_BYTES, otherLeaves));
    expect(leaves[0]).not.toEqual(otherLeaves[0]);
  });

  test('ids round-trip, are found inside text, and anything else is INVALID_INPUT', () => {
    const root = blobRoot(key, 5, leavesOf(1));
    const id = blobId({ room, root, size: 5 });
    expect(parseBlobId(id)).toEqual({ room, root, size: 5 });
    expect(blobIdsIn(JSON.stringify({ a: `see ${id}`, b: [id] }))).toEqual([id, id]);
    for (const bad of ['', 'blob1', `${id}.x`, id.replace('.5.', '.05.'), id.replace('blob1', 'blob2'), id.slice(0, -2)]) {
      expect(() => parseBlobId(bad)).toThrow(CryptoError);
    }
    expect(() => blobRoot(key, 5, leavesOf(2))).toThrow(/groups/);
    expect(() => rangeProof(key, leavesOf(2), 1, 1)).toThrow(CryptoError);
  });
});
