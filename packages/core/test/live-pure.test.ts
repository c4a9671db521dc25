// The pure parts of live queries, without a database: structural sharing (share.ts) and what a
// query depends on (live-deps.ts).
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { DataModel, validateQuery } from '@discret/lang';
import { CommitChanges, queryDependencies, wakes } from '../src/live-deps.ts';
import { share } from '../src/share.ts';

const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, fc.integer({ min: 0, max: 3 }), fc.constantFrom('a', 'b', null, true), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.constantFrom('id', 'x', 'y'), tie('value'), { maxKeys: 3 }),
})).value;

/** JSON with sorted keys: equal values, equal text. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

describe('share', () => {
  test('the result equals the new value, and is the old one exactly when they are equal', () => {
    fc.assert(fc.property(json, json, (previous, next) => {
      const shared = share(previous, next);
      expect(shared).toEqual(next);
      const equal = canonical(previous) === canonical(next);
      if (typeof next === 'object' && next !== null) expect(shared === previous).toBe(equal);
    }), { numRuns: 2000 });
  });

  test('every part equal to the old part at the same place is the old object (rows without ids)', () => {
    const noIds = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.integer({ min: 0, max: 2 }), tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 3 }),
      object: fc.dictionary(fc.constantFrom('x', 'y'), tie('value'), { maxKeys: 2 }),
    })).value;
    const check = (old: unknown, next: unknown, shared: unknown): void => {
      if (typeof next !== 'object' || next === null) return;
      const sameShape = typeof old === 'object' && old !== null && Array.isArray(old) === Array.isArray(next);
      if (sameShape && canonical(old) === canonical(next)) {
        expect(shared).toBe(old);
        return;
      }
      for (const key of Object.keys(next)) {
        check(sameShape ? (old as Record<string, unknown>)[key] : undefined, (next as Record<string, unknown>)[key], (shared as Record<string, unknown>)[key]);
      }
    };
    fc.assert(fc.property(noIds, noIds, (previous, next) => check(previous, next, share(previous, next))), { numRuns: 2000 });
  });

  test('rows are matched by id: a row that moved keeps its object, a changed row gets a new one', () => {
    const before = { t: [{ id: 'b', title: 'b' }, { id: 'c', title: 'c' }] };
    const after = share(before, { t: [{ id: 'a', title: 'a' }, { id: 'b', title: 'b' }, { id: 'c', title: 'C' }] });
    expect(after.t[1]).toBe(before.t[0]);
    expect(after.t[2]).not.toBe(before.t[1]);
    expect(after.t[2]).toEqual({ id: 'c', title: 'C' });
  });
});

describe('queryDependencies and wakes', () => {
  const model = DataModel.parse('chat { Thread { title: String, messages: [Message] nullable } Message { text: String, n: Integer default 0 } Draft { text: String } }');
  const ROOM = 'AaJRtVL2AABZVFDLiZVB3A';
  const deps = (text: string, params?: Record<string, unknown>) => queryDependencies(validateQuery(model, text), params);
  const touched = (room: string | null, ...entities: string[]) => new CommitChanges(new Map([[room, new Set(entities)]]), null);
  const wrote = (room: string | null, entity: string, before: string | null | undefined, after: string | null | undefined) =>
    new CommitChanges(new Map([[room, new Set([entity])]]), [{ entity, room, before, after }]);

  test('a top-level room filter pins the entity to that room; nested entities are read in any room', () => {
    const d = deps('query { t: chat.Thread(room_id = $r) { title messages { text } } }', { r: ROOM });
    expect(d.map(({ entity, rooms }) => ({ entity, rooms }))).toEqual([{ entity: 'chat.Thread', rooms: new Set([ROOM]) }, { entity: 'chat.Message', rooms: null }]);
    expect(wakes(d, touched(ROOM, 'chat.Thread'))).toBe(true);
    expect(wakes(d, touched('AAAAAAAAAAAAAAAAAAAAAA', 'chat.Thread'))).toBe(false);
    expect(wakes(d, touched('AAAAAAAAAAAAAAAAAAAAAA', 'chat.Message'))).toBe(true);
    expect(wakes(d, touched(ROOM, 'chat.Draft'))).toBe(false);
  });

  test('without a room filter any room wakes it, local data included; room_id = null reads local data only', () => {
    expect(wakes(deps('query { d: chat.Draft { text } }'), touched(null, 'chat.Draft'))).toBe(true);
    expect(wakes(deps('query { d: chat.Draft { text } }'), touched(ROOM, 'chat.Draft'))).toBe(true);
    const local = deps('query { d: chat.Draft(room_id = null) { text } }');
    expect(wakes(local, touched(null, 'chat.Draft'))).toBe(true);
    expect(wakes(local, touched(ROOM, 'chat.Draft'))).toBe(false);
  });

  test("a written row wakes a query only when a version of it, before or after, passes the query's filters", () => {
    const d = deps('query { m: chat.Message(room_id = $r, n = $k) { text } }', { r: ROOM, k: 7 });
    const m = 'chat.Message';
    expect(wakes(d, wrote(ROOM, m, null, '{"32":"x","33":7}'))).toBe(true); // inserted with n = 7
    expect(wakes(d, wrote(ROOM, m, null, '{"32":"x","33":8}'))).toBe(false); // another value
    expect(wakes(d, wrote(ROOM, m, '{"32":"x","33":7}', '{"32":"x","33":8}'))).toBe(true); // left the filter
    expect(wakes(d, wrote(ROOM, m, '{"32":"x","33":7}', null))).toBe(true); // deleted
    expect(wakes(d, wrote(ROOM, m, undefined, undefined))).toBe(true); // a link: values unknown
    expect(wakes(d, wrote(ROOM, m, null, '{"32":"x"}'))).toBe(true); // n not stored: not sure
    expect(wakes(d, touched(ROOM, m))).toBe(true); // rows not listed
    // Ranges on numbers; text by equality only; a filter on a system field excludes nothing.
    const range = deps('query { m: chat.Message(n > 5, n <= 9) { text } }');
    expect([4, 5, 6, 9, 10].map((n) => wakes(range, wrote(ROOM, m, null, `{"33":${n}}`)))).toEqual([false, false, true, true, false]);
    const text = deps('query { m: chat.Message(text = "hi") { n } }');
    expect(wakes(text, wrote(ROOM, m, null, '{"32":"hi"}'))).toBe(true);
    expect(wakes(text, wrote(ROOM, m, null, '{"32":"ho"}'))).toBe(false);
    expect(wakes(deps('query { m: chat.Message(text > "a") { n } }'), wrote(ROOM, m, null, '{"32":"0"}'))).toBe(true);
    expect(wakes(deps('query { m: chat.Message(mdate > 5) { n } }'), wrote(ROOM, m, null, '{"32":"0"}'))).toBe(true);
  });

  test('property: the query wakes exactly when a version of the row passes the filters and what it reads changed', () => {
    const ops = ['=', '!=', '<', '<=', '>', '>='] as const;
    fc.assert(fc.property(fc.constantFrom(...ops), fc.integer({ min: 0, max: 5 }), fc.option(fc.integer({ min: 0, max: 5 })), fc.option(fc.integer({ min: 0, max: 5 })), (op, k, before, after) => {
      const d = deps(`query { m: chat.Message(n ${op} $k) { text } }`, { k });
      const passes = (n: number | null) => n !== null && { '=': n === k, '!=': n !== k, '<': n < k, '<=': n <= k, '>': n > k, '>=': n >= k }[op];
      const json = (n: number | null) => (n === null ? null : `{"33":${n}}`);
      const woke = wakes(d, wrote(ROOM, 'chat.Message', json(before), json(after)));
      // An update that changed nothing the query reads (n here) leaves it as it was.
      const unchanged = before !== null && after !== null && before === after;
      expect(woke).toBe(!unchanged && (passes(before) || passes(after)));
    }), { numRuns: 1000 });
  });

  test('an update that leaves every field the query reads as it was wakes nothing', () => {
    const m = 'chat.Message';
    const text = deps('query { m: chat.Message { text } }');
    expect(wakes(text, wrote(ROOM, m, '{"32":"a","33":1}', '{"32":"a","33":2}'))).toBe(false); // n changed, not read
    expect(wakes(text, wrote(ROOM, m, '{"32":"a","33":1}', '{"32":"b","33":1}'))).toBe(true);
    expect(wakes(text, wrote(ROOM, m, null, '{"32":"a"}'))).toBe(true); // an insert always counts
    // Read by a filter or an order, or through an aggregate: counts.
    expect(wakes(deps('query { m: chat.Message(n > 0) { text } }'), wrote(ROOM, m, '{"32":"a","33":1}', '{"32":"a","33":2}'))).toBe(true);
    expect(wakes(deps('query { m: chat.Message(order_by(n asc)) { text } }'), wrote(ROOM, m, '{"32":"a","33":1}', '{"32":"a","33":2}'))).toBe(true);
    expect(wakes(deps('query { m: chat.Message { s: sum(n) } }'), wrote(ROOM, m, '{"32":"a","33":1}', '{"32":"a","33":2}'))).toBe(true);
    expect(wakes(deps('query { m: chat.Message { c: count() } }'), wrote(ROOM, m, '{"32":"a","33":1}', '{"32":"b","33":2}'))).toBe(false);
    // mdate changes with every update: a query that reads it always counts.
    expect(wakes(deps('query { m: chat.Message { text mdate } }'), wrote(ROOM, m, '{"32":"a","33":1}', '{"32":"a","33":2}'))).toBe(true);
  });

  test('a touched entity whose rows the commit did not list wakes its queries; several filters must all pass', () => {
    // Rows listed for the thread only, but the message entity touched too (a link written): not sure, so it wakes.
    const changes = new CommitChanges(new Map([[ROOM, new Set(['chat.Thread', 'chat.Message'])]]), [{ entity: 'chat.Thread', room: ROOM, before: null, after: '{"32":"t"}' }]);
    expect(wakes(deps('query { m: chat.Message(n = 1) { text } }'), changes)).toBe(true);
    expect(wakes(deps('query { d: chat.Draft { text } }'), changes)).toBe(false);
    const both = deps('query { m: chat.Message(n > 1, text = "a") { n } }');
    expect(wakes(both, wrote(ROOM, 'chat.Message', null, '{"32":"a","33":2}'))).toBe(true);
    expect(wakes(both, wrote(ROOM, 'chat.Message', null, '{"32":"b","33":2}'))).toBe(false);
    expect(wakes(both, wrote(ROOM, 'chat.Message', null, '{"32":"a","33":1}'))).toBe(false);
  });

  test("a nested block's own filters narrow the wake-ups of its entity", () => {
    const d = deps('query { t: chat.Thread(room_id = $r) { title messages(n = 3) { text } } }', { r: ROOM });
    const m = 'chat.Message';
    expect(wakes(d, wrote('AAAAAAAAAAAAAAAAAAAAAA', m, null, '{"32":"x","33":3}'))).toBe(true); // any room: a link may lead there
    expect(wakes(d, wrote(ROOM, m, null, '{"32":"x","33":4}'))).toBe(false);
    expect(wakes(d, wrote(ROOM, m, '{"32":"x","33":3}', '{"32":"y","33":3}'))).toBe(true);
    expect(wakes(d, wrote(ROOM, m, '{"32":"x","33":3}', '{"32":"x","33":3}'))).toBe(false);
  });
});
