// Whatever string comes in, the parsers return a tree or throw a LanguageError: nothing else.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { isBase64, LanguageError, parseDataModel, validateDeletion, validateMutation, validateQuery } from '@discret/lang';

const model = parseDataModel('a { P { name: String, age: Integer nullable, data: Json nullable, kids: [P] nullable, pet: Q nullable } Q { n: String } }');
const SEEDS = [
  'query { r: a.P(age > 3, order_by(name asc), first 2, after("x")) { name n: count() data->$.x kids { name } } }',
  'mutate { x: a.P { name: "n" age: 3 kids: [{ name: "k" }] pet: { n: "q" } } }',
  'delete { a.P { $id kids[$k] } }',
  'a { P { name: String, age: Integer default 3, index(name) } }',
];
const parsers: ((s: string) => unknown)[] = [
  (s) => validateQuery(model, s),
  (s) => validateMutation(model, s),
  (s) => validateDeletion(model, s),
  (s) => parseDataModel(s),
];

function onlyLanguageErrors(text: string) {
  for (const parse of parsers) {
    try {
      parse(text);
    } catch (e) {
      if (!(e instanceof LanguageError)) throw e;
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
    }
  }
}

const TOKENS = ['{', '}', '(', ')', '[', ']', ':', ',', '->', '$.x', '$p', '"s"', '3', '-1.5', 'null', 'true', 'name', 'a.P', 'order_by', 'asc', 'first', 'count', '=', '>=', '!=', '\n', '//c\n', '@deprecated', 'nullable', 'default', 'index'];

describe('parsers only ever throw LanguageError', () => {
  test('random strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), onlyLanguageErrors), { numRuns: 300 });
  });
  test('random token soups', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }), (t) => onlyLanguageErrors(t.join(' '))), { numRuns: 300 });
  });
  test('mutated valid requests', () => {
    const mutated = fc.tuple(fc.constantFrom(...SEEDS), fc.nat(), fc.nat({ max: 5 }), fc.string({ maxLength: 4 })).map(([seed, at, cut, insert]) => {
      const i = at % (seed.length + 1);
      return seed.slice(0, i) + insert + seed.slice(i + cut);
    });
    fc.assert(fc.property(mutated, onlyLanguageErrors), { numRuns: 500 });
  });
});

describe('base64', () => {
  test('every encoding of bytes is base64, url-safe or standard, padded or not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(isBase64(buffer.toString('base64url'))).toBe(true);
        expect(isBase64(buffer.toString('base64'))).toBe(true);
        expect(isBase64(buffer.toString('base64').replace(/=+$/, ''))).toBe(true);
      }),
    );
  });

  test('a text is base64 exactly when a strict decoder gives back the same text', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/), (text) => {
        const canonical = Buffer.from(text, 'base64url').toString('base64url') === text;
        expect(isBase64(text)).toBe(canonical);
      }),
    );
  });
});
