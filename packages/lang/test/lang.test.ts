import { describe, expect, test } from '@jest/globals';
import {
  checkParameters,
  DataModel,
  LanguageError,
  parseDataModel,
  parseDeletion,
  parseMutation,
  parseQuery,
  validateDeletion,
  validateMutation,
  validateQuery,
} from '@discret/lang';

const MODEL = `
// a comment
shop {
  Person {
    name: String,
    age: Integer nullable,
    score: Float default 1.5,
    active: BOOLEAN default TRUE,
    data: json nullable,
    avatar: Base64 nullable,
    parents: [Person] nullable,
    pet: Pet nullable,
    index(name, age),
  }
  Pet(no_full_text_index) { name: String }
  @deprecated Old { x: Integer nullable }
}
{ Anon { label: String default "a\\"b" } }
other { Thing { owner: shop.Person, anon: Anon } }
`;
const model = parseDataModel(MODEL);

function errorOf(fn: () => unknown): LanguageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LanguageError);
    return e as LanguageError;
  }
  throw new Error('expected a LanguageError');
}

describe('data model', () => {
  test('resolves namespaces, short ids, defaults and relation targets', () => {
    const person = model.entity('shop.Person');
    expect(person.shortId).toBe('0.0');
    expect(person.fields.map((f) => f.shortId)).toEqual(['32', '33', '34', '35', '36', '37', '38', '39']);
    expect(person.fieldsByName.get('score')!.default).toBe(1.5);
    expect(person.fieldsByName.get('active')!.default).toBe(true);
    expect(person.fieldsByName.get('pet')!.target).toBe('shop.Pet');
    expect(model.entity('Anon').fieldsByName.get('label')!.default).toBe('a"b');
    expect(model.entity('other.Thing').fieldsByName.get('anon')!.target).toBe('Anon');
    expect(model.entity('shop.Pet').fullTextIndex).toBe(false);
    expect(model.entity('shop.Old').deprecated).toBe(true);
    expect(person.indexes).toEqual([['name', 'age']]);
  });

  test('JSON form carries the text and the model', () => {
    const json = model.toJSON();
    expect(json.text).toBe(MODEL);
    expect(json.namespaces[0]!.entities[0]!.fields[6]).toEqual({ name: 'parents', shortId: '38', type: '[shop.Person]', nullable: true, deprecated: false });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });

  test.each([
    ['a { E { id: String } }', 'INVALID_DATA_MODEL', 1, 9],
    ['a { E { x: String, x: Integer } }', 'INVALID_DATA_MODEL', 1, 20],
    ['a { E { x: Strin } }', 'UNKNOWN_ENTITY', 1, 12],
    ['a { E { x: Integer default "1" } }', 'TYPE_MISMATCH', 1, 28],
    ['a { E { x: Integer default 1.5 } }', 'TYPE_MISMATCH', 1, 28],
    ['a { E { x: Json default "{" } }', 'TYPE_MISMATCH', 1, 25],
    ['a { E { x: Integer, index(y) } }', 'UNKNOWN_FIELD', 1, 27],
    ['a { E { x: String } E { y: String } }', 'INVALID_DATA_MODEL', 1, 21],
    ['a { E { x: String } } a { F { y: String } }', 'INVALID_DATA_MODEL', 1, 23],
    ['a { E { x: String ', 'PARSE_ERROR', 1, 19],
    ['a { E { x String } }', 'PARSE_ERROR', 1, 11],
  ])('%s is rejected with %s', (text, code, line, column) => {
    const err = errorOf(() => parseDataModel(text));
    expect(err.code).toBe(code);
    expect([err.line, err.column]).toEqual([line, column]);
  });

  describe('updates', () => {
    const base = 'a { E { x: String, y: Integer nullable } F { z: String } }';
    const v1 = parseDataModel(base);
    test.each([
      ['adds a nullable field, an entity and a namespace', 'a { E { x: String, y: Integer nullable, w: Float nullable } F { z: String } G { g: String } } b { H { h: String } }'],
      ['adds a defaulted field', 'a { E { x: String, y: Integer nullable, w: String default "" } F { z: String } }'],
      ['deprecates', 'a { E { x: String, @deprecated y: Integer nullable } @deprecated F { z: String } }'],
      ['makes a nullable field required with a default', 'a { E { x: String, y: Integer default 3 } F { z: String } }'],
      ['adds an index', 'a { E { x: String, y: Integer nullable, index(x) } F { z: String } }'],
    ])('accepts: %s', (_name, text) => {
      expect(v1.update(text).text).toBe(text);
    });
    test.each([
      ['removes a field', 'a { E { x: String } F { z: String } }'],
      ['reorders fields', 'a { E { y: Integer nullable, x: String } F { z: String } }'],
      ['retypes a field', 'a { E { x: String, y: Float nullable } F { z: String } }'],
      ['removes an entity', 'a { E { x: String, y: Integer nullable } }'],
      ['reorders entities', 'a { F { z: String } E { x: String, y: Integer nullable } }'],
      ['removes a namespace', 'b { E { x: String } }'],
      ['adds a required field', 'a { E { x: String, y: Integer nullable, w: String } F { z: String } }'],
      ['makes a field required without default', 'a { E { x: String, y: Integer } F { z: String } }'],
    ])('rejects: %s', (_name, text) => {
      expect(errorOf(() => v1.update(text)).code).toBe('DATA_MODEL_UPDATE');
    });
  });

  test('builtin namespaces are reserved and placed first', () => {
    const sys = parseDataModel('sys { Room { name: String nullable } }', { builtin: true });
    const user = parseDataModel('app { Note { t: String, room: sys.Room nullable } }', { builtins: sys });
    expect(user.entity('sys.Room').shortId).toBe('0.0');
    expect(user.entity('app.Note').shortId).toBe('1.0');
    expect(errorOf(() => parseDataModel('sys { X { a: String } }', { builtins: sys })).code).toBe('INVALID_DATA_MODEL');
  });
});

