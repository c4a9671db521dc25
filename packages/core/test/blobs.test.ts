// Blobs through the public API: real SQLCipher files, and two peers over libp2p on 127.0.0.1.
import { describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Configuration, Discret, libp2pTransport, silentLogger } from '@discret/core';
import { nextEvent } from './waits.js';
import { scratch } from './scratch.js';

const { root, pool } = scratch('discret-blobs-');
let n = 0;
const MODEL = 'chat { Message { text: String, file: String nullable } }';
const GROUP = 64 * 1024;

async function open(keyFill: number, config: Partial<Configuration> = {}, networked = false) {
  return Discret.open({
    dataModel: MODEL, appKey: 'test.blobs', keyMaterial: new Uint8Array(32).fill(keyFill), dataFolder: join(root, String(n++)),
    transport: networked ? libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }) : 'none', logger: silentLogger, cryptoPool: pool,
    config: { enableMulticast: false, ...config },
  });
}

/** Bytes where every byte depends on its position and the seed (no two groups alike). */
function pattern(size: number, seed = 1): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>) parts.push(chunk);
  return new Uint8Array(Buffer.concat(parts));
}

const sha = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

describe('blobs on one device', () => {
  test('bytes, streams, async iterables and files round-trip; ranges cut across groups; ids are per room', async () => {
    const app = await open(1);
    try {
      const data = pattern(3 * GROUP + 123);
      const put = await app.putBlob(data, { room: app.privateRoom });
      expect(put.size).toBe(data.length);
      expect(put.id).toMatch(/^blob1\./);
      expect(await readAll(app.getBlob(put.id))).toEqual(data);
      // The same bytes again, streamed in odd chunks or read from a file: the same id.
      const chunks = async function* () {
        for (let at = 0; at < data.length; at += 10_000) yield data.subarray(at, at + 10_000);
      };
      expect((await app.putBlob(chunks(), { room: app.privateRoom })).id).toBe(put.id);
      expect((await app.putBlob(new Blob([data as Uint8Array<ArrayBuffer>]).stream(), { room: app.privateRoom })).id).toBe(put.id);
      const file = join(root, 'file.bin');
      writeFileSync(file, data);
      expect((await app.putBlob(file, { room: app.privateRoom })).id).toBe(put.id);
      // Ranges, inside a group, across groups, empty, to the end.
      for (const [start, end] of [[5, 17], [GROUP - 3, 2 * GROUP + 9], [100, 100], [3 * GROUP, data.length], [0, data.length]] as const) {
        expect(await readAll(app.getBlob(put.id, { range: { start, end } }))).toEqual(data.subarray(start, end));
      }
      expect(await app.blobStatus(put.id)).toEqual({ state: 'local', size: data.length, bytesHeld: data.length });
      // An empty blob.
      const empty = await app.putBlob(new Uint8Array(), { room: app.privateRoom });
      expect(empty.size).toBe(0);
      expect(await readAll(app.getBlob(empty.id))).toEqual(new Uint8Array());
      // Another room: another id for the same content.
      const { room } = await app.mutate<{ room: { id: string } }>('mutate { room: sys.Room { admin: [{ verif_key: $me }] } }', { me: app.verifyingKey });
      const other = await app.putBlob(data, { room: room.id });
      expect(other.id).not.toBe(put.id);
      expect(await readAll(app.getBlob(other.id))).toEqual(data);
    } finally {
      await app.close();
    }
  });

  test('bad arguments are INVALID_ARGUMENT; an unknown blob with no peers is NOT_FOUND', async () => {
    const app = await open(2);
    try {
      await expect(app.putBlob(new Uint8Array(3), { room: 'nope' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(app.putBlob(42 as unknown as Uint8Array, { room: app.privateRoom })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(() => app.getBlob('blob1.x')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      const { id } = await app.putBlob(pattern(10), { room: app.privateRoom });
      expect(() => app.getBlob(id, { range: { start: 5, end: 11 } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      const unknown = id.replace(/\.10\./, '.11.');
      expect(await app.blobStatus(unknown)).toEqual({ state: 'missing', size: 11, bytesHeld: 0 });
      await expect(readAll(app.getBlob(unknown))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      const aborted = new AbortController();
      aborted.abort();
      await expect(app.putBlob(pattern(10), { room: app.privateRoom, signal: aborted.signal })).rejects.toMatchObject({ code: 'ABORTED' });
    } finally {
      await app.close();
    }
  });

  test('the bytes are encrypted at rest: no group of the blob is in the database files', async () => {
    const folder = join(root, String(n));
    const app = await open(3);
    const marker = new TextEncoder().encode('PLAINTEXT-MARKER-'.repeat(8000));
    await app.putBlob(marker, { room: app.privateRoom });
    await app.close();
    for (const file of readdirSync(folder)) {
      expect(readFileSync(join(folder, file)).includes(Buffer.from('PLAINTEXT-MARKER-PLAINTEXT'))).toBe(false);
    }
  });

  test('collection frees unreferenced blobs only, never one referenced or being written, under concurrency', async () => {
    const app = await open(4);
    try {
      const r = app.privateRoom;
      const kept = await app.putBlob(pattern(GROUP + 5, 2), { room: r });
      const dropped = await app.putBlob(pattern(2 * GROUP, 3), { room: r });
      const { m } = await app.mutate<{ m: { id: string } }>('mutate { m: chat.Message { room_id: $r text: "photo" file: $f } }', { r, f: `see ${kept.id}` });
      // Within the grace period nothing goes.
      expect(await app.collectBlobs()).toEqual({ blobs: 0, bytes: 0 });
      expect(await app.collectBlobs({ graceMs: 0 })).toEqual({ blobs: 1, bytes: 2 * GROUP });
      expect((await app.blobStatus(dropped.id)).state).toBe('missing');
      expect((await app.blobStatus(kept.id)).state).toBe('local');
      await app.delete('delete { chat.Message { $id } }', { id: m.id });
      expect((await app.collectBlobs({ graceMs: 0 })).blobs).toBe(1);
      expect((await app.blobStatus(kept.id)).state).toBe('missing');

      // Puts, references and collections at once: every blob referenced at the end is whole.
      const referenced: string[] = [];
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 12; i++) {
        work.push((async () => {
          const { id } = await app.putBlob(pattern(GROUP * (1 + (i % 3)) + i, 10 + i), { room: r });
          if (i % 2 === 0) {
            await app.mutate('mutate { chat.Message { room_id: $r text: "x" file: $f } }', { r, f: id });
            referenced.push(id);
          }
        })());
        work.push(app.collectBlobs({ graceMs: 0 }));
      }
      await Promise.all(work);
      await app.collectBlobs({ graceMs: 0 });
      for (const id of referenced) expect((await app.blobStatus(id)).state).toBe('local');
      const { msgs } = await app.query<{ msgs: { file: string }[] }>('query { msgs: chat.Message(room_id = $r) { file } }', { r });
      expect(msgs.length).toBe(6);
    } finally {
      await app.close();
    }
  });
});

describe('blobs between peers (libp2p on 127.0.0.1)', () => {
  test('a 64 MiB blob round-trips byte-identical, with progress; a range fetches only its groups', async () => {
    const a = await open(9, {}, true);
    const b = await open(9, {}, true);
    try {
      const data = pattern(64 * 1024 * 1024 + 7, 5);
      const { id } = await a.putBlob(data, { room: a.privateRoom });
      const small = await a.putBlob(pattern(300 * 1024, 6), { room: a.privateRoom });
      expect(await b.connect(a.addresses()[0]!)).toBe(a.verifyingKey);

      // A range in the middle: only the groups it covers move.
      const start = 10 * GROUP + 100;
      expect(await readAll(b.getBlob(id, { range: { start, end: start + 1024 * 1024 } }))).toEqual(data.subarray(start, start + 1024 * 1024));
      const partial = await b.blobStatus(id);
      expect(partial.state).toBe('partial');
      expect(partial.bytesHeld).toBe(17 * GROUP);

      const progress: number[] = [];
      const stop = b.on('BlobProgress', (e) => e.id === id && progress.push(e.bytes));
      const available = nextEvent(b, 'BlobAvailable', (e) => e.id === id, 60_000);
      expect(sha(await readAll(b.getBlob(id)))).toBe(sha(data));
      await available;
      stop();
      expect(progress.length).toBeGreaterThan(30);
      expect(progress).toEqual([...progress].sort((x, y) => x - y));
      expect(await b.blobStatus(id)).toEqual({ state: 'local', size: data.length, bytesHeld: data.length });
      expect(await readAll(b.getBlob(small.id))).toEqual(pattern(300 * 1024, 6));
    } finally {
      await a.close();
      await b.close();
    }
  }, 60_000);

  test('small blobs referenced by synced rows are prefetched when configured', async () => {
    const a = await open(11, {}, true);
    const b = await open(11, { prefetchBlobsUpToKb: 64 }, true);
    try {
      const r = a.privateRoom;
      const small = await a.putBlob(pattern(1000, 7), { room: r });
      const large = await a.putBlob(pattern(100 * 1024, 8), { room: r });
      await a.mutate('mutate { s: chat.Message { room_id: $r text: "small" file: $f } l: chat.Message { room_id: $r text: "large" file: $g } }', { r, f: small.id, g: large.id });
      const available = nextEvent(b, 'BlobAvailable', (e) => e.id === small.id, 10_000);
      await b.connect(a.addresses()[0]!);
      await available;
      expect((await b.blobStatus(small.id)).state).toBe('local');
      expect((await b.blobStatus(large.id)).state).toBe('missing');
    } finally {
      await a.close();
      await b.close();
    }
  }, 30_000);
});

describe('blob transfers survive a crash', () => {
  test('the fetching process killed with SIGKILL mid-transfer resumes from what it had committed', async () => {
    const { spawn } = await import('node:child_process');
    const fixture = join(import.meta.dirname, 'fixtures/blob-fetcher.ts');
    const sender = await Discret.open({
      dataModel: 'files { File { name: String, blob: String } }', appKey: 'test.blob-resume', keyMaterial: new Uint8Array(32).fill(31),
      dataFolder: join(root, String(n++)), transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), logger: silentLogger, cryptoPool: pool,
      config: { enableMulticast: false },
    });
    const folder = join(root, String(n++));
    const data = pattern(48 * 1024 * 1024, 12);
    try {
      const { id } = await sender.putBlob(data, { room: sender.privateRoom });
      /** Runs the fetcher; resolves its lines once `stop(lines)` says so (or it exits). */
      const fetcher = (stop: (lines: string[]) => boolean) => new Promise<{ lines: string[]; kill: () => void; exited: Promise<void> }>((resolve, reject) => {
        const child = spawn(process.execPath, [fixture, folder, sender.addresses()[0]!, id], { stdio: ['ignore', 'pipe', 'inherit'] });
        const lines: string[] = [];
        const exited = new Promise<void>((done) => child.once('exit', () => done()));
        const timer = setTimeout(() => reject(new Error(`fetcher stuck: ${lines.slice(-3).join(' | ')}`)), 60_000);
        const settle = () => {
          clearTimeout(timer);
          resolve({ lines, kill: () => child.kill('SIGKILL'), exited });
        };
        let partial = '';
        child.stdout.on('data', (chunk: Buffer) => {
          const parts = (partial + chunk.toString()).split('\n');
          partial = parts.pop()!;
          lines.push(...parts);
          if (stop(lines)) settle();
        });
        child.once('exit', settle);
      });
      const progressOf = (lines: string[]) => Math.max(0, ...lines.filter((l) => l.startsWith('progress ')).map((l) => Number(l.split(' ')[1])));
      const first = await fetcher((lines) => progressOf(lines) >= 12 * 1024 * 1024);
      first.kill();
      await first.exited;
      const acknowledged = progressOf(first.lines);
      expect(acknowledged).toBeGreaterThanOrEqual(12 * 1024 * 1024);
      expect(acknowledged).toBeLessThan(data.length);

      const second = await fetcher((lines) => lines.some((l) => l.startsWith('done ')));
      await second.exited;
      const [, state, held] = second.lines[0]!.split(' ');
      expect(state).toBe('partial');
      // Nothing acknowledged was lost; what is fetched again is what was not committed.
      expect(Number(held)).toBeGreaterThanOrEqual(acknowledged);
      expect(second.lines.at(-1)).toBe(`done ${sha(data)}`);
    } finally {
      await sender.close();
    }
  }, 120_000);
});
