// `discret codegen` as a real process: the generated module compiles with tsc, `app.query(Q)`
// is typed with Q's exact result (a wrong field is a compile error), the types match what a
// real query returns, and an error in a query file points at its line and column there.
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const cli = resolve(import.meta.dirname, '../dist/main.js');
const repo = resolve(import.meta.dirname, '../../..');
const tsc = join(repo, 'node_modules/typescript/bin/tsc');
const core = join(repo, 'packages/core/dist/index.js');
// inside the repository, so that tsc finds @types/node and the packages' own types
const root = mkdtempSync(join(import.meta.dirname, '.codegen-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const model = `shop {
  Person { name: String, age: Integer nullable, score: Float default 1.5, ok: Boolean, data: Json nullable, friend: Person nullable, pets: [Pet] }
  Pet { name: String }
}
`;
const queries = `// people and their pets
query People {
  p: shop.Person(nullable(friend, pets), order_by(name asc)) {
    id name age score
    y: data->$.x.y
    friend { name }
    pets { name }
  }
  stats: shop.Person { n: count() oldest: max(age) }
}

query Pets { pets: shop.Pet { name } }
`;
writeFileSync(join(root, 'model.discret'), model);
writeFileSync(join(root, 'queries.dq'), queries);

function run(command: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });
  return { code: result.status, out: result.stdout, err: result.stderr };
}
const discret = (args: string[]) => run(process.execPath, [cli, ...args], { DISCRET_PW: 'pw', DISCRET_LOG: 'error' });
const typecheck = (file: string) => run(process.execPath, [tsc, '--ignoreConfig', '--strict', '--noEmit', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--noUncheckedIndexedAccess', file]);

describe('discret codegen', () => {
  test('generated types compile, type app.query(Q) exactly, and a wrong field is a compile error', () => {
    const generated = discret(['codegen', '--model', 'model.discret', '--queries', 'queries.dq', '--out', 'generated.ts', '--import-from', core]);
    expect(generated.err).toBe('');
    expect(generated.code).toBe(0);
    writeFileSync(join(root, 'use.ts'), `import type { Discret } from ${JSON.stringify(core)};
import { People, Pets, type ShopPerson } from './generated.js';
export async function use(app: Discret) {
  const { p, stats } = await app.query(People);
  const name: string = p[0]!.name;
  const age: number | null = p[0]!.age;
  const score: number = p[0]!.score;
  const friend: string | undefined = p[0]!.friend?.name;
  const pets: string[] = p[0]!.pets.map((x) => x.name);
  const count: number = stats[0]!.n;
  const oldest: number | null = stats[0]!.oldest;
  const all: ShopPerson[] = [];
  const { pets: list } = await app.query(Pets, {});
  return [name, age, score, friend, pets, count, oldest, all, list.length];
}
`);
    const ok = typecheck('use.ts');
    expect(ok.out).toBe('');
    expect(ok.code).toBe(0);
    writeFileSync(join(root, 'wrong.ts'), `import type { Discret } from ${JSON.stringify(core)};
import { People } from './generated.js';
export async function wrong(app: Discret) {
  const { p } = await app.query(People);
  const misspelt = p[0]!.nmae;
  const notNullable: number = p[0]!.age;
  const notSelected = p[0]!.ok;
  return [misspelt, notNullable, notSelected];
}
`);
    const bad = typecheck('wrong.ts');
    expect(bad.code).not.toBe(0);
    expect(bad.out).toMatch(/wrong\.ts\(5,\d+\): error TS2339: Property 'nmae' does not exist/);
    expect(bad.out).toMatch(/wrong\.ts\(6,\d+\): error TS2322: Type 'number \| null' is not assignable to type 'number'/);
    expect(bad.out).toMatch(/wrong\.ts\(7,\d+\): error TS2339: Property 'ok' does not exist/);
  }, 120_000);

  test('the generated result types have exactly the keys a real query returns', () => {
    const data = ['--data', join(root, 'data'), '--app-key', 'test.codegen', '--login', 'me', '--password-env', 'DISCRET_PW'];
    expect(discret(['mutate', ...data, '--model', 'model.discret', 'mutate { shop.Person { name: "a" ok: true data: "{\\"x\\":{\\"y\\":2}}" pets: [{ name: "rex" }] friend: { name: "b" ok: false } } }']).code).toBe(0);
    // the People query of queries.dq, as the engine takes it
    const people = queries.slice(queries.indexOf('query People') + 'query People'.length, queries.indexOf('query Pets'));
    const answer = discret(['query', ...data, `query${people}`]);
    expect(answer.err).toBe('');
    const result = JSON.parse(answer.out);
    const generated = discret(['codegen', '--model', 'model.discret', '--queries', 'queries.dq']).out;
    const shape = /export type PeopleResult = \{\n {2}p: \{\n([\s\S]*?)\n {2}\}\[\];/.exec(generated)![1]!;
    const topKeys = [...shape.matchAll(/^ {4}(\w+):/gm)].map((m) => m[1]);
    expect(topKeys).toEqual(Object.keys(result.p[0]));
    expect(result.p[1].friend).toBeNull(); // typed `| null`: friend is in nullable(...)
    expect(result.p[1].pets).toEqual([]); // an array relation is an array, never null
    expect(Object.keys(result.stats[0])).toEqual(['n', 'oldest']);
  }, 120_000);

  test('an error in a query file exits 3 and points at its line and column in that file', () => {
    writeFileSync(join(root, 'bad.dq'), 'query Ok { p: shop.Pet { name } }\n\nquery Bad {\n  p: shop.Pet { nmae }\n}\n');
    const bad = discret(['codegen', '--model', 'model.discret', '--queries', 'queries.dq', '--queries', 'bad.dq']);
    expect(bad.code).toBe(3);
    const lines = bad.err.split('\n');
    expect(lines[0]).toBe('in bad.dq:');
    expect(lines[1]).toMatch(/^error UNKNOWN_FIELD at line 4, column 17: /);
    expect(lines[2]).toBe('4 |   p: shop.Pet { nmae }');
    expect(lines[3]).toBe(`  | ${' '.repeat(16)}^`);
    const unnamed = discret(['codegen', '--model', 'model.discret', '--queries', 'model.discret']);
    expect(unnamed.code).toBe(3);
  }, 60_000);
});
