// Whether a row's values could pass a query block's filters: the part of a live query's
// dependencies that looks at values (live-deps.ts). It answers false only when it is sure that
// SQL would exclude the row; anything it does not model (system fields, JSON paths, relations,
// aggregates, text ordering, fields left out of the stored JSON) answers true. Pure.
import type { JsonValue, Parameters, ResolvedFilter, ResolvedQueryEntity } from '@discret/lang';

/** A row's values by field short id. */
export type RowValues = Record<string, JsonValue | undefined>;
export type RowTest = (row: RowValues) => boolean;

/** The test of a block's filters, or null when none of them can exclude a row by its values. */
export function rowTest(block: ResolvedQueryEntity, params: Parameters | undefined): RowTest | null {
  const tests = block.filters.map((f) => filterTest(f, params)).filter((t): t is RowTest => t !== null);
  if (!tests.length) return null;
  if (tests.length === 1) return tests[0]!;
  // A plain loop: this runs for every live query on every commit, and `every` with a closure
  // over the row allocated one per call.
  return (row) => {
    for (let i = 0; i < tests.length; i++) if (!tests[i]!(row)) return false;
    return true;
  };
}

function filterTest(filter: ResolvedFilter, params: Parameters | undefined): RowTest | null {
  if (filter.kind !== 'compare' && filter.kind !== 'null') return null;
  if (filter.field.kind !== 'user' || filter.jsonPath) return null;
  const field = filter.field.field;
  if (field.kind !== 'scalar' || !['Integer', 'Float', 'Boolean', 'String'].includes(field.scalar!)) return null;
  const id = field.shortId;
  if (filter.kind === 'null') {
    return (row) => {
      const value = row[id];
      if (value === undefined) return true; // not stored: its default is SQL's business
      return (value === null) !== filter.negated;
    };
  }
  const operand = filter.operand.kind === 'value' ? filter.operand.value : (params?.[filter.operand.name] as JsonValue | undefined);
  const operator = filter.operator;
  return (row) => {
    const value = row[id];
    if (value === undefined) return true;
    if (operand === null || operand === undefined) return true;
    if (value === null) return false; // SQL: a comparison with NULL is never true
    if (typeof value === 'number' && typeof operand === 'number') return compare(value, operand, operator);
    // Text and booleans: equality only (SQLite orders text by bytes, JS by UTF-16 units).
    if (typeof value === typeof operand && (typeof value === 'string' || typeof value === 'boolean')) {
      if (operator === '=') return value === operand;
      if (operator === '!=') return value !== operand;
    }
    return true;
  };
}

function compare(a: number, b: number, operator: string): boolean {
  switch (operator) {
    case '=':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return true;
  }
}
