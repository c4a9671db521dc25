// Small builders for conformance cases (the format is described in conformance/README.md).
// The generators beside this file use them to port upstream's Rust tests case by case, so
// that each case keeps the name of the upstream test it comes from.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const conformanceDir = join(import.meta.dirname, '..', '..', 'conformance');

/** A case named `upstream <file>::<fn>: <what>`; `extra` may carry `differs`. */
export function upstreamCase(file, fn, what, dataModel, steps, extra = {}) {
  return { name: `upstream ${file}::${fn}: ${what}`, dataModel, steps, ...extra };
}

/** A request that must be accepted; on an empty database its result is not checked. */
export const accepts = (kind, text, params) => ({ [kind]: text, ...(params ? { params } : {}) });
/** A request that must be refused with this error code. */
export const refuses = (kind, text, code, params) => ({ [kind]: text, ...(params ? { params } : {}), expectError: code });

/**
 * The builders of one upstream file whose requests are of one kind: `c(fn, what, model, steps)`
 * names a case after the file's test, `ok(text, params)` must run, `no(text, code, params)` must fail.
 */
export function upstreamFile(file, kind) {
  return {
    c: (fn, what, model, steps, extra) => upstreamCase(file, fn, what, model, steps, extra),
    ok: (text, params) => accepts(kind, text, params),
    no: (text, code, params) => refuses(kind, text, code, params),
  };
}

export function writeCases(file, cases) {
  const names = new Set();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`Two cases are named '${c.name}'`);
    names.add(c.name);
  }
  writeFileSync(join(conformanceDir, file), `${JSON.stringify(cases, null, 1)}\n`);
  console.log(`${file}: ${cases.length} cases`);
}
