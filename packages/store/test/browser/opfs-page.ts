// The page of opfs.test.ts: the store with the browser's default driver (OPFS, in a worker),
// driven from the test through window.discretTest.
import { base64url, fromBase64url, fromHex, SigningKey } from '@discret/crypto';
import * as store from '@discret/store';
import type * as BrowserStore from '../../src/browser.ts';

// Bundled with the `browser` condition, so `store` is browser.ts; the type checker of the tests
// resolves the Node entry, hence the cast.
const { opfsDriver, Store } = store as unknown as typeof BrowserStore;

export const MODEL = 'notes { Note { title: String, index(title) } }';
const signingKey = new SigningKey(new Uint8Array(32).fill(7));
const out = document.getElementById('out')!;
const show = (text: string) => {
  out.textContent = text;
};
let held: BrowserStore.Store | null = null;

const open = (path: string, keyHex: string) => Store.open({ path, key: fromHex(keyHex), signingKey });

async function attempt<T>(work: () => Promise<T>): Promise<T | { error: string; message: string }> {
  try {
    return await work();
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return { error: e.code ?? 'UNKNOWN', message: String(e.message) };
  }
}

Object.assign(window, {
  discretTest: {
    /** A driver warmed twice before its first open (its worker has compiled SQLite by then), then a read through it. */
    warmedRead: (path: string, keyHex: string, wasmUrl?: string) => attempt(async () => {
      const driver = opfsDriver(wasmUrl ? { wasmUrl } : {});
      driver.warm!();
      driver.warm!();
      await new Promise((r) => setTimeout(r, 300));
      const store = await Store.open({ path, key: fromHex(keyHex), signingKey, driver });
      try {
        const { n } = (await store.query('query { n: notes.Note(order_by(title asc)) { title } }')) as { n: { title: string }[] };
        return n.map((x) => x.title);
      } finally {
        await store.close();
      }
    }),
    write: (path: string, keyHex: string, titles: string[]) => attempt(async () => {
      const store = await open(path, keyHex);
      try {
        await store.setDataModel(MODEL);
        for (const title of titles) await store.mutate('mutate { notes.Note { title: $t } }', { t: title });
        return titles.length;
      } finally {
        await store.close();
      }
    }),
    read: (path: string, keyHex: string) => attempt(async () => {
      const store = await open(path, keyHex);
      try {
        const { n } = (await store.query('query { n: notes.Note(order_by(title asc)) { title } }')) as { n: { title: string }[] };
        const titles = n.map((x) => x.title);
        show(`${path}: ${titles.join(', ')}`);
        return titles;
      } finally {
        await store.close();
      }
    }),
    /** Writes 16-KiB notes one per transaction until a write fails; then what was acknowledged. */
    fill: (path: string, keyHex: string, max: number) => attempt(async () => {
      const store = await open(path, keyHex);
      let written = 0;
      let error: { code?: string; message?: string } | null = null;
      try {
        await store.setDataModel(MODEL);
        const filler = 'x'.repeat(16 * 1024);
        for (; written < max; written++) {
          try {
            await store.mutate('mutate { notes.Note { title: $t } }', { t: `${written} ${filler}` });
          } catch (e) {
            error = e as { code?: string; message?: string };
            break;
          }
        }
      } finally {
        await store.close().catch(() => {});
      }
      return { written, code: error?.code ?? null, message: String(error?.message ?? '') };
    }),
    count: (path: string, keyHex: string) => attempt(async () => {
      const store = await open(path, keyHex);
      try {
        const { n } = (await store.query('query { n: notes.Note { title } }')) as { n: { title: string }[] };
        return n.length;
      } finally {
        await store.close();
      }
    }),
    hold: (path: string, keyHex: string) => attempt(async () => {
      held = await open(path, keyHex);
      return 'held';
    }),
    release: async () => {
      await held?.close();
      held = null;
    },
    fileBytes: async (path: string) => {
      const file = await (await fileHandle(path, false)).getFile();
      return base64url(new Uint8Array(await file.arrayBuffer()));
    },
    putFile: async (path: string, bytes: string) => {
      const writable = await (await fileHandle(path, true)).createWritable();
      await writable.write(fromBase64url(bytes) as Uint8Array<ArrayBuffer>);
      await writable.close();
    },
    files: async () => {
      const names: string[] = [];
      const walk = async (folder: FileSystemDirectoryHandle, prefix: string) => {
        for await (const [name, handle] of folder.entries()) {
          if (handle.kind === 'directory') await walk(handle as FileSystemDirectoryHandle, `${prefix}${name}/`);
          else names.push(`${prefix}${name}`);
        }
      };
      await walk(await navigator.storage.getDirectory(), '');
      return names.sort();
    },
  },
});

async function fileHandle(path: string, create: boolean): Promise<FileSystemFileHandle> {
  const parts = path.split('/');
  let folder = await navigator.storage.getDirectory();
  for (const part of parts.slice(0, -1)) folder = await folder.getDirectoryHandle(part, { create });
  return folder.getFileHandle(parts[parts.length - 1]!, { create });
}

show('ready');
