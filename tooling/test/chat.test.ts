// examples/chat, driven as a person would: two chat processes on terminals (each under
// `script`, which gives it a pty), the same login on two devices, meeting through a beacon
// process on 127.0.0.1 (multicast off). Each must print the line typed in the other.
import { afterAll, describe, expect, test } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBeacon } from '../../apps/beacon/test/spawn-beacon.js';

const chat = resolve(import.meta.dirname, '../../examples/chat/chat.ts');
const root = mkdtempSync(join(tmpdir(), 'discret-chat-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** A chat on a terminal: what it printed so far, typing a line, waiting for text. */
function terminal(name: string, beacon: string) {
  const command = [process.execPath, chat, '--data', join(root, name), '--beacon', beacon, '--no-multicast', '--listen', '/ip4/127.0.0.1/tcp/0'].map(quote).join(' ');
  const child: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, DISCRET_LOG: 'error' } });
  let screen = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  const shows = async (text: string, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!screen.includes(text)) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`${name} never showed "${text}"; its screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const type = (line: string) => child.stdin!.write(`${line}\n`);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, shows, type, exited, screen: () => screen };
}

describe('examples/chat', () => {
  test('two terminals of the same user see each other\'s lines, and /q quits', async () => {
    const beacon = await startBeacon(join(root, 'beacon.key'));
    const a = terminal('a', beacon.address);
    const b = terminal('b', beacon.address);
    try {
      await Promise.all([a.shows('Write something!'), b.shows('Write something!')]);
      a.type('hello from the first terminal');
      await b.shows('you said: hello from the first terminal');
      b.type('and hi from the second');
      await a.shows('you said: and hi from the second');
      a.type('/q');
      b.type('/q');
      expect(await a.exited).toBe(0);
      expect(await b.exited).toBe(0);
    } finally {
      for (const t of [a, b]) if (t.child.exitCode === null) t.child.kill('SIGKILL');
      await beacon.stop();
    }
  }, 90_000);
});
