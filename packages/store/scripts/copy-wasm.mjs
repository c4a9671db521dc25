// After tsc: copies SQLite's WebAssembly module beside the browser driver (dist/browser).
import { copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const wasqlite = dirname(createRequire(import.meta.url).resolve('@journeyapps/wa-sqlite/package.json'));
copyFileSync(join(wasqlite, 'dist/mc-wa-sqlite.wasm'), join(resolve(import.meta.dirname, '..'), 'dist/browser/mc-wa-sqlite.wasm'));
