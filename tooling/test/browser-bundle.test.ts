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

/** The parts of @discret/crypto these tests call (the root has no dependency on the package). */
interface Crypto {
  backend: string;
  SigningKey: new (seed: Uint8Array) => { sign(message: Uint8Array): Uint8Array; publicKey: Uint8Array };
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  hash(data: Uint8Array): Uint8Array;
  base64url(data: Uint8Array): string;
  derivePassPhrase(login: string, password: string): Promise<Uint8Array>;
  deriveAppKeys(material: Uint8Array, appKey: string): { signingKey: { verifyingKey: string } };
}

const nodeEntry = (name: string) => resolve(root, `packages/${name}/src/index.ts`);

/**
 * Bundles the package as an app would import it (`import ... from '@discret/x'`), so its
 * `browser` export condition is what picks the files.
 */
async function bundlePackage(name: string): Promise<string> {
  const result = await build({
    stdin: { contents: `export * from '${name}';`, resolveDir: resolve(root, 'packages/core'), loader: 'js' },
    bundle: true, platform: 'browser', format: 'iife', globalName: 'pkg', write: false, logLevel: 'silent', target: 'es2022', metafile: true,
  });
  // The native parts behind the seams must not be in a browser bundle (checked on the files
  // bundled, not on the text: a comment may name them).
  const native = Object.keys(result.metafile.inputs).filter((file) => NATIVE.test(file));
  expect(native).toEqual([]);
  return result.outputFiles[0]!.text;
}

/** Node-only packages: native bindings, QUIC, dgram users. */
const NATIVE = /node_modules\/(?:\.pnpm\/)?(?:sodium-native|better-sqlite3|node-datachannel|@chainsafe\+libp2p-quic|@chainsafe\/libp2p-quic|@node-rs|@libp2p\+tcp|@libp2p\/tcp)/;

/** Runs a bundle in a context with only what every JavaScript runtime has, and returns its exports. */
function runBare(code: string): Record<string, unknown> {
  const context: Record<string, unknown> = {
    TextEncoder, TextDecoder, console, crypto: globalThis.crypto, queueMicrotask, setTimeout, clearTimeout, setInterval, clearInterval,
    WebAssembly: (globalThis as Record<string, unknown>).WebAssembly, AbortController, AbortSignal, EventTarget, Event, URL, performance,
  };
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

  test('the native-package check is not vacuous: the Node entries do bundle those packages', async () => {
    const result = await build({
      stdin: { contents: "export * from '@discret/sync'; export * from '@discret/crypto';", resolveDir: resolve(root, 'packages/core'), loader: 'js' },
      bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent', metafile: true, loader: { '.node': 'empty' },
    });
    const native = Object.keys(result.metafile.inputs).filter((file) => NATIVE.test(file));
    expect(native.some((f) => f.includes('libp2p-quic'))).toBe(true);
    expect(native.some((f) => f.includes('@node-rs'))).toBe(true);
  }, 60_000);

  test('every package bundles for a browser through its export conditions, with no Node built-in', async () => {
    for (const name of ['@discret/log', '@discret/store', '@discret/sync', '@discret/beacon']) {
      const code = await bundlePackage(name);
      // esbuild fails on an import of a Node built-in; bundlePackage checks the native packages.
      expect(() => runBare(code)).not.toThrow();
    }
  }, 60_000);

  test('@discret/crypto: the portable primitives sign, verify and derive the same bytes as Node', async () => {
    const code = await bundlePackage('@discret/crypto');
    const browser = runBare(code) as unknown as Crypto;
    // The Node entry, from the sources (jest maps the package name to them).
    const node = (await import(nodeEntry('crypto'))) as Crypto;
    expect(browser.backend).toBe('noble');
    const seed = new Uint8Array(32).fill(9);
    const message = new TextEncoder().encode('same bytes everywhere');
    const signature = new browser.SigningKey(seed).sign(message);
    expect(Array.from(signature)).toEqual(Array.from(new node.SigningKey(seed).sign(message)));
    expect(node.verify(new node.SigningKey(seed).publicKey, message, signature)).toBe(true);
    expect(browser.base64url(browser.hash(message))).toBe(node.base64url(node.hash(message)));
    // argon2id from hash-wasm in the bundle against @node-rs/argon2 in Node: the same keys.
    const [inBrowser, inNode] = await Promise.all([browser.derivePassPhrase('ann', 'pw'), node.derivePassPhrase('ann', 'pw')]);
    expect(Array.from(inBrowser)).toEqual(Array.from(inNode));
    expect(browser.deriveAppKeys(inBrowser, 'app').signingKey.verifyingKey).toBe(node.deriveAppKeys(inNode, 'app').signingKey.verifyingKey);
  }, 60_000);

  test('@discret/core: the same API; where the page has no Web Locks, open says so with a typed error', async () => {
    const code = await bundlePackage('@discret/core');
    const core = runBare(code) as unknown as {
      Discret: { open(options: object): Promise<unknown> };
      silentLogger: unknown;
    };
    const keyMaterial = new Uint8Array(32).fill(1);
    await expect(core.Discret.open({ appKey: 'app', keyMaterial, dataFolder: 'app', dataModel: 'a { B { c: String } }', logger: core.silentLogger }))
      .rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('navigator.locks') });
  }, 60_000);
});
