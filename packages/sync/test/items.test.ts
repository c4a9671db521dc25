// Item keys: the cheap range check agrees with comparing full keys, for any records and bounds.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import type { NodeRecord } from '@discret/store';
import { batchWithin, compareKeys, keysOfBatch } from '@discret/sync';

const node = (mdate: number, sig: number): NodeRecord => ({
  id: new Uint8Array(16), roomId: new Uint8Array(16), entity: '1.0', cdate: 0, mdate, json: null, binary: null,
  verifyingKey: new Uint8Array(32), signature: new Uint8Array(64).fill(sig),
});

describe('batchWithin', () => {
  test('agrees with full-key comparison (property)', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 3 })), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 0, max: 7 }), fc.option(fc.integer({ min: 0, max: 7 })), fc.boolean(),
      (rows, lowPick, highPick, emptyLower) => {
        const nodes = rows.map(([d, s]) => node(d, s));
        const keys = keysOfBatch({ nodes });
        const sorted = [...keys].sort(compareKeys);
        const lower = emptyLower ? new Uint8Array(0) : sorted[lowPick % sorted.length]!;
        const upper = highPick === null ? null : sorted[highPick % sorted.length]!;
        const expected = keys.every((k) => compareKeys(k, lower) >= 0 && (upper === null || compareKeys(k, upper) < 0));
        expect(batchWithin({ nodes }, lower, upper)).toBe(expected);
      },
    ), { numRuns: 300 });
  });
});
