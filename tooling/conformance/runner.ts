// The conformance cases (conformance/*.json) as plain logic, with no Node API, so the same
// runner drives them through the public API on Node and in a browser page, and both runs
// can be compared case by case.

export interface Step {
  mutate?: string; query?: string; delete?: string; updateDataModel?: string;
  params?: Record<string, unknown>; save?: Record<string, string>;
  expect?: unknown; expectError?: string; expectKeys?: string[];
}
/** `differs`: a known difference from upstream. */
export interface Case { name: string; dataModel: string; steps: Step[]; differs?: string }

/** The part of a Discret instance the cases use. */
export interface CaseApp {
  mutate(text: string, params?: Record<string, unknown>): Promise<unknown>;
  query(text: string, params?: Record<string, unknown>): Promise<unknown>;
  delete(text: string, params?: Record<string, unknown>): Promise<unknown>;
  updateDataModel(text: string): Promise<unknown>;
  close(): Promise<void>;
}

/** How one case ended: passed, or the first step that did not give what the case expects. */
export interface Outcome { name: string; ok: boolean; detail?: string }

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

/** Text of a value with object keys sorted, so equal values give equal text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** Arrays compare in order only where the request sorts them; elsewhere as multisets. */
export function normalise(value: unknown, ordered: boolean): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => normalise(v, ordered));
    return ordered ? items : items.map((v) => canonical(v)).sort().map((v) => JSON.parse(v) as unknown);
  }
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, ordered)]));
  return value;
}

/** Runs one case on a freshly opened app; never throws (a failure is an outcome). */
export async function runCase(app: CaseApp, c: Case): Promise<Outcome> {
  const saved = new Map<string, unknown>();
  try {
    for (const [n, step] of c.steps.entries()) {
      const params = resolveParams(step.params, saved);
      const text = step.mutate ?? step.query ?? step.delete ?? step.updateDataModel ?? '';
      const run = (): Promise<unknown> => {
        if (step.mutate !== undefined) return app.mutate(step.mutate, params);
        if (step.query !== undefined) return app.query(step.query, params);
        if (step.delete !== undefined) return app.delete(step.delete, params);
        return app.updateDataModel(step.updateDataModel ?? '');
      };
      if (step.expectError) {
        const error = await run().then(() => undefined, (e: unknown) => e);
        const { code, name } = (error ?? {}) as { code?: string; name?: string };
        // The API's own typed error, with the case's code (not any error that happens to have one).
        if (code !== step.expectError || name !== 'DiscretError') {
          return { name: c.name, ok: false, detail: `step ${n}: expected DiscretError ${step.expectError}, got ${error ? `${name} ${code}` : 'success'}` };
        }
        continue;
      }
      let result: unknown;
      try {
        result = await run();
      } catch (error) {
        return { name: c.name, ok: false, detail: `step ${n}: ${(error as { code?: string }).code ?? ''} ${(error as Error).message}` };
      }
      for (const [name, path] of Object.entries(step.save ?? {})) saved.set(name, pathGet(result, path));
      if (step.expect !== undefined) {
        const ordered = /order_by/.test(text);
        const got = canonical(normalise(result, ordered));
        const want = canonical(normalise(resolveExpected(step.expect, saved), ordered));
        if (got !== want) return { name: c.name, ok: false, detail: `step ${n}: got ${got.slice(0, 300)}, expected ${want.slice(0, 300)}` };
      }
      for (const key of step.expectKeys ?? []) {
        for (const tuple of Object.values(result as Record<string, Record<string, unknown>>)) {
          if (!(key in tuple)) return { name: c.name, ok: false, detail: `step ${n}: no ${key}` };
        }
      }
    }
    return { name: c.name, ok: true };
  } finally {
    await app.close();
  }
}
