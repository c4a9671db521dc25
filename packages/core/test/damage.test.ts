// Damaged files and full disks, on real SQLCipher files: a clear error reaches the caller,
// nothing acknowledged is lost, and nothing is silently started over or written into a
// damaged file.
import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveAppKeys } from '@discret/crypto';
import { Discret, DiscretError, silentLogger } from '@discret/core';
import { sqlcipherDriver } from '@discret/store';

const root = mkdtempSync(join(tmpdir(), 'discret-damage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const MODEL = 'notes { Note { text: String, n: Integer } }';
const keyMaterial = new Uint8Array(32).fill(4);
const open = (dataFolder: string) => Discret.open({ transport: 'none', dataModel: MODEL, appKey: 'test.damage', keyMaterial, dataFolder, logger: silentLogger, config: { enableMulticast: false } });
const databaseFile = (dataFolder: string) => join(dataFolder, readdirSync(dataFolder).find((f) => f.endsWith('.db'))!);
const errorOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as DiscretError);
const count = async (app: Discret) => ((await app.query('query { c: notes.Note { c: count() } }')) as { c: { c: number }[] }).c[0]?.c ?? 0;

/** A folder with a closed database holding `rows` notes (long texts, so they span many pages). */
async function folderWith(rows: number): Promise<string> {
  const dataFolder = join(root, String(n++));
  const app = await open(dataFolder);
  const stream = app.mutationStream();
  for (let i = 0; i < rows; i++) stream.write('mutate { notes.Note { text: $t n: $n } }', { t: `${i} ${'lorem ipsum '.repeat(30)}`, n: i });
  await stream.flush();
  await app.close();
  return dataFolder;
}

describe('damaged files', () => {
  test('an emptied (0-byte) database file is refused, not started over with a new identity', async () => {
    const dataFolder = await folderWith(3);
    const file = databaseFile(dataFolder);
    truncateSync(file, 0);
    const error = await errorOf(open(dataFolder));
    expect(error).toBeInstanceOf(DiscretError);
    expect(error!.code).toBe('CORRUPT_DATABASE');
    expect(error!.message).toMatch(/empty/);
    expect(statSync(file).size).toBe(0);
  });

  test('a zeroed file is WRONG_KEY, the message says it may be damaged, and the file is left as it was', async () => {
    const dataFolder = await folderWith(3);
    const file = databaseFile(dataFolder);
    writeFileSync(file, new Uint8Array(statSync(file).size));
    const before = readFileSync(file);
    const error = await errorOf(open(dataFolder));
    expect(error!.code).toBe('WRONG_KEY');
    expect(error!.message).toMatch(/damaged/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  test('interior damage: found by checkIntegrity or the first read of the page, and then writes stop', async () => {
    const dataFolder = await folderWith(2000);
    const file = databaseFile(dataFolder);
    // Flip bytes in a page that holds notes (SQLCipher authenticates every page). Which page
    // that is depends on the order rows were written in and on the text indexer, so it is
    // looked up: the middle one of the notes table's leaves.
    const key = deriveAppKeys(keyMaterial, 'test.damage').databaseKey;
    const raw = await sqlcipherDriver().open({ path: file, key, readonly: true });
    const leaves = await raw.all("SELECT pageno FROM dbstat WHERE name = '_node' AND pagetype = 'leaf' ORDER BY pageno");
    await raw.close();
    const page = Number(leaves[Math.floor(leaves.length / 2)]!.pageno);
    const fd = openSync(file, 'r+');
    writeSync(fd, new Uint8Array(64).fill(0xa5), 0, 64, (page - 1) * 4096 + 100);
    closeSync(fd);
    const app = await open(dataFolder);
    try {
      const report = await app.checkIntegrity();
      expect(report.file.length).toBeGreaterThan(0);
      const refused = await errorOf(app.mutate('mutate { notes.Note { text: "after" n: -1 } }'));
      expect(refused!.code).toBe('CORRUPT_DATABASE');
      const read = await errorOf(app.query('query { n: notes.Note { text } }'));
      expect(read!.code).toBe('CORRUPT_DATABASE');
    } finally {
      await app.close();
    }
  });

  test('a sound database checks clean', async () => {
    const app = await open(await folderWith(50));
    try {
      expect(await app.checkIntegrity()).toEqual({ file: [], nodes: [], edges: [], deletions: [] });
    } finally {
      await app.close();
    }
  });
});

describe('a full disk', () => {
  test('DISK_FULL reaches the caller, nothing acknowledged is lost, and writes resume once there is space', async () => {
    // A 6 MiB file system of our own (we are root): the database, and a filler to free later.
    const mountPoint = join(root, `tmpfs-${n++}`);
    mkdirSync(mountPoint);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mountPoint]);
    try {
      writeFileSync(join(mountPoint, 'filler'), new Uint8Array(1 << 20));
      const dataFolder = join(mountPoint, 'data');
      const app = await open(dataFolder);
      let acknowledged = 0;
      let full: DiscretError | undefined;
      // Bounded: 6 MiB holds fewer than 20,000 notes of this size.
      for (let i = 0; i < 20_000 && !full; i++) {
        const error = await errorOf(app.mutate('mutate { notes.Note { text: $t n: $n } }', { t: `${i} ${'x'.repeat(400)}`, n: i }));
        if (error) full = error;
        else acknowledged++;
      }
      expect(full).toBeInstanceOf(DiscretError);
      expect(full!.code).toBe('DISK_FULL');
      expect(acknowledged).toBeGreaterThan(100);
      expect(await count(app)).toBe(acknowledged);
      rmSync(join(mountPoint, 'filler'));
      await app.mutate('mutate { notes.Note { text: "after" n: -1 } }');
      expect(await count(app)).toBe(acknowledged + 1);
      await app.close();
      const again = await open(dataFolder);
      expect(await count(again)).toBe(acknowledged + 1);
      expect(await again.checkIntegrity()).toEqual({ file: [], nodes: [], edges: [], deletions: [] });
      await again.close();
    } finally {
      execFileSync('umount', ['-l', mountPoint]);
    }
  });
});
