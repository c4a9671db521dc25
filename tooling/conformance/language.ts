// The language side of the conformance cases as plain logic (no Node API), so the same check
// runs on Node and in a browser page: every request text must parse and validate against its
// case's data model, except the steps that expect a language error, which must fail with
// exactly that code.
import type { Case } from './runner.js';

/** The part of @discret/lang the check uses. */
export interface Lang {
  parseDataModel(text: string): Model;
  validateQuery(model: Model, text: string): { parameters: unknown };
  validateMutation(model: Model, text: string): { parameters: unknown };
  validateDeletion(model: Model, text: string): { parameters: unknown };
  checkParameters(parameters: never, values: Record<string, unknown>): void;
}
interface Model {
  update(text: string): Model;
}

export const LANGUAGE_CODES = new Set([
  'PARSE_ERROR', 'UNKNOWN_ENTITY', 'UNKNOWN_FIELD', 'TYPE_MISMATCH', 'MISSING_PARAMETER', 'NOT_NULLABLE', 'DATA_MODEL_UPDATE',
  'UNKNOWN_NAMESPACE', 'INVALID_DATA_MODEL', 'INVALID_QUERY', 'INVALID_MUTATION', 'DEPRECATED',
]);

/** Cases that use the built-in `sys` namespace need @discret/rooms' model: only the full runner has it. */
export const needsSystemModel = (c: Case) => c.steps.some((s) => /\bsys[._]/.test(String(s.query ?? s.mutate ?? s.delete ?? '')));

/** "ok", or what went wrong at which step (with the error's code and position where there is one). */
export function checkLanguage(lang: Lang, c: Case): string {
  let model: Model;
  try {
    model = lang.parseDataModel(c.dataModel);
  } catch (error) {
    return `data model: ${describe(error)}`;
  }
  for (const [n, step] of c.steps.entries()) {
    const run = () => {
      const params = withPlaceholders(step.params ?? {});
      const check = (validated: { parameters: unknown }) => lang.checkParameters(validated.parameters as never, params);
      if (typeof step.query === 'string') check(lang.validateQuery(model, step.query));
      if (typeof step.mutate === 'string') check(lang.validateMutation(model, step.mutate));
      if (typeof step.delete === 'string') check(lang.validateDeletion(model, step.delete));
      if (typeof step.updateDataModel === 'string') model = model.update(step.updateDataModel);
    };
    const expected = step.expectError && LANGUAGE_CODES.has(step.expectError) ? step.expectError : undefined;
    try {
      run();
      if (expected) return `step ${n}: expected ${expected}, got success`;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (!expected || code !== expected) return `step ${n}: ${describe(error)}`;
    }
  }
  return 'ok';
}

function describe(error: unknown): string {
  const e = error as { code?: string; line?: number; column?: number; message?: string };
  return `${e.code ?? 'error'}${e.line !== undefined ? ` at ${e.line}:${e.column}` : ''} ${e.message ?? String(error)}`;
}

// "@name" values stand for ids saved by earlier steps; any valid id will do here.
function withPlaceholders(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'string' && v.startsWith('@') && !v.startsWith('@@') ? 'AAAAAAAAAAAAAAAAAAAAAA' : v]));
}
