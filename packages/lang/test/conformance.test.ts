// Runs the language side of the repository's conformance/ folder: every request text must parse and
// validate against its case's data model, except the steps that expect a language error,
// which must fail with exactly that code. The full runs (with a store) live in @discret/core.
import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkParameters, LanguageError, parseDataModel, validateDeletion, validateMutation, validateQuery } from '@discret/lang';

const dir = join(import.meta.dirname, '..', '..', '..', 'conformance');
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.json') && f !== 'known-wrong.json')
  .flatMap((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as { name: string; dataModel: string; steps: Record<string, unknown>[]; differs?: string }[]);
const LANGUAGE_CODES = new Set([
  'PARSE_ERROR', 'UNKNOWN_ENTITY', 'UNKNOWN_FIELD', 'TYPE_MISMATCH', 'MISSING_PARAMETER', 'NOT_NULLABLE', 'DATA_MODEL_UPDATE',
  'UNKNOWN_NAMESPACE', 'INVALID_DATA_MODEL', 'INVALID_QUERY', 'INVALID_MUTATION', 'DEPRECATED',
]);
/** Cases that use the built-in `sys` namespace need @discret/rooms' model: only @discret/core's runner has it. */
const needsSystemModel = (c: (typeof cases)[number]) => c.steps.some((s) => /\bsys[._]/.test(String(s.query ?? s.mutate ?? s.delete ?? '')));

describe('conformance (language)', () => {
  test('there are cases to run', () => expect(cases.length).toBeGreaterThan(0));
  const check = (c: (typeof cases)[number]) => {
    let model = parseDataModel(c.dataModel);
    for (const step of c.steps) {
      const run = () => {
        const params = (step.params ?? {}) as Record<string, unknown>;
        if (typeof step.query === 'string') checkParameters(validateQuery(model, step.query).parameters, withPlaceholders(params));
        if (typeof step.mutate === 'string') checkParameters(validateMutation(model, step.mutate).parameters, withPlaceholders(params));
        if (typeof step.delete === 'string') checkParameters(validateDeletion(model, step.delete).parameters, withPlaceholders(params));
        if (typeof step.updateDataModel === 'string') model = model.update(step.updateDataModel);
      };
      const expected = step.expectError as string | undefined;
      if (expected && LANGUAGE_CODES.has(expected)) {
        let error: unknown;
        try {
          run();
        } catch (e) {
          error = e;
        }
        expect(error).toBeInstanceOf(LanguageError);
        expect((error as LanguageError).code).toBe(expected);
      } else {
        run();
      }
    }
  };
  // a case that `differs` from upstream (a known difference) runs as a failing test, so fixing it shows
  for (const c of cases.filter((c) => !needsSystemModel(c))) {
    if (c.differs) test.failing(`${c.name} [differs from upstream: ${c.differs}]`, () => check(c));
    else test(c.name, () => check(c));
  }
});

// "@name" values stand for ids saved by earlier steps; any valid id will do here.
function withPlaceholders(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('@') && !v.startsWith('@@') ? 'AAAAAAAAAAAAAAAAAAAAAA' : v]));
}
