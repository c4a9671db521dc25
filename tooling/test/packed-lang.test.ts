// @discret/lang must work on its own, installed from its published tarball into a project
// that knows nothing of this workspace (editors and code generators install only it).
// This packs it as `pnpm publish` would, installs the tarball into an empty folder with
// pnpm (its store already holds moo and nearley, so no network is needed when warm) and
// imports it from a separate Node process.
import { describe, expect, test, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const langDir = resolve(import.meta.dirname, '../../packages/lang');
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'discret-packed-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('@discret/lang from a packed tarball', () => {
  test('installs into an empty project and parses a query', () => {
    execFileSync('pnpm', ['pack', '--pack-destination', work], { cwd: langDir, stdio: 'pipe' });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    expect(tarball).toBeDefined();

    const app = join(work, 'app');
    execFileSync('mkdir', ['-p', app]);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    execFileSync('pnpm', ['add', '--prefer-offline', '--ignore-workspace', join(work, tarball!)], { cwd: app, stdio: 'pipe' });

    const script = `
      import { parseQuery, parseDataModel, validateQuery, LanguageError } from '@discret/lang';
      const model = parseDataModel('ns { Person { name: String } }');
      const q = validateQuery(model, 'query { ns.Person { name } }');
      let err;
      try { parseQuery('query { ns.Person { name '); } catch (e) { err = e; }
      console.log(JSON.stringify({ entities: model.entities.size, ok: q !== undefined,
        isLangError: err instanceof LanguageError, code: err?.code, line: err?.line }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: app, encoding: 'utf8' });
    const result = JSON.parse(out.trim());
    expect(result.entities).toBe(1);
    expect(result.ok).toBe(true);
    expect(result.isLangError).toBe(true);
    expect(result.code).toBe('PARSE_ERROR');
    expect(result.line).toBe(1);
  });
});
