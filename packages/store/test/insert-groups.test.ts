// A driver's batch turns runs of single-row INSERTs into multi-row ones (insert-groups.ts).
// Property: any sequence of inserts (plain, OR IGNORE, OR REPLACE) and deletes on a few
// tables leaves the same rows through a driver's batch as statement by statement.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { nodeSqliteDriver, type SqlValue, sqlcipherDriver, type StoreDriver } from '@discret/store';
import { insertShape, planSteps, ROWS_PER_INSERT } from '../src/insert-groups.js';

const SCHEMA = `CREATE TABLE a (k INTEGER PRIMARY KEY, v TEXT);
  CREATE TABLE b (k BLOB PRIMARY KEY, n INTEGER, v TEXT) WITHOUT ROWID;`;
const STATEMENTS = [
  'INSERT OR REPLACE INTO a (k, v) VALUES (?, ?)',
  'INSERT OR IGNORE INTO a (k, v) VALUES (?, ?)',
  'INSERT OR REPLACE INTO b (k, n, v) VALUES (?, ?, ?)',
  'INSERT OR IGNORE INTO b VALUES (?, ?, ?)',
  'DELETE FROM a WHERE k = ?',
  'DELETE FROM b WHERE k = ?',
];

type Step = { sql: string; params: SqlValue[] };
const key = fc.integer({ min: 0, max: 40 });
const rowOfA = (s: number) => fc.tuple(key, fc.string()).map(([k, v]): Step => ({ sql: STATEMENTS[s]!, params: [k, v] }));
const rowOfB = (s: number) => fc.tuple(key, fc.integer(), fc.string()).map(([k, n, v]): Step => ({ sql: STATEMENTS[s]!, params: [new Uint8Array([k]), n, v] }));
// Segments long enough to fill groups: rows of both tables mixed (one INSERT text per table
// in a segment, so they group), then maybe a delete; keys collide often.
const segment: fc.Arbitrary<Step[]> = fc
  .tuple(fc.constantFrom(0, 1), fc.constantFrom(2, 3), fc.integer({ min: 0, max: 3 * ROWS_PER_INSERT }), fc.option(fc.tuple(fc.constantFrom(4, 5), key)))
  .chain(([a, b, length, del]) =>
    fc.array(fc.oneof(rowOfA(a), rowOfB(b)), { minLength: length, maxLength: length }).map((rows) => {
      if (del) rows.push({ sql: STATEMENTS[del[0]]!, params: [del[0] === 4 ? del[1] : new Uint8Array([del[1]])] });
      return rows;
    }),
  );
const steps = fc.array(segment, { maxLength: 6 }).map((segments) => segments.flat());

describe('insert groups', () => {
  test('only single-row INSERTs of placeholders have a shape', () => {
    expect(insertShape('INSERT OR REPLACE INTO _node (id, v) VALUES (?, ?)')).toMatchObject({ table: '_node', tuple: '(?, ?)' });
    expect(insertShape('INSERT INTO t VALUES (?)')).toMatchObject({ table: 't', tuple: '(?)' });
    for (const sql of ['INSERT INTO t (a) VALUES (1)', 'INSERT INTO t (a) SELECT ?', 'INSERT INTO t (a) VALUES (?) ON CONFLICT DO NOTHING', 'DELETE FROM t WHERE a = ?', 'INSERT INTO t VALUES (?), (?)']) {
      expect(insertShape(sql)).toBeNull();
    }
  });

  test('a run of rows of two tables becomes groups per table, the remainder row by row', () => {
    const steps: Step[] = [];
    for (let i = 0; i < ROWS_PER_INSERT + 3; i++) steps.push({ sql: STATEMENTS[0]!, params: [i, 'x'] }, { sql: STATEMENTS[2]!, params: [new Uint8Array([i]), i, 'y'] });
    steps.push({ sql: STATEMENTS[4]!, params: [1] });
    const plan = planSteps(steps);
    expect(plan.map((p) => ('step' in p ? 1 : p.rows.length))).toEqual([ROWS_PER_INSERT, 1, 1, 1, ROWS_PER_INSERT, 1, 1, 1, 1]);
    expect(plan.at(-1)).toEqual({ step: steps.at(-1) });
  });

  test.each([
    ['node:sqlite', nodeSqliteDriver()],
    ['sqlcipher', sqlcipherDriver()],
  ] as [string, StoreDriver][])('a batch on %s leaves the rows that running its steps one by one leaves', async (_name, driver) => {
    const dir = mkdtempSync(join(tmpdir(), 'discret-groups-'));
    try {
      const batched = await driver.open({ path: join(dir, 'batched.db'), key: new Uint8Array(32).fill(1) });
      const oneByOne = await driver.open({ path: join(dir, 'one.db'), key: new Uint8Array(32).fill(1) });
      await batched.exec(SCHEMA);
      await oneByOne.exec(SCHEMA);
      const contents = async (conn: typeof batched) => [await conn.all('SELECT * FROM a ORDER BY k'), await conn.all('SELECT * FROM b ORDER BY k')];
      await fc.assert(
        fc.asyncProperty(steps, async (steps) => {
          // In a transaction, as the writer runs them (and without a sync per statement).
          for (const conn of [batched, oneByOne]) await conn.exec('DELETE FROM a; DELETE FROM b; BEGIN');
          await batched.batch(steps);
          for (const s of steps) await oneByOne.run(s.sql, s.params);
          for (const conn of [batched, oneByOne]) await conn.exec('COMMIT');
          expect(await contents(batched)).toEqual(await contents(oneByOne));
        }),
        { numRuns: 100 },
      );
      await batched.close();
      await oneByOne.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
