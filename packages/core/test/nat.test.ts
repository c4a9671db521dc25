// Two homes behind NAT routers (iptables MASQUERADE, inside network namespaces this test
// creates and removes) and a beacon on the "internet" between them. The homes have no route to
// each other: the users meet through the beacon and sync through its relay.
import { afterAll, describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beaconMain } from '../../../apps/beacon/test/spawn-beacon.js';
import { removeNamespaces, runInNamespace, stopAll } from './netns.js';

const root = mkdtempSync(join(tmpdir(), 'discret-nat-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const peer = resolve(import.meta.dirname, 'fixtures/network-peer.ts');
const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });
const run = (ns: string, args: string[]) => runInNamespace(ns, args, { stderr: 'ignore', timeoutMs: 45_000 });

/** inet (the beacon), two routers doing NAT, two homes behind them. */
function topology(randomFully: boolean) {
  const tag = `${process.pid % 1000}${Math.floor(Math.random() * 10)}`;
  const ns = { inet: `dn-i${tag}`, ra: `dn-ra${tag}`, rb: `dn-rb${tag}`, ha: `dn-ha${tag}`, hb: `dn-hb${tag}` };
  const made: string[] = [];
  const remove = () => removeNamespaces(made);
  const inNs = (name: string, ...args: string[]) => sh('ip', 'netns', 'exec', name, ...args);
  try {
    for (const name of Object.values(ns)) {
      sh('ip', 'netns', 'add', name);
      made.push(name);
      inNs(name, 'ip', 'link', 'set', 'lo', 'up');
      inNs(name, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0');
    }
    const link = (a: string, devA: string, ipA: string, b: string, devB: string, ipB: string) => {
      sh('ip', 'link', 'add', devA, 'netns', a, 'type', 'veth', 'peer', 'name', devB, 'netns', b);
      inNs(a, 'ip', 'addr', 'add', ipA, 'dev', devA);
      inNs(b, 'ip', 'addr', 'add', ipB, 'dev', devB);
      inNs(a, 'ip', 'link', 'set', devA, 'up');
      inNs(b, 'ip', 'link', 'set', devB, 'up');
    };
    link(ns.inet, `ia${tag}`, '10.77.1.1/24', ns.ra, `pa${tag}`, '10.77.1.2/24');
    link(ns.inet, `ib${tag}`, '10.77.2.1/24', ns.rb, `pb${tag}`, '10.77.2.2/24');
    link(ns.ra, `la${tag}`, '192.168.10.1/24', ns.ha, `ha${tag}`, '192.168.10.2/24');
    link(ns.rb, `lb${tag}`, '192.168.20.1/24', ns.hb, `hb${tag}`, '192.168.20.2/24');
    for (const [router, out, gateway] of [[ns.ra, `pa${tag}`, '10.77.1.1'], [ns.rb, `pb${tag}`, '10.77.2.1']] as const) {
      inNs(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
      inNs(router, 'ip', 'route', 'add', 'default', 'via', gateway);
      inNs(router, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', out, '-j', 'MASQUERADE', ...(randomFully ? ['--random-fully'] : []));
    }
    // the "internet" routes between the routers' public addresses, as the real one does
    inNs(ns.inet, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    inNs(ns.ha, 'ip', 'route', 'add', 'default', 'via', '192.168.10.1');
    inNs(ns.hb, 'ip', 'route', 'add', 'default', 'via', '192.168.20.1');
  } catch (error) {
    remove();
    throw error;
  }
  return { ns, remove };
}

describe('through NAT routers (namespaces made by the test)', () => {
  test.each([
    ['port-preserving NAT (MASQUERADE)', false],
    ['address-dependent NAT (MASQUERADE --random-fully)', true],
  ])('%s: two homes meet through the beacon and sync through its relay', async (_name, randomFully) => {
    const net = topology(randomFully);
    const children: ReturnType<typeof run>[] = [];
    try {
      const beacon = run(net.ns.inet, [beaconMain, '--listen', '/ip4/10.77.1.1/tcp/4001', '--key-file', join(root, `beacon-${randomFully}.key`)]);
      children.push(beacon);
      const address = (await beacon.line(/\/p2p\//)).trim();
      const inviter = run(net.ns.ha, [peer, 'inviter', join(root, `a-${randomFully}`), '192.168.10.2', `beacon:${address}`, 'through the NAT']);
      children.push(inviter);
      const invite = (await inviter.line(/^invite /)).slice('invite '.length);
      const invitee = run(net.ns.hb, [peer, 'invitee', join(root, `b-${randomFully}`), '192.168.20.2', `beacon:${address}`, invite]);
      children.push(invitee);
      expect(await invitee.line(/^synced /)).toBe('synced [{"text":"through the NAT"}]');
      const connections = JSON.parse((await invitee.line(/^connections /)).slice('connections '.length)) as string[];
      expect(connections.length).toBeGreaterThan(0);
      // the homes cannot reach each other directly: the data came through the relay
      expect(connections.every((a) => a.includes('/p2p-circuit'))).toBe(true);
    } finally {
      await stopAll(children);
      net.remove();
    }
  }, 120_000);

  test('port-preserving NAT: live sync keeps one relayed connection for over two minutes and 128 KiB (the relay defaults)', async () => {
    const net = topology(false);
    const children: ReturnType<typeof run>[] = [];
    try {
      const beacon = run(net.ns.inet, [beaconMain, '--listen', '/ip4/10.77.1.1/tcp/4001', '--key-file', join(root, 'beacon-live.key')]);
      children.push(beacon);
      const address = (await beacon.line(/\/p2p\//)).trim();
      const inviter = run(net.ns.ha, [peer, 'live-inviter', join(root, 'a-live'), '192.168.10.2', `beacon:${address}`, 'first note']);
      children.push(inviter);
      const invite = (await inviter.line(/^invite /)).slice('invite '.length);
      const invitee = run(net.ns.hb, [peer, 'live-invitee', join(root, 'b-live'), '192.168.20.2', `beacon:${address}`, invite]);
      children.push(invitee);
      // 14 writes of 20 KiB, one every 10 s: 280 KiB over 140 s.
      const done = JSON.parse((await invitee.line(/^done /, 200_000)).slice('done '.length)) as { connects: number; seconds: number; connections: string[] };
      // every write arrived on its own, before the next one was made: the sync was live all along
      const counts = (await invitee.lines()).filter((l) => l.startsWith('count ')).map((l) => Number(l.slice(6)));
      expect(counts).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
      expect(done.seconds).toBeGreaterThan(125);
      expect(done.connects).toBe(0); // the same connection all along
      expect(done.connections.length).toBeGreaterThan(0);
      expect(done.connections.every((a) => a.includes('/p2p-circuit'))).toBe(true);
    } finally {
      await stopAll(children);
      net.remove();
    }
  }, 240_000);
});
