// Hostile or runaway input gets a typed error, with a position where there is one, before any
// real work: nesting, size, values that JSON would silently change, parameters that throw.
import { describe, expect, test } from '@jest/globals';
import { checkParameters, LanguageError, LIMITS, parseDataModel, validateMutation, validateQuery } from '@discret/lang';

const model = parseDataModel('a { P { name: String, n: Integer nullable, data: Json nullable, kid: P nullable, kids: [P] nullable } }');

function errorOf(fn: () => unknown): LanguageError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LanguageError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('limits', () => {
  test('a query nested 400 relations deep is refused at the first bracket beyond the limit', () => {
    const text = `query { r: a.P { ${'kid { '.repeat(400)}name${' }'.repeat(400)} } }`;
    const e = errorOf(() => validateQuery(model, text));
    expect(e.code).toBe('TOO_COMPLEX');
    // Brackets 1 and 2 are the query's and a.P's; the 63rd `kid {` opens bracket 65.
    expect([e.line, e.column]).toEqual([1, 'query { r: a.P { '.length + 'kid { '.repeat(62).length + 5]);
  });

  test('a mutation nested 5,000 deep is refused, not a stack overflow', () => {
    const text = `mutate { a.P { name: "x" ${'kid: { name: "x" '.repeat(5000)}${'} '.repeat(5000)}} }`;
    expect(errorOf(() => validateMutation(model, text)).code).toBe('TOO_COMPLEX');
  });

  test('nesting within the limit is fine, and brackets in strings and comments do not count', () => {
    const depth = (LIMITS.nesting - 2) / 2;
    const nested = `mutate { a.P { name: "x" ${'kids: [{ name: "{[(" '.repeat(depth)}${'}] '.repeat(depth)}} }`;
    expect(() => validateMutation(model, nested)).not.toThrow();
    const commented = `query { r: a.P { // ${'{'.repeat(200)}\n name } }`;
    expect(() => validateQuery(model, commented)).not.toThrow();
  });

  test('a text over the size limit is refused', () => {
    const text = `query { r: a.P { name } } //${'x'.repeat(LIMITS.textLength)}`;
    expect(errorOf(() => validateQuery(model, text)).code).toBe('TOO_COMPLEX');
  });

  test(`filters: ${LIMITS.filters} validate into as many conditions; one more is TOO_COMPLEX at that filter, counted over all blocks`, () => {
    const filters = (k: number) => Array.from({ length: k }, (_, i) => `n != ${i}`).join(', ');
    const q = validateQuery(model, `query { r: a.P(${filters(LIMITS.filters)}) { name } }`);
    expect(q.entities[0]!.filters).toHaveLength(LIMITS.filters);
    const over = errorOf(() => validateQuery(model, `query { r: a.P(${filters(5000)}) { name } }`));
    expect(over).toMatchObject({ code: 'TOO_COMPLEX', line: 1, column: `query { r: a.P(${filters(LIMITS.filters)}, `.length + 1 });
    expect(over.message).toContain(String(LIMITS.filters));
    // Two blocks of half the limit and one more filter between them.
    const half = filters(LIMITS.filters / 2);
    expect(errorOf(() => validateQuery(model, `query { r: a.P(${half}) { name } s: a.P(${half}, n = 1) { name } }`)).code).toBe('TOO_COMPLEX');
  });

  test('a request that is not text is a PARSE_ERROR', () => {
    for (const bad of [42, null, undefined, { query: 'x' }, ['query {}']]) {
      expect(errorOf(() => validateQuery(model, bad as never)).code).toBe('PARSE_ERROR');
      expect(errorOf(() => validateMutation(model, bad as never)).code).toBe('PARSE_ERROR');
    }
  });

  test('the cache of validated requests is bounded', () => {
    for (let i = 0; i < 3000; i++) validateQuery(model, `query { r: a.P(n > ${i}) { name } }`);
    expect(model.cache.size).toBeLessThanOrEqual(1000);
  });
});

describe('parameters are never converted silently', () => {
  const insert = validateMutation(model, 'mutate { a.P { name: "x" n: $n data: $d } }').parameters;
  const byId = validateQuery(model, 'query { r: a.P(id = $id) { name } }').parameters;
  const check = (uses: typeof insert, params: Record<string, unknown>) => errorOf(() => checkParameters(uses, params));

  test('Integer: a BigInt within 64 bits is taken, beyond is TYPE_MISMATCH', () => {
    expect(() => checkParameters(insert, { n: 2n ** 62n, d: null })).not.toThrow();
    expect(check(insert, { n: 2n ** 64n, d: null }).code).toBe('TYPE_MISMATCH');
    expect(check(insert, { n: -(2n ** 63n) - 1n, d: null }).code).toBe('TYPE_MISMATCH');
  });

  test('Json: NaN, Infinity, BigInt, binary, class instances and cycles are TYPE_MISMATCH, with where', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    for (const d of [{ x: Number.NaN }, [1, Number.POSITIVE_INFINITY], { big: 1n }, { bytes: new Uint8Array(2) }, { when: new Date(0) }, cyclic, () => 1]) {
      expect(check(insert, { n: 1, d }).code).toBe('TYPE_MISMATCH');
    }
    expect(check(insert, { n: 1, d: { list: [{ ok: 1 }, { bad: Number.NaN }] } }).message).toContain('list[1].bad');
    expect(() => checkParameters(insert, { n: 1, d: { a: [1, 'two', null, { b: true }], c: undefined } })).not.toThrow();
    const shared = { x: 1 };
    expect(() => checkParameters(insert, { n: 1, d: { a: shared, b: shared } })).not.toThrow(); // shared, not cyclic
  });

  test('Id: 16 bytes as base64url text or bytes; anything else is TYPE_MISMATCH', () => {
    expect(() => checkParameters(byId, { id: 'AAAAAAAAAAAAAAAAAAAAAA' })).not.toThrow();
    expect(() => checkParameters(byId, { id: new Uint8Array(16) })).not.toThrow();
    for (const id of ['x'.repeat(1 << 20), 'AAAA', new Uint8Array(15), new Uint8Array(1 << 20), 'not base64!', 16]) {
      expect(check(byId, { id }).code).toBe('TYPE_MISMATCH');
    }
  });

  test('a parameter getter that throws is a TYPE_MISMATCH naming the parameter', () => {
    const params = Object.defineProperty({ d: null }, 'n', { enumerable: true, get: () => { throw new Error('boom'); } });
    const e = check(insert, params);
    expect(e.code).toBe('TYPE_MISMATCH');
    expect(e.message).toContain('$n');
    expect(e.message).toContain('boom');
  });
});
