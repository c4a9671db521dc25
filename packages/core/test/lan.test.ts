// LAN discovery, multicast only, inside two network namespaces that this test creates and
// removes: joined by a veth pair, with multicast routed on it. Nothing is sent on the host's
// own interfaces. The reader is given no address: it finds the writer by its announcements.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ip, removeNamespaces, runInNamespace, stopAll } from './netns.js';

const root = mkdtempSync(join(tmpdir(), 'discret-lan-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const peer = resolve(import.meta.dirname, 'fixtures/network-peer.ts');
const run = (ns: string, args: string[]) => runInNamespace(ns, [peer, ...args]);

/** Two namespaces joined by a veth pair with multicast routed on it; removed by `remove`. */
function namespaces() {
  const tag = `${process.pid % 10000}${Math.floor(Math.random() * 100)}`;
  const names = [`dsc-a-${tag}`, `dsc-b-${tag}`] as const;
  const made: string[] = [];
  const remove = () => removeNamespaces(made);
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
      const writer = run(net.a, ['writer', join(root, 'a'), '10.231.0.1', `multicast:${group}`]);
      children.push(writer);
      expect(await writer.line(/^ready \/ip4\/10\.231\.0\.1\/tcp\/\d+/)).toBeTruthy();
      const reader = run(net.b, ['reader', join(root, 'b'), '10.231.0.2', `multicast:${group}`]);
      children.push(reader);
      expect(await reader.line(/^synced /)).toBe('synced [{"text":"found you"}]');
    } finally {
      await stopAll(children);
      net.remove();
    }
  }, 60_000);

  test('after acceptInvite the two users find each other by the invite token, and the invitee gets the room', async () => {
    const net = namespaces();
    const children: ReturnType<typeof run>[] = [];
    try {
      const inviter = run(net.a, ['inviter', join(root, 'c'), '10.231.0.1', `multicast:${group}`, 'welcome']);
      children.push(inviter);
      const invite = (await inviter.line(/^invite /)).slice('invite '.length);
      const invitee = run(net.b, ['invitee', join(root, 'd'), '10.231.0.2', `multicast:${group}`, invite]);
      children.push(invitee);
      expect(await invitee.line(/^synced /)).toBe('synced [{"text":"welcome"}]');
    } finally {
      await stopAll(children);
      net.remove();
    }
  }, 60_000);
});