describe('query', () => {
  test('resolves a full query', () => {
    const q = validateQuery(
      model,
      `query Named {
        people: shop.Person(age > $min, name != "x", nullable(pet), pet = null, order_by(name asc, age desc), first 10, skip $s, after("b", 3)) {
          id who: name x: data->$.a.b[0] first_parent: data->2
          parents(name = "p") { name }
          pet { name }
        }
        n: shop.Pet { c: count() }
      }`,
    );
    const [people, n] = q.entities;
    expect(people!.alias).toBe('people');
    expect(people!.filters.map((f) => f.kind)).toEqual(['compare', 'compare', 'relationNull']);
    expect(people!.orderBy.map((o) => o.direction)).toEqual(['asc', 'desc']);
    expect(people!.after).toEqual([{ kind: 'value', value: 'b' }, { kind: 'value', value: 3 }]);
    expect(people!.projection.map((p) => p.kind)).toEqual(['field', 'field', 'json', 'json', 'relation', 'relation']);
    expect(n!.aggregate).toBe(true);
    expect([...q.parameters.values()].map((p) => [p.name, p.type])).toEqual([['min', 'Integer'], ['s', 'Integer']]);
  });

  test('keywords are case-insensitive and commas between fields are optional', () => {
    const q = validateQuery(model, 'query { r: shop.Person(ORDER_BY(name ASC), active = True) { name, age } }');
    expect(q.entities[0]!.orderBy[0]!.direction).toBe('asc');
  });

  test.each([
    ['query { r: shop.Nope { name } }', 'UNKNOWN_ENTITY', 1, 12],
    ['query { r: nope.Person { name } }', 'UNKNOWN_NAMESPACE', 1, 12],
    ['query { r: shop.Person { nope } }', 'UNKNOWN_FIELD', 1, 26],
    ['query { r: shop.Person(age = "x") { name } }', 'TYPE_MISMATCH', 1, 30],
    ['query { r: shop.Person(age = 1.5) { name } }', 'TYPE_MISMATCH', 1, 30],
    ['query { r: shop.Person { a: avg(name) } }', 'TYPE_MISMATCH', 1, 33],
    ['query { r: shop.Person { pet } }', 'INVALID_QUERY', 1, 26],
    ['query { r: shop.Person { name { x } } }', 'INVALID_QUERY', 1, 26],
    ['query { r: shop.Person(order_by(name asc), before(1, 2)) { name } }', 'INVALID_QUERY', 1, 44],
    ['query { r: shop.Person(before("a")) { name } }', 'INVALID_QUERY', 1, 24],
    ['query { r: shop.Person { n: count() pet { name } } }', 'INVALID_QUERY', 1, 37],
    ['query { r: shop.Person(pet = $p) { name } }', 'INVALID_QUERY', 1, 24],
    ['query { r: shop.Person(name = null) { name } }', 'NOT_NULLABLE', 1, 31],
    ['query { r: shop.Person(nullable(pet)) { name } }', 'INVALID_QUERY', 1, 33],
    ['query { r: shop.Person(nullable(name)) { name } }', 'INVALID_QUERY', 1, 33],
    ['query { r: shop.Person { _n: name } }', 'INVALID_QUERY', 1, 30],
    ['query { r: shop.Person { age: name } }', 'INVALID_QUERY', 1, 31],
    ['query { shop.Pet: shop.Person { name } }', 'INVALID_QUERY', 1, 19],
    ['query { r: shop.Person(nope = 1) { name } }', 'UNKNOWN_FIELD', 1, 24],
    ['query { r: shop.Person(order_by(nope asc)) { name } }', 'UNKNOWN_FIELD', 1, 33],
    ['query { r: shop.Person(age = $a, name = $a) { name } }', 'TYPE_MISMATCH', 1, 41],
    ['query { r: shop.Person { name->$.x } }', 'PARSE_ERROR', 1, 30],
    ['query { r: shop.Person { x: name->$.a } }', 'TYPE_MISMATCH', 1, 29],
    ['query { r: shop.Person(search("abc"), after("x")) { name } }', 'INVALID_QUERY', 1, 39],
    ['query { r: shop.Person { name } r: shop.Pet { name } }', 'INVALID_QUERY', 1, 36],
    ['query { r: shop.Person { name } ', 'PARSE_ERROR', 1, 33],
  ])('%s -> %s', (text, code, line, column) => {
    const err = errorOf(() => validateQuery(model, text));
    expect(err.code).toBe(code);
    expect([err.line, err.column]).toEqual([line, column]);
  });

  test('parameters are checked: missing, wrong type, null', () => {
    const q = validateQuery(model, 'query { r: shop.Person(age > $min, id = $id) { name } }');
    expect(errorOf(() => checkParameters(q.parameters, {})).code).toBe('MISSING_PARAMETER');
    expect(errorOf(() => checkParameters(q.parameters, { min: 'x', id: 'AAAAAAAAAAAAAAAAAAAAAA' })).code).toBe('TYPE_MISMATCH');
    expect(errorOf(() => checkParameters(q.parameters, { min: 1.5, id: 'AAAAAAAAAAAAAAAAAAAAAA' })).code).toBe('TYPE_MISMATCH');
    expect(errorOf(() => checkParameters(q.parameters, { min: null, id: 'AAAAAAAAAAAAAAAAAAAAAA' })).code).toBe('NOT_NULLABLE');
    expect(() => checkParameters(q.parameters, { min: 3, id: 'AAAAAAAAAAAAAAAAAAAAAA' })).not.toThrow();
    const e = errorOf(() => checkParameters(q.parameters, { id: 'AAAAAAAAAAAAAAAAAAAAAA' }));
    expect([e.line, e.column]).toEqual([1, 30]);
  });

  test('validated requests are cached by text', () => {
    const text = 'query { r: shop.Person { name } }';
    expect(validateQuery(model, text)).toBe(validateQuery(model, text));
  });
});

