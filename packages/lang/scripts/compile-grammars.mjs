// Compiles grammar/*.ne to src/generated/*.ts with nearley's own compiler (nearleyc).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nearleyc = join(dirname(createRequire(import.meta.url).resolve('nearley/package.json')), 'bin', 'nearleyc.js');
mkdirSync(join(root, 'src/generated'), { recursive: true });
for (const file of readdirSync(join(root, 'grammar'))) {
  if (!file.endsWith('.ne') || file === 'common.ne') continue;
  const out = join(root, 'src/generated', file.replace(/\.ne$/, '.ts'));
  // nearley compiles an @include without the including file's @lexer, so the shared rules
  // are pasted in as text instead.
  const common = readFileSync(join(root, 'grammar', 'common.ne'), 'utf8');
  const source = readFileSync(join(root, 'grammar', file), 'utf8').replace('@include "common.ne"', common);
  const tmp = join(tmpdir(), `discret-${process.pid}-${file}`);
  writeFileSync(tmp, source);
  execFileSync(process.execPath, [nearleyc, tmp, '-o', out]);
  rmSync(tmp);
  // The generated file is typed loosely; tell the strict compiler so.
  writeFileSync(out, '// @ts-nocheck\n' + readFileSync(out, 'utf8'));
}
