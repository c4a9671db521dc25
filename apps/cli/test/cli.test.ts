// The `discret` command as a real process (the built dist/main.js through node): exit codes,
// stdout and stderr asserted. Peers run on 127.0.0.1 with multicast off.
import { afterAll, describe, expect, test } from '@jest/globals';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Discret, derivePassPhrase } from '@discret/core';
import { startBeacon } from '../../beacon/test/spawn-beacon.js';

const cli = resolve(import.meta.dirname, '../dist/main.js');
const repo = resolve(import.meta.dirname, '../../..');
const root = mkdtempSync(join(tmpdir(), 'discret-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const modelFile = join(root, 'model.discret');
writeFileSync(modelFile, 'notes {\n  Note { title: String, body: String nullable }\n}\n');
const env = { ...process.env, DISCRET_PW: 'correct horse', DISCRET_LOG: 'error' };

/** Runs `discret args...` to the end; `input` goes to its stdin. */
function discret(args: string[], input = '', extraEnv: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [cli, ...args], { input, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}
let folders = 0;
/** The options of a fresh data folder (with the model the first time). */
const folder = (login = 'me') => ['--data', join(root, `d${folders++}`), '--app-key', 'test.cli', '--login', login, '--password-env', 'DISCRET_PW'];

describe('discret (local commands)', () => {
  test('--help on the program and on every command; an unknown option is a usage error (2)', () => {
    const help = discret(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['demo', 'query', 'mutate', 'delete', 'model', 'serve', 'invite', 'accept', 'peers']) {
      expect(help.out).toContain(command);
      const one = discret([command, '--help']);
      expect(one.code).toBe(0);
      expect(one.out).toContain(`Usage: discret ${command}`);
    }
    expect(help.out).not.toContain('demo-peer'); // internal
    const wrong = discret(['query', ...folder(), '--nope', 'query { n: notes.Note { title } }']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain("unknown option '--nope'");
    const unknown = discret(['nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("unknown command 'nosuch'");
  });

  test('mutate then query: JSON on stdout; the request from an argument, a file or stdin', () => {
    const data = folder();
    const written = discret(['mutate', ...data, '--model', modelFile, 'mutate { n: notes.Note { title: $t } }', '--params', '{"t": "first"}']);
    expect(written.err).toBe('');
    expect(written.code).toBe(0);
    expect(JSON.parse(written.out).n.title).toBe('first');
    // the model is remembered: no --model from here on
    const requestFile = join(root, 'all.dq');
    writeFileSync(requestFile, 'query { n: notes.Note { title } }');
    for (const [args, input] of [[['query', ...data, 'query { n: notes.Note { title } }'], ''], [['query', ...data, '--file', requestFile], ''], [['query', ...data, '-'], 'query { n: notes.Note { title } }']] as const) {
      const read = discret([...args], input);
      expect(read.code).toBe(0);
      expect(JSON.parse(read.out)).toEqual({ n: [{ title: 'first' }] });
    }
    const deleted = discret(['delete', ...data, 'delete { notes.Note { $id } }', '--params', JSON.stringify({ id: JSON.parse(written.out).n.id })]);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(discret(['query', ...data, 'query { n: notes.Note { title } }']).out)).toEqual({ n: [] });
  });

  test('a language error exits 3 with line and column on stderr, and a caret under the column', () => {
    const data = folder();
    const bad = discret(['query', ...data, '--model', modelFile, 'query {\n  n: notes.Note { titel }\n}']);
    expect(bad.code).toBe(3);
    expect(bad.out).toBe('');
    const lines = bad.err.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^error [A-Z_]+ at line 2, column \d+: /);
    const column = Number(/column (\d+)/.exec(lines[0]!)![1]);
    expect(lines[1]).toBe('2 |   n: notes.Note { titel }');
    expect(lines[2]!.indexOf('^') - '  | '.length).toBe(column - 1);
    expect('  n: notes.Note { titel }'.slice(column - 1)).toMatch(/^titel/);
    // an error in the data model points into the model's text, not the request's
    const badModel = join(root, 'bad-model.discret');
    writeFileSync(badModel, 'notes {\n  Note { title: Strin }\n}\n');
    const modelError = discret(['query', ...folder(), '--model', badModel, 'query { n: notes.Note { title } }']);
    expect(modelError.code).toBe(3);
    expect(modelError.err.split('\n')[1]).toBe('2 |   Note { title: Strin }');
  });

  test('usage errors (2): no password, no data model, bad --params; a wrong password is a runtime error (4)', () => {
    const data = folder();
    const withoutPassword = data.filter((a, i) => a !== '--password-env' && data[i - 1] !== '--password-env');
    const noPassword = discret(['query', ...withoutPassword, '--model', modelFile, 'query { n: notes.Note { title } }']);
    expect(noPassword.code).toBe(2);
    expect(noPassword.err).toContain('no password');
    expect(discret(['query', ...folder(), 'query { n: notes.Note { title } }']).code).toBe(2); // no model yet
    expect(discret(['query', ...data, '--model', modelFile, 'query { n: notes.Note { title } }', '--params', '[1]']).code).toBe(2);
    expect(discret(['query', ...data, '--model', modelFile, 'query { n: notes.Note { title } }']).code).toBe(0);
    const wrong = discret(['query', ...data, 'query { n: notes.Note { title } }'], '', { DISCRET_PW: 'wrong' });
    expect(wrong.code).toBe(4);
    expect(wrong.err).toMatch(/^error [A-Z_]+: /);
  });

  test('a folder the library made opens without --model: the data model stored in the database is used', async () => {
    const dataFolder = join(root, 'made-by-the-library');
    const app = await Discret.open({
      dataModel: 'shop { Item { name: String, price: Integer } }', appKey: 'test.cli', dataFolder, transport: 'none',
      keyMaterial: await derivePassPhrase('lib', 'correct horse'),
    });
    await app.mutate('mutate { shop.Item { name: "tea" price: 3 } }');
    await app.close();
    const options = ['--data', dataFolder, '--app-key', 'test.cli', '--login', 'lib', '--password-env', 'DISCRET_PW'];
    const read = discret(['query', ...options, 'query { i: shop.Item { name price } }']);
    expect(read.err).toBe('');
    expect(JSON.parse(read.out)).toEqual({ i: [{ name: 'tea', price: 3 }] });
    expect(discret(['model', ...options]).out).toContain('Item');
  });

  test('model prints the data model, and --set changes it', () => {
    const data = folder();
    const shown = discret(['model', ...data, '--model', modelFile]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Note');
    const newer = join(root, 'model2.discret');
    writeFileSync(newer, 'notes {\n  Note { title: String, body: String nullable, tags: String nullable }\n}\n');
    const changed = discret(['model', ...data, '--set', newer]);
    expect(changed.code).toBe(0);
    expect(changed.out).toContain('tags');
    expect(discret(['model', ...data]).out).toContain('tags');
  });
});

/** A running `discret serve`, with its output lines. */
function serve(args: string[]) {
  const child = spawn(process.execPath, [cli, 'serve', ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  const line = async (wanted: RegExp, ms = 30_000) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const found = lines.find((l) => wanted.test(l));
      if (found) return found;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no line ${wanted} (got: ${lines.join(' | ')})`);
  };
  const stop = () => new Promise<number | null>((done) => {
    if (child.exitCode !== null) return done(child.exitCode);
    child.once('exit', (code) => done(code));
    child.kill('SIGTERM');
  });
  return { child: child as ChildProcess, line, stop, lines };
}

describe('discret (peers)', () => {
  test('invite, accept, serve: two folders meet through a beacon and sync; peers lists them', async () => {
    const beacon = await startBeacon(join(root, 'beacon.key'));
    const alice = folder('alice');
    const bob = folder('bob');
    const servers: ReturnType<typeof serve>[] = [];
    try {
      const key = discret(['query', ...alice, '--model', modelFile, 'query { p: sys.Peer { verifying_key } }']);
      expect(key.code).toBe(0);
      const me = (JSON.parse(key.out) as { p: { verifying_key: string }[] }).p[0]!.verifying_key;
      const room = JSON.parse(discret(['mutate', ...alice, `mutate { r: sys.Room {
        admin: [{ verif_key: $me }]
        authorisations: [{ name: "all" rights: [{ entity: "notes.Note" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
      } }`, '--params', JSON.stringify({ me })]).out).r as { id: string; authorisations: { id: string }[] };
      expect(discret(['mutate', ...alice, 'mutate { notes.Note { room_id: $r title: "from alice" } }', '--params', JSON.stringify({ r: room.id })]).code).toBe(0);
      const invite = discret(['invite', ...alice, '--room', room.id, '--authorisation', room.authorisations[0]!.id]);
      expect(invite.code).toBe(0);
      expect(discret(['invite', ...alice, '--room', room.id]).code).toBe(2); // --authorisation missing
      const accepted = discret(['accept', ...bob, '--model', modelFile, invite.out.trim()]);
      expect(accepted.code).toBe(0);
      expect(discret(['peers', ...bob]).out).toContain('no peers yet');

      const common = ['--listen', '/ip4/127.0.0.1/tcp/0', '--no-multicast', '--beacon', beacon.address];
      const a = serve([...alice, ...common]);
      servers.push(a);
      await a.line(/^listening /);
      const b = serve([...bob, ...common]);
      servers.push(b);
      await b.line(new RegExp(`^room synchronised ${room.id}`));
      await b.line(/^peer connected /);
      expect(await b.stop()).toBe(0);
      expect(b.lines.at(-1)).toBe('stopped');
      expect(await a.stop()).toBe(0);
      const notes = discret(['query', ...bob, 'query { n: notes.Note { title } }']);
      expect(JSON.parse(notes.out)).toEqual({ n: [{ title: 'from alice' }] });
      const listed = JSON.parse(discret(['peers', ...bob, '--json']).out) as { key: string; status: string }[];
      expect(listed).toEqual([{ key: me, status: 'enabled' }]);
      const denied = discret(['peers', ...bob, 'deny', me]);
      expect(denied.code).toBe(0);
      expect(JSON.parse(discret(['peers', ...bob, '--json']).out)).toEqual([{ key: me, status: 'disabled' }]);
      expect(discret(['peers', ...bob, 'allow', 'nobody']).code).toBe(2);
    } finally {
      for (const s of servers) await s.stop();
      await beacon.stop();
    }
  }, 120_000);
});

describe('discret blob', () => {
  test('put a file in one folder, serve it, get it (and a range) into another folder of the same user', async () => {
    const login = `blobber${folders}`;
    const one = folder(login);
    const two = folder(login);
    const file = join(root, 'photo.bin');
    const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 31) & 0xff));
    writeFileSync(file, bytes);
    const put = discret(['blob', 'put', ...one, '--model', modelFile, file]);
    expect(put.err).toBe('');
    const { id, size } = JSON.parse(put.out) as { id: string; size: number };
    expect(size).toBe(bytes.length);
    expect(JSON.parse(discret(['blob', 'status', ...one, id]).out)).toEqual({ state: 'local', size: bytes.length, bytesHeld: bytes.length });
    expect(discret(['blob', 'status', ...two, '--model', modelFile, id]).out).toContain('"missing"');
    const server = serve([...one, '--listen', '/ip4/127.0.0.1/tcp/0', '--no-multicast']);
    try {
      const address = (await server.line(/^listening /)).slice('listening '.length);
      const out = join(root, 'photo.copy');
      const got = spawnSync(process.execPath, [cli, 'blob', 'get', ...two, id, '--connect', address, '--out', out], { env, encoding: 'utf8', timeout: 60_000 });
      expect(got.stderr).toBe('');
      expect(got.status).toBe(0);
      expect(readFileSync(out)).toEqual(bytes);
      // Now held locally: a range to stdout needs no peer.
      const range = spawnSync(process.execPath, [cli, 'blob', 'get', ...two, id, '--start', '70000', '--end', '70010'], { env, timeout: 60_000 });
      expect(range.status).toBe(0);
      expect(range.stdout).toEqual(bytes.subarray(70_000, 70_010));
    } finally {
      await server.stop();
    }
    expect(discret(['blob', 'get', ...folder(), '--model', modelFile, 'blob1.nope']).code).toBe(4);
  }, 120_000);
});

describe('discret demo', () => {
  test("the README's first command, run exactly as written, shows two peers syncing and exits 0", () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    const command = /```sh\n# 1\.[^\n]*\n([^\n]+)\n/.exec(readme)?.[1];
    expect(command).toBe('bash tooling/setup.sh && pnpm demo');
    const result = spawnSync('bash', ['-c', command!], { cwd: repo, encoding: 'utf8', timeout: 240_000, env: { ...process.env, DISCRET_LOG: 'error' } });
    expect(result.stderr).not.toContain('FAILED');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Bob accepted it, met Alice through the beacon and got the room');
    expect(result.stdout).toMatch(/Alice wrote "[^"]+"; Bob received it \(\d+ ms\)/);
    expect(result.stdout).toMatch(/Bob wrote "[^"]+"; Alice received it \(\d+ ms\)/);
    expect(result.stdout).toMatch(/ok: Alice and Bob hold the same 2 messages/);
  }, 300_000);

  test('Ctrl-C (SIGINT) mid-demo stops the peer processes and removes their folders', async () => {
    // a private TMPDIR: the demo's folders are made there, so the test can see them go
    const tmp = mkdtempSync(join(root, 'tmp-'));
    const child = spawn(process.execPath, [cli, 'demo'], { env: { ...env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const end = Date.now() + 30_000;
    while (!/Alice and Bob started/.test(out) && Date.now() < end && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
    expect(out).toContain('Alice and Bob started');
    expect(readdirSync(tmp).length).toBe(1); // the demo's folder
    const peers = () => spawnSync('pgrep', ['-f', `demo-peer .*${tmp}`], { encoding: 'utf8' }).stdout.trim();
    expect(peers()).not.toBe('');
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).toContain('interrupted');
    expect(readdirSync(tmp)).toEqual([]);
    expect(peers()).toBe('');
  }, 60_000);
});