describe('mutation', () => {
  test('resolves inserts, nested inserts, references and updates', () => {
    const m = validateMutation(
      model,
      `mutate { p: shop.Person { name: "A" age: $age room_id: $room
          pet: { name: "rex" } parents: [{ id: $p1 }, { name: "B" }] }
        u: shop.Person { id: $id name: "C" pet: null } }`,
    );
    const [p, u] = m.entities;
    expect(p!.id).toBeUndefined();
    expect(p!.roomId).toEqual({ kind: 'parameter', name: 'room' });
    const parents = p!.relations.find((r) => r.field.name === 'parents')!.value as { reference: boolean }[];
    expect(parents.map((x) => x.reference)).toEqual([true, false]);
    expect(u!.relations[0]!.value).toBeNull();
    expect([...m.parameters.keys()]).toEqual(['age', 'room', 'p1', 'id']);
  });

  test.each([
    ['mutate { shop.Person { age: 3 } }', 'NOT_NULLABLE'],
    ['mutate { shop.Person { name: null } }', 'NOT_NULLABLE'],
    ['mutate { shop.Person { name: 3 } }', 'TYPE_MISMATCH'],
    ['mutate { shop.Person { name: "a" pet: "x" } }', 'TYPE_MISMATCH'],
    ['mutate { shop.Person { name: "a" parents: { name: "b" } } }', 'TYPE_MISMATCH'],
    ['mutate { shop.Person { name: { x: 1 } } }', 'TYPE_MISMATCH'],
    ['mutate { shop.Person { name: "a" nope: 1 } }', 'UNKNOWN_FIELD'],
    ['mutate { shop.Person { name: "a" cdate: 1 } }', 'INVALID_MUTATION'],
    ['mutate { shop.Person { name: "a" verifying_key: "AA" } }', 'INVALID_MUTATION'],
    ['mutate { shop.Old { x: 1 } }', 'DEPRECATED'],
    ['mutate { shop.Person { name: "a" name: "b" } }', 'INVALID_MUTATION'],
    ['mutate { shop.Person { name: "a" data: "{bad" } }', 'TYPE_MISMATCH'],
    ['mutate { _p: shop.Person { name: "a" } }', 'INVALID_MUTATION'],
    ['mutate { shop.Person { id: "qsdgqzaddfq" name: "a" } }', 'TYPE_MISMATCH'],
    ['mutate { shop.Person { name: "a" avatar: "AB" } }', 'TYPE_MISMATCH'],
    ['mutate { shop.Person { name: "a" ', 'PARSE_ERROR'],
  ])('%s -> %s', (text, code) => {
    expect(errorOf(() => validateMutation(model, text)).code).toBe(code);
  });
});

