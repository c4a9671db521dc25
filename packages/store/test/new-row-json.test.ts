// A new row's JSON is written from its values (new-row-json.ts) instead of by JSON.stringify
// of an object keyed by short ids: the bytes are signed and stored, so they must be the same.
// Property-tested against the object JSON.stringify would see, then checked on a real store.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SigningKey } from '@discret/crypto';
import { DataModel, type JsonValue, validateMutation } from '@discret/lang';
import { sqlcipherDriver, Store } from '@discret/store';
import { newRowJson, newRowLayout } from '../src/new-row-json.js';
import { rawRows, remember } from './raw.js';

const MODEL = `shop {
  Item {
    name: String nullable,
    note: String default "none",
    count: Integer default 3,
    price: Float nullable,
    sold: Boolean default false,
    extra: Json nullable,
    code: Base64 nullable,
    label: String nullable,
    index(count)
  }
}`;
const FIELDS = ['name', 'note', 'count', 'price', 'sold', 'extra', 'code', 'label'];
const model = DataModel.parse(MODEL);
const entity = model.entity('shop.Item')!;

/** What the row's object would be: defaults, then the values in the order written. */
function asObject(values: Array<[string, JsonValue]>): Record<string, JsonValue> {
  const json: Record<string, JsonValue> = {};
  for (const field of entity.fields) if (field.default !== undefined) json[field.shortId] = field.default;
  for (const [name, value] of values) json[entity.fieldsByName.get(name)!.shortId] = value;
  return json;
}

const jsonValue = fc.jsonValue() as fc.Arbitrary<JsonValue>;

describe('new row JSON', () => {
  test('is byte for byte JSON.stringify of the row object, whatever fields are given, in any order', () => {
    fc.assert(
      fc.property(
        // Any of the fields (the language refuses one given twice), in any order, each with any JSON value.
        fc.uniqueArray(fc.tuple(fc.constantFrom(...FIELDS), jsonValue), { selector: ([name]) => name, maxLength: FIELDS.length }),
        (given) => {
          const text = `mutate { shop.Item { ${given.map(([name], i) => `${name}: $v${i}`).join(' ')} } }`;
          const m = validateMutation(model, text).entities[0]!;
          const layout = newRowLayout(m);
          expect(layout).not.toBeNull();
          const { json, text: indexed } = newRowJson(layout!, given.map(([, value]) => value));
          const object = asObject(given);
          expect(json).toBe(JSON.stringify(object));
          // The full-text index holds the String fields, in field order, joined by newlines.
          const strings = entity.fields.filter((f) => f.scalar === 'String').map((f) => object[f.shortId]);
          expect(indexed).toBe(strings.filter((v): v is string => typeof v === 'string').reduce((t, v) => (t ? `${t}\n${v}` : v), ''));
        },
      ),
      { numRuns: 500 },
    );
  });

  test('leaves out what JSON.stringify leaves out, and keeps the special numbers it writes as null', () => {
    const m = validateMutation(model, 'mutate { shop.Item { name: $a extra: $b price: $c } }').entities[0]!;
    const values = ['x', undefined as unknown as JsonValue, Number.NaN];
    expect(newRowJson(newRowLayout(m)!, values).json).toBe(JSON.stringify(asObject([['name', 'x'], ['extra', undefined as unknown as JsonValue], ['price', Number.NaN]])));
  });
});

describe('new rows in a store', () => {
  const root = mkdtempSync(join(tmpdir(), 'discret-row-json-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('store the JSON the row object gives, and index their text', async () => {
    const path = join(root, 'a.db');
    const key = new Uint8Array(32).fill(2);
    const store = remember(await Store.open({ path, key, signingKey: new SigningKey(new Uint8Array(32).fill(4)) }), { path, key, driver: sqlcipherDriver() });
    await store.setDataModel(MODEL);
    const sets = [
      { name: 'é"\\\n\u2028', extra: { b: [1, { z: null }], a: 'x' }, label: 'blue' },
      { name: 'plain', extra: null, label: null },
    ];
    await store.mutateMany('mutate { shop.Item { label: $label name: $name extra: $extra } }', sets);
    const rows = await rawRows(store, 'SELECT _json FROM _node WHERE _entity = ? ORDER BY id', [entity.shortId]);
    expect(rows.map((r) => r._json)).toEqual(sets.map((s) => JSON.stringify(asObject([['label', s.label], ['name', s.name], ['extra', s.extra]]))));
    const found = await store.query('query { r: shop.Item(search($q)) { name } }', { q: 'blue' });
    expect(found.r).toEqual([{ name: sets[0]!.name }]);
  });
});
