// Whatever string comes in, the parsers return a tree or throw a LanguageError: nothing else.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { LanguageError, parseDataModel, validateDeletion, validateMutation, validateQuery } from '@discret/lang';

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
