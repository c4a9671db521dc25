// `discret repl` on a terminal (a pty from `script`), typed at as a person would: Tab
// completion from the data model, a request over several lines, tables, an error with its
// caret, and history kept in the data folder for the next session (Up arrow).
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

const cli = resolve(import.meta.dirname, '../dist/main.js');
const root = mkdtempSync(join(tmpdir(), 'discret-repl-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { ...process.env, DISCRET_PW: 'pw', DISCRET_LOG: 'error' };
const data = ['--data', join(root, 'data'), '--app-key', 'test.repl', '--login', 'me', '--password-env', 'DISCRET_PW'];
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** A repl session on a pty: type keys, wait until the screen shows something. */
function session() {
  // a real terminal type: with TERM unset or "dumb" (as on CI), readline offers no completion
  // and no history, as in a dumb terminal
  const child = spawn('script', ['-qfec', [process.execPath, cli, 'repl', ...data].map(quote).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...env, TERM: 'xterm-256color' } });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => {
    // without terminal control sequences and carriage returns
    screen += stripVTControlCharacters(chunk.toString()).replaceAll('\r', '');
  });
  const shows = async (pattern: RegExp, ms = 20_000) => {
    const end = Date.now() + ms;
    while (!pattern.test(screen)) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`the repl never showed ${pattern}; its screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 30));
    }
  };
  const keys = (text: string) => child.stdin.write(text);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { shows, keys, exited, screen: () => screen, clear: () => (screen = ''), kill: () => child.exitCode === null && child.kill('SIGKILL') };
}
const sessions: ReturnType<typeof session>[] = [];
afterAll(() => {
  for (const s of sessions) s.kill();
});

describe('discret repl', () => {
  test('completion, multi-line requests, tables, errors with a caret, and history across sessions', async () => {
    const modelFile = join(root, 'model.discret');
    writeFileSync(modelFile, 'notes {\n  Note { title: String, body: String nullable }\n  Notebook { name: String }\n}\n');
    expect(spawnSync(process.execPath, [cli, 'mutate', ...data, '--model', modelFile, 'mutate { notes.Note { title: "first" } }'], { env }).status).toBe(0);

    const first = session();
    sessions.push(first);
    await first.shows(/discret> $/);
    // "tit" starts one word of the model, "title": Tab completes it
    first.keys('query { n: notes.Note { tit');
    // Tab on its own, after the rest is echoed: readline takes a chunk of several keys for a
    // paste and does not complete in it
    await first.shows(/\{ tit$/);
    first.keys('\t');
    await first.shows(/notes\.Note \{ title$/);
    first.keys(' } }\n');
    await first.shows(/"title": "first"/);
    first.clear();
    first.keys('query {\n');
    await first.shows(/\.\.\.> $/);
    first.keys('  b: notes.Notebook { name }\n');
    first.keys('}\n');
    await first.shows(/"b": \[\]/);
    first.keys('.format table\n');
    first.keys('query { n: notes.Note { title body } }\n');
    await first.shows(/│ \(index\) │ title\s+│ body\s+│/);
    first.keys('query { n: notes.Note { titel } }\n');
    await first.shows(/error UNKNOWN_FIELD at line 1, column 25: .*\n1 \| query \{ n: notes\.Note \{ titel \} \}\n {2}\| {25}\^/);
    first.keys('.exit\n');
    expect(await first.exited).toBe(0);
    const history = readFileSync(join(root, 'data', '.discret_history'), 'utf8');
    expect(history.split('\n').filter(Boolean).at(-1)).toBe('query { n: notes.Note { titel } }');

    // the next session remembers: Up arrow brings back the last request
    const second = session();
    sessions.push(second);
    await second.shows(/discret> $/);
    second.keys('\x1b[A');
    await second.shows(/discret> query \{ n: notes\.Note \{ titel \} \}$/);
    second.keys('\x15.exit\n'); // Ctrl-U clears the line first
    expect(await second.exited).toBe(0);
  }, 90_000);
});
