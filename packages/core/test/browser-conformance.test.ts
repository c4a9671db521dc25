// The conformance cases (conformance/) in a real headless Chromium through @discret/core's
// browser entry, and on Node through the same runner: every case ends the same way on both.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Discret } from '@discret/core';
import type { Page } from 'playwright-core';
import { type BrowserSession, bundlePage, driverAssets, indexPage, screenshotPath, startBrowser } from '../../../tooling/browser/harness.js';
import * as lang from '@discret/lang';
import { checkLanguage, type Lang, needsSystemModel } from '../../../tooling/conformance/language.js';
import { type Case, type Outcome, runCase } from '../../../tooling/conformance/runner.js';

const folder = resolve(import.meta.dirname, '../../../conformance');
const cases: Case[] = (process.env.CONFORMANCE_ONLY ? (c: Case[]) => c.filter((x) => x.name.includes(process.env.CONFORMANCE_ONLY!)) : (c: Case[]) => c)(readdirSync(folder).filter((f) => f.endsWith('.json') && f !== 'known-wrong.json')
  .sort().flatMap((f) => JSON.parse(readFileSync(join(folder, f), 'utf8')) as Case[]));
const root = mkdtempSync(join(tmpdir(), 'discret-conf-node-'));
/**
 * Known differences of the browser's SQLite build, each with its reason. A listed case must
 * still differ (so a fix shows).
 */
const BROWSER_DIFFERS: Record<string, string> = {};
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  const script = await bundlePage(resolve(import.meta.dirname, 'browser/conformance-page.ts'));
  browser = await startBrowser({ ...indexPage(), ...driverAssets(), '/page.js': { body: script, type: 'text/javascript' } });
  page = await browser.open();
  await page.waitForFunction(() => document.getElementById('out')?.textContent === 'ready', null, { timeout: 20_000 });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(root, { recursive: true, force: true });
});

async function inNode(): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const [i, c] of cases.entries()) {
    const app = await Discret.open({ transport: 'none', dataModel: c.dataModel, appKey: `conformance.${i}`, keyMaterial: new Uint8Array(32).fill(7), dataFolder: join(root, String(i)) });
    outcomes.push(await runCase(app, c));
  }
  return outcomes;
}

describe('conformance in Chromium', () => {
  test('the language checks give the same verdict, code and position in the browser as on Node', async () => {
    const languageCases = cases.filter((c) => !needsSystemModel(c));
    const inBrowser = await page.evaluate((c) => (window as unknown as { checkLanguage(c: unknown): string[] }).checkLanguage(c), languageCases);
    const node = languageCases.map((c) => checkLanguage(lang as unknown as Lang, c));
    expect(inBrowser).toEqual(node);
    // Not vacuous: nearly every case validates (the known differences from upstream do not).
    expect(node.filter((v) => v === 'ok').length).toBeGreaterThan(languageCases.length - 15);
  }, 60_000);

  test('every case ends in the browser as it ends on Node', async () => {
    if (!process.env.CONFORMANCE_ONLY) expect(cases.length).toBeGreaterThan(100);
    const inBrowser: Outcome[] = [];
    // In slices, so one evaluate call never runs for minutes.
    for (let first = 0; first < cases.length; first += 50) {
      const slice = cases.slice(first, first + 50);
      inBrowser.push(...(await page.evaluate(([s, f]) => (window as unknown as { runConformance(c: unknown, f: number): Promise<Outcome[]> }).runConformance(s, f), [slice, first] as const)));
    }
    await page.screenshot({ path: screenshotPath('conformance') });
    expect(await page.textContent('#out')).toBe(`${cases.length} cases run, ${inBrowser.filter((o) => o.ok).length} passed`);
    const node = await inNode();
    const summary = (outcomes: Outcome[]) => outcomes.map((o) => `${o.ok ? 'pass' : `fail (${o.detail})`} ${o.name}`);
    const same = (outcomes: Outcome[]) => summary(outcomes.filter((o) => !BROWSER_DIFFERS[o.name]));
    expect(same(inBrowser)).toEqual(same(node));
    for (const name of Object.keys(BROWSER_DIFFERS)) {
      const here = inBrowser.find((o) => o.name === name);
      if (here) expect({ name, ok: here.ok }).toEqual({ name, ok: !node.find((o) => o.name === name)!.ok });
    }
    // The cases that fail on Node are the known ones (conformance/LOCAL.md): the browser run is not vacuous.
    expect(node.filter((o) => o.ok).length).toBeGreaterThan(cases.length - 15);
    expect(browser.logs.filter((l) => l.startsWith('pageerror'))).toEqual([]);
    // The browser's databaseExists (asynchronous, in OPFS) and the persistence answer.
    const storage = await page.evaluate(() => (window as unknown as { storage(): Promise<{ persisted: boolean; exists: boolean; missing: boolean }> }).storage());
    expect(storage).toEqual({ persisted: false, exists: true, missing: false }); // headless Chromium does not grant persistence
  }, 300_000);
});
