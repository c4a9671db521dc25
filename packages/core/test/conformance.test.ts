// Runs every case of the repository's conformance/ folder through the public API, as they are, on both
// storage drivers (SQLCipher files and node:sqlite files).
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discret, nodeSqliteDriver, sqlcipherDriver, type StoreDriver } from '@discret/core';
import { type Case, runCase } from '../../../tooling/conformance/runner.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'conformance');
const cases: Case[] = readdirSync(dir).filter((f) => f.endsWith('.json') && f !== 'known-wrong.json').flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Case[]);
/** Shared cases that contradict upstream: kept identical to the shared copy, run as failing (see LOCAL.md). */
const knownWrong = JSON.parse(readFileSync(join(dir, 'known-wrong.json'), 'utf8')) as Record<string, string>;
const root = mkdtempSync(join(tmpdir(), 'discret-conf-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const keyMaterial = new Uint8Array(32).fill(7);

describe.each([
  ['sqlcipher', sqlcipherDriver()],
  ['node:sqlite', nodeSqliteDriver()],
] as [string, StoreDriver][])('conformance on %s', (driverName, driver) => {
  test('there are cases', () => expect(cases.length).toBeGreaterThan(0));
  // The runner the browser test uses too (tooling/conformance/runner.ts); its detail says which step failed and how.
  const run = async (c: Case, i: number) => {
    const app = await Discret.open({ transport: 'none', dataModel: c.dataModel, appKey: `conformance.${i}`, keyMaterial, dataFolder: join(root, driverName.replace(':', '_'), String(i)), driver });
    expect(await runCase(app, c)).toEqual({ name: c.name, ok: true });
  };
  for (const [i, c] of cases.entries()) {
    if (c.differs) test.failing(`${c.name} [differs from upstream: ${c.differs}]`, () => run(c, i));
    else if (knownWrong[c.name]) test.failing(`${c.name} [this case is wrong: ${knownWrong[c.name]}]`, () => run(c, i));
    else test(c.name, () => run(c, i));
  }
});
