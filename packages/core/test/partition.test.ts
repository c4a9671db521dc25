// Partitions: five devices, each a process in its own network namespace on one bridge (all
// made by this test and removed in `finally`), find each other by multicast on that bridge
// and sync one room. For a bounded time, random partitions split them in two groups
// (iptables in each namespace drops the other group's traffic) while random devices write and
// delete; then the network heals. All must converge to the same rows: every acknowledged
// write that was not deleted, and none that was.
import { afterAll, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lanTopology, type NamespacedProcess, runInNamespace, stopAll } from './netns.js';

const root = mkdtempSync(join(tmpdir(), 'discret-partition-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const PEERS = 5;
const GROUP = '239.255.78.1:22478';
const address = (i: number) => `10.232.0.${i + 1}`; // the hosts of lanTopology(PEERS, 'dpt', '10.232.0')

/** The LAN of netns.ts, and partitions of it. */
function topology() {
  const lan = lanTopology(PEERS, 'dpt', '10.232.0');
  const peers = lan.hosts;
  const iptables = (ns: string, ...args: string[]) => execFileSync('ip', ['netns', 'exec', ns, 'iptables', ...args], { stdio: 'pipe' });
  return {
    peers,
    remove: lan.remove,
    /** Cuts every link between the two groups (each side drops the other's packets). */
    partition(side: number[]) {
      for (let i = 0; i < PEERS; i++) {
        for (let j = 0; j < PEERS; j++) {
          if (side.includes(i) === side.includes(j)) continue;
          iptables(peers[i]!, '-A', 'INPUT', '-s', address(j), '-j', 'DROP');
          iptables(peers[i]!, '-A', 'OUTPUT', '-d', address(j), '-j', 'DROP');
        }
      }
    },
    heal() {
      for (const ns of peers) iptables(ns, '-F');
    },
  };
}

/** Sends a command to a peer and waits (bounded) for its answer line. */
async function ask(p: NamespacedProcess, command: string, answer: RegExp, i: number): Promise<string> {
  const before = (await p.lines()).length;
  p.child.stdin!.write(`${command}\n`);
  const end = Date.now() + 20_000;
  for (;;) {
    // Commands to one peer are sequential: its answer is among the lines after `before`.
    const fresh = (await p.lines()).slice(before);
    const found = fresh.find((l) => answer.test(l));
    if (found) return found;
    if (Date.now() > end || p.child.exitCode !== null) throw new Error(`peer ${i} did not answer '${command}'`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test(`${PEERS} devices in separate processes converge after random partitions, writes and deletions`, async () => {
  const net = topology();
  const processes: NamespacedProcess[] = [];
  try {
    const peer = resolve(import.meta.dirname, 'fixtures/partition-peer.ts');
    for (let i = 0; i < PEERS; i++) processes.push(runInNamespace(net.peers[i]!, [peer, join(root, String(i)), address(i), GROUP]));
    await Promise.all(processes.map((p) => p.line(/^ready$/)));
    let seed = 777;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const kept = new Set<string>();
    const deleted = new Set<string>();
    let next = 0;
    // Chaos, bounded: 6 rounds; in each, a random split, then writes and a deletion on both sides.
    for (let round = 0; round < 6; round++) {
      const side = Array.from({ length: PEERS }, (_, i) => i).filter(() => random(2) === 0);
      if (side.length > 0 && side.length < PEERS) net.partition(side);
      for (let w = 0; w < 6; w++) {
        const i = random(PEERS);
        const key = `k${String(next++).padStart(3, '0')}`;
        await ask(processes[i]!, `write ${key}`, new RegExp(`^ack ${key}$`), i);
        kept.add(key);
      }
      if (kept.size > 4) {
        const victim = [...kept][random(kept.size)]!;
        const i = random(PEERS);
        const answer = await ask(processes[i]!, `delete ${victim}`, new RegExp(`^deleted ${victim} `), i);
        // A device cut off from the write does not have the row: nothing to delete there.
        if (answer.endsWith(' 1')) {
          kept.delete(victim);
          deleted.add(victim);
        }
      }
      await new Promise((r) => setTimeout(r, 1500));
      net.heal();
      await new Promise((r) => setTimeout(r, 500));
    }
    // Healed for good: every device must reach the same rows within a minute.
    const expected = `digest ${kept.size} ${[...kept].sort().join(',')}`;
    const end = Date.now() + 60_000;
    let digests: string[] = [];
    while (Date.now() < end) {
      digests = [];
      for (let i = 0; i < PEERS; i++) digests.push(await ask(processes[i]!, 'digest', /^digest /, i));
      if (digests.every((d) => d === expected)) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(digests).toEqual(Array(PEERS).fill(expected));
    expect(deleted.size).toBeGreaterThan(0);
  } finally {
    await stopAll(processes);
    net.remove();
  }
}, 180_000);
