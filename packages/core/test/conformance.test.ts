// Runs every case of the repository's conformance/ folder through the public API, as they are, on both
// storage drivers (SQLCipher files and node:sqlite files).
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discret, DiscretError, nodeSqliteDriver, sqlcipherDriver, type StoreDriver } from '@discret/core';

interface Step {
  mutate?: string; query?: string; delete?: string; updateDataModel?: string;
  params?: Record<string, unknown>; save?: Record<string, string>;
  expect?: unknown; expectError?: string; expectKeys?: string[];
}
/** `differs`: a known difference from upstream, run as a failing test so that fixing it shows. */
interface Case { name: string; dataModel: string; steps: Step[]; differs?: string }

const dir = join(import.meta.dirname, '..', '..', '..', 'conformance');
const cases: Case[] = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'known-wrong.json').flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Case[]);
/** Shared cases that contradict upstream: kept identical to the shared copy, run as failing (see LOCAL.md). */
const knownWrong = JSON.parse(readFileSync(join(dir, 'known-wrong.json'), 'utf8')) as Record<string, string>;
const root = mkdtempSync(join(tmpdir(), 'discret-conf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keyMaterial = new Uint8Array(32).fill(7);

function resolveParams(params: Record<string, unknown> | undefined, saved: Map<string, unknown>) {
  if (!params) return undefined;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => {
    if (typeof v === 'string' && v.startsWith('@@')) return [k, v.slice(1)];
    if (typeof v === 'string' && v.startsWith('@')) return [k, saved.get(v.slice(1))];
    return [k, v];
  }));
}

/** Our extension (conformance/LOCAL.md): in `expect`, "@name" stands for a saved value too. */
function resolveExpected(value: unknown, saved: Map<string, unknown>): unknown {
  if (typeof value === 'string' && value.startsWith('@@')) return value.slice(1);
  if (typeof value === 'string' && value.startsWith('@')) return saved.get(value.slice(1));
  if (Array.isArray(value)) return value.map((v) => resolveExpected(v, saved));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveExpected(v, saved)]));
  return value;
}

function pathGet(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | undefined)?.[key], value);
}

/** Arrays compare in order only where the request sorts them; elsewhere as multisets. */
function normalise(value: unknown, ordered: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normalise(v, ordered));
    return ordered ? items : items.map((v) => JSON.stringify(v)).sort().map((v) => JSON.parse(v) as unknown);
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, ordered)]));
  return value;
}

describe.each([
  ['sqlcipher', sqlcipherDriver()],
  ['node:sqlite', nodeSqliteDriver()],
] as [string, StoreDriver][])('conformance on %s', (driverName, driver) => {
  test('there are cases', () => expect(cases.length).toBeGreaterThan(0));
  const run = async (c: Case, i: number) => {
    const app = await Discret.open({ transport: 'none', dataModel: c.dataModel, appKey: `conformance.${i}`, keyMaterial, dataFolder: join(root, driverName.replace(":", "_"), String(i)), driver });
    const saved = new Map<string, unknown>();
    try {
      for (const [n, step] of c.steps.entries()) {
        const params = resolveParams(step.params, saved);
        const text = step.mutate ?? step.query ?? step.delete ?? step.updateDataModel!;
        const run = async (): Promise<unknown> => {
          if (step.mutate !== undefined) return app.mutate(step.mutate, params);
          if (step.query !== undefined) return app.query(step.query, params);
          if (step.delete !== undefined) return app.delete(step.delete, params);
          return app.updateDataModel(step.updateDataModel!);
        };
        if (step.expectError) {
          const error = await run().then(() => undefined, (e: unknown) => e);
          expect(error).toBeInstanceOf(DiscretError);
          expect({ step: n, code: (error as DiscretError).code }).toEqual({ step: n, code: step.expectError });
          continue;
        }
        const result = await run();
        for (const [name, path] of Object.entries(step.save ?? {})) saved.set(name, pathGet(result, path));
        if (step.expect !== undefined) {
          const ordered = /order_by/.test(text);
          expect(normalise(result, ordered)).toEqual(normalise(resolveExpected(step.expect, saved), ordered));
        }
        if (step.expectKeys) {
          for (const tuple of Object.values(result as Record<string, Record<string, unknown>>)) {
            for (const key of step.expectKeys) expect(tuple).toHaveProperty(key);
          }
        }
      }
    } finally {
      await app.close();
    }
  };
  for (const [i, c] of cases.entries()) {
    if (c.differs) test.failing(`${c.name} [differs from upstream: ${c.differs}]`, () => run(c, i));
    else if (knownWrong[c.name]) test.failing(`${c.name} [this case is wrong: ${knownWrong[c.name]}]`, () => run(c, i));
    else test(c.name, () => run(c, i));
  }
});