describe('deletion', () => {
  test('resolves entity and edge deletions', () => {
    const d = validateDeletion(model, 'delete { a: shop.Person { $id parents[$p1, $p2] } shop.Pet { $pet } }');
    expect(d.entities[0]!.relations[0]!.ids).toEqual(['p1', 'p2']);
    expect(d.entities[1]!.relations).toEqual([]);
    expect([...d.parameters.values()].every((p) => p.type === 'Id')).toBe(true);
  });
  test.each([
    ['delete { shop.Person { $id name[$x] } }', 'INVALID_MUTATION'],
    ['delete { shop.Person { $id nope[$x] } }', 'UNKNOWN_FIELD'],
    ['delete { shop.Nope { $id } }', 'UNKNOWN_ENTITY'],
    ['delete { shop.Person { id } }', 'PARSE_ERROR'],
  ])('%s -> %s', (text, code) => {
    expect(errorOf(() => validateDeletion(model, text)).code).toBe(code);
  });
});

describe('syntax', () => {
  test('strings decode JSON escapes, comments are skipped', () => {
    const m = parseMutation('mutate { // hi\n a: X { s: "t\\u00e9\\n\\"q\\"" } }');
    expect(m.entities[0]!.fields[0]!.value).toMatchObject({ kind: 'string', value: 'té\n"q"' });
  });
  test('positions point at the offending token on later lines', () => {
    const err = errorOf(() => parseQuery('query {\n  r: a.B {\n    x ]\n  }\n}'));
    expect([err.code, err.line, err.column]).toEqual(['PARSE_ERROR', 3, 7]);
    expect(err.message).toContain("']'");
  });
  test('each grammar is unambiguous on typical input', async () => {
    const nearley = (await import('nearley')).default;
    const grammar = (await import('../src/generated/query.js')).default;
    const parser = new nearley.Parser(nearley.Grammar.fromCompiled(grammar as never));
    parser.feed('query { a: x.Y(a = 1, order_by(b asc), first 2) { a b: c d { e } f: count() g: h->$.i } }');
    expect(parser.results.length).toBe(1);
  });
  test('deletion and data model parse standalone', () => {
    expect(parseDeletion('delete d { x.Y { $a } }').name).toBe('d');
    expect(DataModel.parse('{ A { a: String } }').entity('A').fullName).toBe('A');
  });
});
