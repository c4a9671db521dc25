// The packages that have no reason to know about Node must bundle for a browser and run there:
// esbuild with `platform: 'browser'` fails on any Node built-in (`node:fs`, `Buffer` from
// 'buffer'...), and the bundle then runs in a bare JavaScript context (no `process`, no
// `Buffer`, no `require`), as a page would run it.
import { describe, expect, test } from '@jest/globals';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

const root = resolve(import.meta.dirname, '../..');

/** Bundles `entry` for the browser as an IIFE that puts its exports on `globalThis.pkg`. */
async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [resolve(root, entry)], bundle: true, platform: 'browser', format: 'iife', globalName: 'pkg', write: false, logLevel: 'silent', target: 'es2022',
  });
  return result.outputFiles[0]!.text;
}

/** Runs a bundle in a context with only what every JavaScript runtime has, and returns its exports. */
function runBare(code: string): Record<string, unknown> {
  const context: Record<string, unknown> = { TextEncoder, TextDecoder, console, crypto: globalThis.crypto, queueMicrotask, setTimeout, clearTimeout };
  context.globalThis = context;
  runInNewContext(code, context);
  expect(context.process).toBeUndefined();
  expect(context.Buffer).toBeUndefined();
  return context.pkg as Record<string, unknown>;
}

describe('bundled for a browser', () => {
  test('@discret/lang: no Node built-in, and it parses and validates in a bare context', async () => {
    const code = await bundle('packages/lang/dist/index.js');
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);
    const lang = runBare(code) as { parseDataModel(t: string): unknown; validateQuery(m: unknown, q: string): { entities: unknown[] } };
    const model = lang.parseDataModel('shop { Item { name: String, price: Integer } }');
    expect(lang.validateQuery(model, 'query { r: shop.Item(price > 3) { name } }').entities).toHaveLength(1);
  }, 30_000);

  test('@discret/rooms: no Node built-in, and it decides in a bare context', async () => {
    const code = await bundle('packages/rooms/dist/index.js');
    const rooms = runBare(code) as { decideWrite(room: unknown, request: unknown): { allowed: boolean } };
    const room = { id: 'r', admins: [{ verifyingKey: 'ann', enabled: true, date: 0 }], authorisations: [{ id: 'a', name: 'n', users: [], userAdmins: [], rights: [{ entity: 'x.E', mutateSelf: true, mutateAll: false, date: 0 }] }] };
    expect(rooms.decideWrite(room, { action: 'insert', entity: 'x.E', verifyingKey: 'ann', date: 1 }).allowed).toBe(true);
    expect(rooms.decideWrite(room, { action: 'insert', entity: 'x.E', verifyingKey: 'eve', date: 1 }).allowed).toBe(false);
  }, 30_000);
});
