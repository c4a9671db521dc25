// Code generation as pure text: named queries split with the file's positions kept, and the
// types written for entities and query results.
import { describe, expect, test } from '@jest/globals';
import { DataModel, generateTypeScript, LanguageError, splitNamedQueries, typeName } from '@discret/lang';

const model = DataModel.parse(`blog {
  Post { title: String, views: Integer default 0, body: String nullable, author: Author, tags: [Tag] nullable }
  Author { name: String }
  Tag { label: String }
}`);

describe('splitNamedQueries', () => {
  test('names, texts the engine takes with positions of the file, and sources without the name', () => {
    const file = '// two queries\nquery A { a: blog.Post { title } }\n\n  query  B {\n  b: blog.Author { "}" name }\n}\n';
    const [a, b] = splitNamedQueries(file);
    expect(a!.name).toBe('A');
    expect(a!.source).toBe('query { a: blog.Post { title } }');
    expect(b!.name).toBe('B');
    expect(b!.source).toBe('query {\n  b: blog.Author { "}" name }\n}');
    // the query starts where it is in the file: line 4, column 3
    const lines = b!.text.split('\n');
    expect(lines[3]!.indexOf('query')).toBe(2);
    expect(lines.slice(0, 3).every((l) => l.trim() === '')).toBe(true);
  });

  test('anything else is an error with its position; so are duplicate names', () => {
    expect(() => splitNamedQueries('query { a: blog.Post { title } }')).toThrow(LanguageError);
    expect(() => splitNamedQueries('query A { a: blog.Post { title } }\n  mutate { }')).toThrow(expect.objectContaining({ line: 2, column: 3 }));
    expect(() => splitNamedQueries('query A { x: blog.Tag { label } }\nquery A { y: blog.Tag { label } }')).toThrow(/Two queries are named 'A'/);
    expect(() => splitNamedQueries('query A { x: blog.Tag { label }')).toThrow(/no closing brace/);
  });
});

describe('generateTypeScript', () => {
  test('entities: system fields, nullability (a default is never null), relations as optional', () => {
    const code = generateTypeScript(model);
    expect(code).toContain('export interface BlogPost {');
    expect(code).toContain('  views: number;');
    expect(code).toContain('  body: string | null;');
    expect(code).toContain('  author?: BlogAuthor | null;');
    expect(code).toContain('  tags?: BlogTag[];');
    expect(code).toContain('  room_id: string | null;');
    expect(code).not.toContain('SysRoom'); // built-in entities are core's business
    expect(typeName({ namespace: 'my_app', name: 'Thing' })).toBe('MyAppThing');
  });

  test('query results: aliases, nested relations, nullable(...), aggregates, and the query text', () => {
    const [q] = splitNamedQueries(`query Q {
      posts: blog.Post(nullable(tags)) { t: title body author { name } tags { label } }
      counts: blog.Post { n: count() most: max(views) first: min(title) mean: avg(views) }
    }`);
    const code = generateTypeScript(model, [q!]);
    expect(code).toContain('export type QResult = {');
    expect(code).toMatch(/posts: \{\n {4}t: string;\n {4}body: string \| null;\n {4}author: \{\n {6}name: string;\n {4}\};\n {4}tags: \{\n {6}label: string;\n {4}\}\[\];\n {2}\}\[\];/);
    expect(code).toMatch(/counts: \{\n {4}n: number;\n {4}most: number \| null;\n {4}first: string \| null;\n {4}mean: number \| null;\n {2}\}\[\];/);
    expect(code).toContain('export const Q = "query {');
    expect(code).toContain('as TypedQuery<QResult>;');
  });

  test('a query that does not validate throws with its line in the file', () => {
    const [q] = splitNamedQueries('\n\nquery Q {\n  p: blog.Post { nope }\n}');
    expect(() => generateTypeScript(model, [q!])).toThrow(expect.objectContaining({ code: 'UNKNOWN_FIELD', line: 4 }));
  });
});
