// Runs the language side of the repository's conformance/ folder (tooling/conformance/language.ts,
// the check the browser test runs too): every request text must parse and validate against its
// case's data model, except the steps that expect a language error, which must fail with
// exactly that code. The full runs (with a store) live in @discret/core.
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as lang from '@discret/lang';
import { checkLanguage, type Lang, needsSystemModel } from '../../../tooling/conformance/language.js';
import type { Case } from '../../../tooling/conformance/runner.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'conformance');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && f !== 'known-wrong.json')
  .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Case[]);

describe('conformance (language)', () => {
  test('there are cases to run', () => expect(cases.length).toBeGreaterThan(0));
  const check = (c: Case) => expect(checkLanguage(lang as unknown as Lang, c)).toBe('ok');
  // a case that `differs` from upstream (a known difference) runs as a failing test, so fixing it shows
  for (const c of cases.filter((c) => !needsSystemModel(c))) {
    if (c.differs) test.failing(`${c.name} [differs from upstream: ${c.differs}]`, () => check(c));
    else test(c.name, () => check(c));
  }
});
