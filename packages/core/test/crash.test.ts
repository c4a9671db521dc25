// Crash safety: a writer process is killed with SIGKILL at random moments, 50 times, in the
// middle of single and bulk writes. Each time the database reopens, holds every write that was
// acknowledged before the kill, and (checked every 25 runs) every signature
// verifies and SQLite finds the file sound.
import { afterAll, expect, test } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Discret, silentLogger } from '@discret/core';
import { within } from './waits.js';

const root = mkdtempSync(join(tmpdir(), 'discret-crash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const RUNS = 50;

/** The database of the crash writer (fixtures/crash-writer.ts), opened here. */
const openNotes = (dataFolder: string) => Discret.open({ transport: 'none',
  dataModel: 'notes { Note { key: String, text: String } }', appKey: 'test.crash', keyMaterial: new Uint8Array(32).fill(9), dataFolder,
  logger: silentLogger, config: { enableMulticast: false },
});

/**
 * Runs a fixture as a child process and hands each stdout line (with the child, to kill it) to
 * `onLine`; resolves with every line and how the child ended. Killed after `guardMs` anyway.
 */
function runFixture(fixture: string, args: string[], onLine: (line: string, child: ChildProcess) => void, guardMs: number) {
  return new Promise<{ lines: string[]; signal: NodeJS.Signals | null; code: number | null }>((done, fail) => {
    const child = spawn(process.execPath, [resolve(import.meta.dirname, 'fixtures', fixture), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    let buffered = '';
    const guard = setTimeout(() => child.kill('SIGKILL'), guardMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        onLine(line, child);
      }
    });
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      done({ lines, signal, code });
    });
  });
}

/** Runs the writer, kills it `delayMs` after it is ready; resolves the keys it acknowledged. */
async function runAndKill(dataFolder: string, run: number, delayMs: number): Promise<string[]> {
  const acked: string[] = [];
  const { signal, code } = await runFixture('crash-writer.ts', [dataFolder, String(run)], (line, child) => {
    const [kind, key, count] = line.split(' ');
    if (kind === 'ready') setTimeout(() => child.kill('SIGKILL'), delayMs);
    if (kind === 'one') acked.push(key!);
    if (kind === 'bulk') for (let j = 0; j < Number(count); j++) acked.push(`${key}.${j}`);
  }, 30_000);
  if (signal !== 'SIGKILL') throw new Error(`the writer ended by itself (${code}) before the kill`);
  return acked;
}

test(`${RUNS} SIGKILLs during writes lose nothing acknowledged and leave a sound, verified database`, async () => {
  const dataFolder = join(root, 'data');
  const acknowledged = new Set<string>();
  let seed = 12345;
  const random = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  for (let run = 0; run < RUNS; run++) {
    for (const key of await runAndKill(dataFolder, run, Math.floor(10 + random() * 250))) acknowledged.add(key);
    const app = await openNotes(dataFolder);
    try {
      const { n } = (await app.query('query { n: notes.Note { key } }')) as { n: { key: string }[] };
      const stored = new Set(n.map((row) => row.key));
      const lost = [...acknowledged].filter((key) => !stored.has(key));
      expect({ run, lost }).toEqual({ run, lost: [] });
      if (run % 25 === 24) expect(await app.checkIntegrity()).toEqual({ file: [], nodes: [], edges: [], deletions: [] });
    } finally {
      await app.close();
    }
  }
  expect(acknowledged.size).toBeGreaterThan(RUNS * 10);
}, 600_000);

test('a second process on the same data folder gets LOCKED at once; after the first is killed, the folder opens', async () => {
  const dataFolder = join(root, 'locked');
  const open = () => openNotes(dataFolder);
  let started: (child: ChildProcess) => void = () => {};
  const ready = new Promise<ChildProcess>((resolve) => {
    started = resolve;
  });
  const writer = runFixture('crash-writer.ts', [dataFolder, 'x'], (line, child) => {
    if (line === 'ready') started(child);
  }, 30_000);
  let child: ChildProcess | undefined;
  try {
    child = await within(ready, 30_000, 'the writer did not start');
    await expect(open()).rejects.toMatchObject({ code: 'LOCKED', message: expect.stringContaining(`process ${child.pid}`) });
  } finally {
    child?.kill('SIGKILL');
    await writer;
  }
  const app = await open();
  await app.close();
  const sameProcess = await open();
  await expect(open()).rejects.toMatchObject({ code: 'LOCKED' });
  await sameProcess.close();
});

test('a receiving device killed three times in the middle of its initial sync converges, with no half-imported data', async () => {
  const { libp2pTransport } = await import('@discret/core');
  const MODEL = 'notes { Note { text: String, tags: [notes.Tag] nullable } Tag { label: String } }';
  const sender = await Discret.open({
    dataModel: MODEL, appKey: 'test.sync-crash', keyMaterial: new Uint8Array(32).fill(21), dataFolder: join(root, 'sender'),
    transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), logger: silentLogger, config: { enableMulticast: false },
  });
  const ROWS = 6000;
  try {
    const r = sender.privateRoom;
    const stream = sender.mutationStream();
    for (let i = 0; i < ROWS; i++) {
      stream.write('mutate { notes.Note { room_id: $r text: $t tags: [{ label: $a }, { label: $b }] } }', { r, t: `note ${i} ${'x'.repeat(200)}`, a: `a${i}`, b: `b${i}` });
    }
    await stream.flush();
    const receiver = join(root, 'receiver');
    /** Runs the receiving device; kills it at the first progress line past `killAfter` rows (or lets it finish). */
    const device = async (killAfter?: number) => (await runFixture('sync-device.ts', [receiver, sender.addresses()[0]!], (line, child) => {
      const [kind, rows] = line.split(' ');
      if (killAfter !== undefined && kind === 'count' && Number(rows) > killAfter) child.kill('SIGKILL');
    }, 120_000)).lines;
    let before = 0;
    for (let round = 0; round < 3; round++) {
      const killAfter = before; // at the first commit of new rows in this run
      const lines = await device(killAfter);
      const progress = lines.filter((l) => l.startsWith('count ')).map((l) => Number(l.split(' ')[1]));
      // Killed in the middle: it had received some rows, not all, and nothing it held before was lost.
      expect(lines.some((l) => l.startsWith('synced'))).toBe(false);
      expect(Math.max(...progress)).toBeGreaterThan(killAfter);
      expect(Math.min(...progress)).toBeGreaterThanOrEqual(before);
      before = Math.max(...progress);
    }
    const lines = await device();
    expect(lines).toContain(`synced ${ROWS} ${ROWS * 2}`);
    expect(lines).toContain(`integrity ${JSON.stringify({ file: [], nodes: [], edges: [], deletions: [] })}`);
  } finally {
    await sender.close();
  }
}, 300_000);
