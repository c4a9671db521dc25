// Runs pages in a real headless Chromium: Debian's `chromium` package (installed by .ci/run,
// never downloaded by a tool), driven by playwright-core. Pages are bundled by esbuild with the
// `browser` export conditions, as an app's bundler would, and served from http://localhost
// (a secure context, so OPFS, Web Locks and Web Crypto exist).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.DISCRET_CHROMIUM ?? '/usr/bin/chromium';
const root = resolve(import.meta.dirname, '../..');

/** Bundles `entry` (a TypeScript or JavaScript file) for the browser, resolving @discret/* from `resolveDir`. */
export async function bundlePage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm', target: 'es2022', write: false, logLevel: 'silent',
    nodePaths: [resolve(root, 'packages/core/node_modules'), resolve(root, 'node_modules')],
  });
  return result.outputFiles[0]!.text;
}

/** What the server answers: path → body (string or bytes) and content type. */
export type Site = Record<string, { body: string | Uint8Array; type: string }>;

/** The wasm of the store's browser driver, where a bundle at the site's root looks for it. */
export function driverAssets(): Site {
  const wasm = resolve(root, 'packages/store/dist/browser/mc-wa-sqlite.wasm');
  if (!existsSync(wasm)) throw new Error('packages/store is not built (pnpm build)');
  return { '/mc-wa-sqlite.wasm': { body: readFileSync(wasm), type: 'application/wasm' } };
}

export interface BrowserSession {
  url: string;
  context: BrowserContext;
  /** A new tab on the site's index page, with its console and errors collected. */
  open(path?: string): Promise<Page>;
  /** Console lines and page errors seen so far. */
  logs: string[];
  close(): Promise<void>;
}

/**
 * WebRTC between pages on one machine: Chromium refuses loopback candidates unless told
 * otherwise.
 */
export const WEBRTC_LOCAL_FLAGS = ['--allow-loopback-in-peer-connection'];

/**
 * Always: Chromium hides a page's local addresses behind mDNS names, which it announces by
 * multicast on the host's interfaces as soon as a page gathers WebRTC candidates (any page of
 * ours that syncs does). Tests never multicast on the host, so that is off in every browser.
 */
const NO_MDNS = ['--disable-features=WebRtcHideLocalIpsWithMdns'];

/** Serves `site` on 127.0.0.1 (pages use http://localhost:<port>, a secure context). */
export async function serve(site: Site): Promise<{ server: Server; port: number }> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = site[path === '/' ? '/index.html' : path];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, port: (server.address() as { port: number }).port };
}

/** Serves `site` on localhost and starts Chromium with a persistent profile of its own (OPFS survives tabs). */
export async function startBrowser(site: Site, flags: string[] = []): Promise<BrowserSession> {
  const { server, port } = await serve(site);
  const profile = mkdtempSync(join(tmpdir(), 'discret-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', ...NO_MDNS, ...flags], timeout: 30_000,
    });
  } catch (error) {
    server.close();
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const logs: string[] = [];
  return {
    url: `http://localhost:${port}/`,
    context,
    logs,
    async open(path = '/') {
      const page = await context.newPage();
      page.on('console', (message) => logs.push(`console.${message.type()}: ${message.text()}`));
      page.on('pageerror', (error) => logs.push(`pageerror: ${error.message}`));
      await page.goto(`http://localhost:${port}${path}`);
      return page;
    },
    async close() {
      await context.close().catch(() => {});
      await new Promise<void>((done) => server.close(() => done()));
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Where browser tests keep their screenshots (kept after the run, so a person can look at
 * them: a page that renders wrong is a failure even when the DOM query passed).
 */
export function screenshotPath(name: string): string {
  const folder = join(tmpdir(), 'discret-screenshots');
  mkdirSync(folder, { recursive: true });
  return join(folder, `${name}.png`);
}

/** A page that loads one module script. */
export function indexPage(script = '/page.js'): Site {
  return { '/index.html': { body: `<!doctype html><meta charset="utf-8"><title>discret</title><body><pre id="out">loading</pre><script type="module" src="${script}"></script></body>`, type: 'text/html' } };
}
