// The page of browser-conformance.test.ts: the conformance cases through @discret/core's
// browser entry (OPFS storage in a worker), with the runner the Node side uses.
import { Discret, databaseExists, persistentStorage } from '@discret/core';
import * as lang from '@discret/lang';
import { checkLanguage, type Lang } from '../../../../tooling/conformance/language.js';
import { type Case, type Outcome, runCase } from '../../../../tooling/conformance/runner.js';

const out = document.getElementById('out')!;
const keyMaterial = new Uint8Array(32).fill(7);
/** Totals over every call (the test sends the cases in slices). */
let run = 0;
let passed = 0;

Object.assign(window, {
  storage: async () => ({ persisted: await persistentStorage(), exists: await databaseExists('conformance.0', 'conformance/0'), missing: await databaseExists('nothing', 'here') }),
  checkLanguage: (cases: Case[]) => cases.map((c) => checkLanguage(lang as unknown as Lang, c)),
  runConformance: async (cases: Case[], first: number): Promise<Outcome[]> => {
    const outcomes: Outcome[] = [];
    for (const [offset, c] of cases.entries()) {
      const i = first + offset;
      try {
        const app = await Discret.open({ transport: 'none', dataModel: c.dataModel, appKey: `conformance.${i}`, keyMaterial, dataFolder: `conformance/${i}` });
        outcomes.push(await runCase(app, c));
      } catch (error) {
        outcomes.push({ name: c.name, ok: false, detail: `open: ${(error as { code?: string }).code} ${(error as Error).message}` });
      }
      run++;
      if (outcomes[outcomes.length - 1]!.ok) passed++;
      out.textContent = `${run} cases run, ${passed} passed`;
    }
    return outcomes;
  },
});
out.textContent = 'ready';
