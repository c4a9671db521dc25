// LAN discovery, multicast only, inside two network namespaces that this test creates and
// removes: joined by a veth pair, with multicast routed on it. Nothing is sent on the host's
// own interfaces. The reader is given no address: it finds the writer by its announcements.
import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = mkdtempSync(join(tmpdir(), 'discret-lan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const peer = resolve(import.meta.dirname, 'fixtures/lan-peer.ts');
const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

/** Runs a peer in a namespace; resolves with the first line matching `wanted` (bounded). */
function run(ns: string, args: string[]) {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, peer, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  let buffered = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const line = (wanted: RegExp, ms = 25_000) => new Promise<string>((ok, fail) => {
    const end = Date.now() + ms;
    const poll = setInterval(() => {
      const found = lines.find((l) => wanted.test(l));
      if (found || Date.now() > end || child.exitCode !== null) {
        clearInterval(poll);
        if (found) ok(found);
        else fail(new Error(`no line ${wanted} from ${ns} (got: ${lines.join(' | ')})`));
      }
    }, 20);
  });
  return { child, line };
}

/** Ends the peers: stdin closed (they close and exit), killed if still running. */
function stop(children: ReturnType<typeof run>[]): void {
  for (const c of children) {
    c.child.stdin?.end();
    if (c.child.exitCode === null) c.child.kill('SIGKILL');
  }
}

/** Two namespaces joined by a veth pair with multicast routed on it; removed by `remove`. */
function namespaces() {
  const tag = `${process.pid % 10000}${Math.floor(Math.random() * 100)}`;
  const names = [`dsc-a-${tag}`, `dsc-b-${tag}`] as const;
  const made: string[] = [];
  const remove = () => {
    for (const ns of made) {
      try {
        ip('netns', 'del', ns);
      } catch {
        // already gone
      }
    }
  };
  try {
    for (const ns of names) {
      ip('netns', 'add', ns);
      made.push(ns);
    }
    ip('link', 'add', `va${tag}`, 'netns', names[0], 'type', 'veth', 'peer', 'name', `vb${tag}`, 'netns', names[1]);
    for (const [ns, dev, addr] of [[names[0], `va${tag}`, '10.231.0.1/24'], [names[1], `vb${tag}`, '10.231.0.2/24']] as const) {
      ip('-n', ns, 'addr', 'add', addr, 'dev', dev);
      ip('-n', ns, 'link', 'set', dev, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', dev);
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { a: names[0], b: names[1], remove };
}

describe('LAN discovery (inside network namespaces made by the test)', () => {
  const group = '239.255.77.1:22477';

  test('a device finds another of its user by multicast, then syncs the private room', async () => {
    const net = namespaces();
    const children: ReturnType<typeof run>[] = [];
    try {
      const writer = run(net.a, ['writer', join(root, 'a'), '10.231.0.1', group]);
      children.push(writer);
      expect(await writer.line(/^ready \/ip4\/10\.231\.0\.1\/tcp\/\d+/)).toBeTruthy();
      const reader = run(net.b, ['reader', join(root, 'b'), '10.231.0.2', group]);
      children.push(reader);
      expect(await reader.line(/^synced /)).toBe('synced [{"text":"found you"}]');
    } finally {
      stop(children);
      net.remove();
    }
  }, 60_000);

  test('after acceptInvite the two users find each other by the invite token, and the invitee gets the room', async () => {
    const net = namespaces();
    const children: ReturnType<typeof run>[] = [];
    try {
      const inviter = run(net.a, ['inviter', join(root, 'c'), '10.231.0.1', group]);
      children.push(inviter);
      const invite = (await inviter.line(/^invite /)).slice('invite '.length);
      const invitee = run(net.b, ['invitee', join(root, 'd'), '10.231.0.2', group, invite]);
      children.push(invitee);
      expect(await invitee.line(/^synced /)).toBe('synced [{"text":"welcome"}]');
    } finally {
      stop(children);
      net.remove();
    }
  }, 60_000);
});
