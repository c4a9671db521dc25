// The examples are documentation that runs: each one, as a real process on the built packages,
// must finish cleanly and show what it promises.
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const examples = resolve(import.meta.dirname, '../../examples');
const run = (file: string) => execFileSync(process.execPath, [resolve(examples, file)], { cwd: examples, encoding: 'utf8', timeout: 60_000 });

describe('examples', () => {
  test('local-notes: writes, queries, reopens', () => {
    const out = run('local-notes.ts');
    expect(out).toContain('"title": "Groceries"');
    expect(out).toContain('UNKNOWN_FIELD at line 1');
  });

  test('two-peers: an invited user gets the room, and writes travel both ways', () => {
    const out = run('two-peers.ts');
    expect(out).toContain('bob sees: [{"text":"Hi Bob, welcome!"}]');
    expect(out).toContain('alice sees: [{"text":"Hi Bob, welcome!"},{"text":"Thanks Alice!"}]');
  });

  test('shared-blog: a room with rights refuses what they do not allow', () => {
    const out = run('shared-blog.ts');
    expect(out).toContain('"title": "Hello, room"');
    expect(out).toContain('AUTHORISATION_DENIED: sys.Room rows cannot be deleted');
    expect(out).toContain('AUTHORISATION_DENIED: no right to insert blog.Article');
    expect(out).toContain('articles still there: [{"title":"Hello, room"}]');
  });
});
