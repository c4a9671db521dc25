// The meeting benchmark (part of `pnpm bench`): two users behind their own NAT routers
// (network namespaces with iptables MASQUERADE, as the NAT tests build them) meet through a
// beacon on the namespaces' "internet": the time from the invitee's acceptInvite to the
// inviter's first row on the invitee, for port-preserving and address-dependent
// (`--random-fully`) NATs. The reference, measured in the same run: the same steps with both
// users and the beacon on 127.0.0.1 (TCP only). Behind the NATs both users open Discret with
// no transport option, as an app does. Three meetings each; the median is reported.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The NAT topology of core's tests (namespaces, veth, routers), not a copy of it.
import { natTopology } from '../../packages/core/test/netns.ts';

const peer = join(import.meta.dirname, 'meeting-peer.mjs');
const beaconMain = join(import.meta.dirname, '../../apps/beacon/dist/main.js');

/** Starts `node argv` (in namespace `ns` when given); `line(re)` waits, bounded, for a stdout line. */
function start(ns, argv) {
  const child = ns
    ? spawn('ip', ['netns', 'exec', ns, process.execPath, ...argv], { stdio: ['pipe', 'pipe', 'ignore'] })
    : spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'ignore'] });
  let text = '';
  child.stdout.on('data', (chunk) => { text += chunk.toString(); });
  const line = (re, ms = 60_000) => new Promise((ok, fail) => {
    const end = Date.now() + ms;
    const poll = setInterval(() => {
      const found = text.split('\n').find((l) => re.test(l));
      if (found || Date.now() > end || child.exitCode !== null) {
        clearInterval(poll);
        if (found) ok(found);
        else fail(new Error(`no ${re} (got ${text})`));
      }
    }, 10);
  });
  return { child, line };
}

/** One meeting: milliseconds from acceptInvite to the first row, on the invitee's clock. */
async function meet(folder, where) {
  const children = [];
  try {
    const beacon = start(where.inet, [beaconMain, '--listen', `/ip4/${where.beaconIp}/tcp/0`, '--key-file', join(folder, 'beacon.key'), '--stun-port', where.inet ? '3478' : '0']);
    children.push(beacon);
    const address = (await beacon.line(/\/p2p\//)).trim();
    const inviter = start(where.a, [peer, 'inviter', join(folder, 'a'), where.aIp, address]);
    children.push(inviter);
    const invite = (await inviter.line(/^invite /)).slice('invite '.length);
    const invitee = start(where.b, [peer, 'invitee', join(folder, 'b'), where.bIp, address, invite]);
    children.push(invitee);
    const accepted = Number((await invitee.line(/^accepted /)).slice('accepted '.length));
    const synced = Number((await invitee.line(/^synced /)).slice('synced '.length));
    return synced - accepted;
  } finally {
    for (const c of children) c.child.kill('SIGKILL');
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export async function meetingBench({ report, rounds = 3 }) {
  const root = mkdtempSync(join(tmpdir(), 'discret-meeting-bench-'));
  try {
    const loopback = [];
    for (let i = 0; i < rounds; i++) loopback.push(await meet(mkdtempSync(join(root, 'l')), { beaconIp: '127.0.0.1', aIp: '127.0.0.1', bIp: '127.0.0.1' }));
    const reference = { value: median(loopback), what: `the same steps on 127.0.0.1 (rounds ${loopback.join(', ')} ms)` };
    if (process.getuid?.() !== 0) {
      report.add({ group: 'meeting', operation: 'two users behind NATs meet through a beacon', value: Number.NaN, unit: 'ms', note: 'skipped: network namespaces need root' });
      return;
    }
    for (const [kind, randomFully] of [['port-preserving NATs (MASQUERADE)', false], ['address-dependent NATs (MASQUERADE --random-fully)', true]]) {
      const times = [];
      for (let i = 0; i < rounds; i++) {
        const net = natTopology(randomFully);
        try {
          // Both users open Discret as an app does: no transport option (QUIC and TCP on all interfaces).
          times.push(await meet(mkdtempSync(join(root, 'n')), { inet: net.ns.inet, a: net.ns.ha, b: net.ns.hb, beaconIp: '10.77.1.1', aIp: 'default', bIp: 'default' }));
        } finally {
          net.remove();
        }
      }
      report.add({
        group: 'meeting', operation: `acceptInvite to the inviter's first row, both behind ${kind}`, value: median(times), unit: 'ms',
        reference, target: '≤ 2,000 ms (issue 24)', note: `median of ${rounds} (rounds ${times.join(', ')} ms); the inviter's relay reservation made before the invite`,
      });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
