// SQLite3MultipleCiphers encrypts the database file, its WAL and its journal, not SQLite's
// temporary files (statement journals, sorts). Those must never reach the disk: the driver
// keeps them in memory. Checked in a child process, where SQLITE_TMPDIR is read at start.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, test } from '@jest/globals';

test('a bulk write and a sort on an encrypted store open no temporary file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'discret-temp-'));
  try {
    const sqliteTmp = join(dir, 'sqlite-tmp');
    mkdirSync(sqliteTmp);
    const out = execFileSync(process.execPath, [resolve(import.meta.dirname, 'fixtures', 'temp-files.ts'), join(dir, 'db')], {
      env: { ...process.env, SQLITE_TMPDIR: sqliteTmp },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const report = JSON.parse(out) as { asked: number; rows: number; tempFiles: string[] };
    expect(report.asked).toBe(10_000); // the policy looked during both transactions
    expect(report.rows).toBe(10_000);
    expect(report.tempFiles).toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
