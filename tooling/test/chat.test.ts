// examples/chat, driven as a person would: two chat processes on terminals (each under
// `script`, which gives it a pty), the same login on two devices, meeting through a beacon
// process on 127.0.0.1 (multicast off). Each must print the line typed in the other.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBeacon } from '../../apps/beacon/test/spawn-beacon.js';
import { terminal } from './chat-terminal.js';

const root = mkdtempSync(join(tmpdir(), 'discret-chat-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('examples/chat', () => {
  test('two terminals of the same user see each other\'s lines, and /q quits', async () => {
    const beacon = await startBeacon(join(root, 'beacon.key'));
    const a = terminal(root, 'a', beacon.address);
    const b = terminal(root, 'b', beacon.address);
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
