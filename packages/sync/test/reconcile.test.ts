// Range-based reconciliation as pure logic: random sets on both sides, the protocol run to its
// end, and what each side learns checked against the true differences.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { decodeMessage, encodeFrame, ItemSet, reconcileFromWire, reconcileToWire, Reconciler, type ReconcileItem, type ReconcileMessage, type ReconcileOptions } from '@discret/sync';
import { hash } from '@discret/crypto';

/** An item as sync builds them: 8-byte big-endian date, then an id; hashed content. */
function item(date: number, id: number, version = 0): ReconcileItem {
  const key = new Uint8Array(12);
  const view = new DataView(key.buffer);
  view.setBigUint64(0, BigInt(date));
  view.setUint32(8, id);
  return { key, hash: hash(Uint8Array.of(...key, version)) };
}

const text = (k: Uint8Array) => Buffer.from(k).toString('hex');
/** Bytes of the varint length prefix at the start of a frame. */
const lengthPrefix = (frame: Uint8Array) => {
  let i = 0;
  while (frame[i]! & 0x80) i++;
  return i + 1;
};

/** Runs the protocol between two sets; returns what each learned, rounds and bytes. */
function run(a: ReconcileItem[], b: ReconcileItem[], options?: ReconcileOptions) {
  const sets = { a: new ItemSet(a), b: new ItemSet(b) };
  const left = new Reconciler(sets.a, options);
  const right = new Reconciler(sets.b, options);
  const learned = { aHave: new Set<string>(), aNeed: new Set<string>(), bHave: new Set<string>(), bNeed: new Set<string>() };
  let message: ReconcileMessage | null = left.initiate();
  // Every message goes through the real wire encoding and back.
  const wire = (m: ReconcileMessage) => {
    const frame = encodeFrame({ type: 'reconcile', body: reconcileToWire(m) });
    bytes += frame.length;
    return reconcileFromWire(decodeMessage(frame.subarray(lengthPrefix(frame))).body);
  };
  let bytes = 0;
  let haveRanges = 0;
  message = wire(message);
  let messages = 1;
  let turn: 'a' | 'b' = 'b';
  while (message) {
    if (messages > 100) throw new Error('no end in sight');
    const step = (turn === 'b' ? right : left).respond(message);
    for (const k of step.have) learned[turn === 'b' ? 'bHave' : 'aHave'].add(text(k));
    // "everything I have in [lower, upper)": the other side fetches the whole range and skips
    // what it already has, which is at most the few keys it listed there.
    for (const r of step.haveRanges) {
      const set = sets[turn];
      const other = sets[turn === 'b' ? 'a' : 'b'];
      const keys = set.items.slice(set.indexOf(r.lower), set.indexOf(r.upper)).map((it) => text(it.key));
      const known = new Set(other.items.map((it) => text(it.key)));
      expect(keys.filter((k) => known.has(k)).length).toBeLessThanOrEqual(options?.listThreshold ?? 32);
      for (const k of keys) if (!known.has(k)) learned[turn === 'b' ? 'bHave' : 'aHave'].add(k);
    }
    haveRanges += step.haveRanges.length;
    for (const k of step.need) learned[turn === 'b' ? 'bNeed' : 'aNeed'].add(text(k));
    message = step.reply ? wire(step.reply) : null;
    if (message) messages++;
    turn = turn === 'b' ? 'a' : 'b';
  }
  return { learned, messages, bytes, haveRanges };
}

function expectConverges(a: ReconcileItem[], b: ReconcileItem[], options?: ReconcileOptions) {
  const { learned, messages, bytes } = run(a, b, options);
  const aKeys = new Set(a.map((i) => text(i.key)));
  const bKeys = new Set(b.map((i) => text(i.key)));
  const aOnly = [...aKeys].filter((k) => !bKeys.has(k)).sort();
  const bOnly = [...bKeys].filter((k) => !aKeys.has(k)).sort();
  // Everything A alone has is pushed by A or asked for by B, and the other way round.
  expect([...new Set([...learned.aHave, ...learned.bNeed])].sort()).toEqual(aOnly);
  expect([...new Set([...learned.bHave, ...learned.aNeed])].sort()).toEqual(bOnly);
  return { messages, bytes };
}

describe('range-based reconciliation', () => {
  test('random sets of any overlap converge (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }),
        fc.array(fc.constantFrom('both', 'a', 'b'), { minLength: 400, maxLength: 400 }),
        fc.integer({ min: 2, max: 20 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 300 }),
        (ids, sides, branches, listThreshold, maxListedHave) => {
          const a: ReconcileItem[] = [];
          const b: ReconcileItem[] = [];
          ids.forEach((id, i) => {
            const it = item(1_700_000_000_000 + id * 1000, id);
            if (sides[i] !== 'b') a.push(it);
            if (sides[i] !== 'a') b.push(it);
          });
          expectConverges(a, b, { branches, listThreshold, maxListedHave });
        },
      ),
      { numRuns: 150 },
    );
  });

  test('an empty side sends an empty list and receives everything in one exchange', () => {
    const full = Array.from({ length: 5000 }, (_, i) => item(1_700_000_000_000 + i, i));
    const { learned, messages, haveRanges } = run([], full);
    expect(messages).toBe(1);
    expect(learned.bHave.size).toBe(5000);
    // named as one range, not 5000 keys
    expect(haveRanges).toBe(1);
  });

  test('malformed reconcile messages are refused', () => {
    for (const bad of [null, [[1, 0]], [[null, 1, new Uint8Array(3)]], [[null, 2, ['x']]], [[null, 7]], new Array(5000).fill([null, 0])]) {
      expect(() => reconcileFromWire(bad)).toThrow(expect.objectContaining({ name: 'SyncError', code: 'PROTOCOL' }));
    }
  });

  test('identical sets end after the first fingerprint', () => {
    const set = Array.from({ length: 10_000 }, (_, i) => item(1_700_000_000_000 + i, i));
    expect(run(set, set).messages).toBe(1);
  });

  test('cost grows with the differences, not the set (printed for the record)', () => {
    const base = Array.from({ length: 100_000 }, (_, i) => item(1_700_000_000_000 + i * 10, i));
    const rows: string[] = [];
    const costs: number[] = [];
    for (const d of [1, 10, 100, 1000]) {
      const extra = Array.from({ length: d }, (_, i) => item(1_700_000_000_000 + Math.floor((i * 1_000_000) / d) + 5, 10_000_000 + i));
      const { messages, bytes } = expectConverges(base, [...base, ...extra]);
      rows.push(`d=${d}: ${messages} messages, ${bytes} bytes`);
      costs.push(bytes);
    }
    console.log(`reconciliation of 100k items:\n${rows.join('\n')}`);
    // One difference in 100k costs a few KiB, not the 100k keys (2.5 MB as a list).
    expect(costs[0]).toBeLessThan(20_000);
    expect(costs[3]).toBeGreaterThan(costs[0]!);
  });
});
