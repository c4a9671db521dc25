// Side by side with a real peer-to-peer database (part of `pnpm bench`): OrbitDB (@orbitdb/core
// on Helia and libp2p, configured as its documentation recommends, see orbitdb-peer.mjs) and
// Discret, on this machine in the same run, each peer in its own process:
//   (a) N awaited single document writes on one peer,
//   (b) the time until a second peer on loopback holds all of them.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { awaitedWriteLimit } from './awaited-limit.mjs';
import { NOTE, noteParams, openSender, syncNewDevice } from './sync.mjs';


/** Runs one OrbitDB peer process; resolves its JSON report line, with the child. */
function orbitPeer(args) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'orbitdb-peer.mjs'), ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`OrbitDB ${args[0]} did not report in 15 minutes`)), 900_000);
    child.stdout.on('data', (chunk) => {
      text += chunk;
      const end = text.indexOf('\n');
      if (end >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(text.slice(0, end)));
      }
    });
    child.once('exit', (code) => code && reject(new Error(`OrbitDB ${args[0]} exited with ${code}`)));
  });
  return { child, line };
}

export function orbitdbVersion() {
  const require = createRequire(join(import.meta.dirname, 'package.json'));
  return JSON.parse(readFileSync(require.resolve('@orbitdb/core/package.json'), 'utf8')).version;
}

export async function orbitdbBench({ dir, report, N }) {
  const version = orbitdbVersion();
  // OrbitDB
  const writer = orbitPeer(['writer', join(dir, 'orbit-w'), String(N)]);
  let orbit;
  try {
    const written = await writer.line;
    const reader = orbitPeer(['reader', join(dir, 'orbit-r'), written.address, written.peer, String(N)]);
    const replicated = await reader.line;
    if (replicated.held !== N) throw new Error(`the OrbitDB reader holds ${replicated.held} of ${N} documents`);
    orbit = { writeRate: (N * 1000) / written.ms, syncMs: replicated.ms };
  } finally {
    writer.child.stdin.end();
  }

  // Discret: the same awaited single writes, then a second device's initial sync.
  const app = await openSender(join(dir, 'discret-w'));
  let ours;
  try {
    const start = performance.now();
    for (let i = 0; i < N; i++) await app.mutate(NOTE, noteParams(app.privateRoom, i));
    const writeMs = performance.now() - start;
    const done = await syncNewDevice(app, join(dir, 'discret-r'), N);
    ours = { writeRate: (N * 1000) / writeMs, syncMs: done.ms };
  } finally {
    await app.close();
  }
  // The limit of the same writes, measured just after them (awaited-limit.mjs).
  const limitRate = (N * 1000) / (await awaitedWriteLimit(dir, N));
  const n = N.toLocaleString('en');
  report.add({ group: 'vs OrbitDB', operation: `${n} awaited single writes on one peer`, value: ours.writeRate, unit: 'writes/s', reference: { value: orbit.writeRate, what: `OrbitDB ${version} documents db` }, target: '>= 20x' });
  report.add({
    group: 'vs OrbitDB', operation: `the same ${n} awaited single writes, beside their limit`, value: ours.writeRate, unit: 'writes/s',
    reference: { value: limitRate, what: 'each row written by raw SQLCipher in its own transaction (the node table\'s shape and indexes), signed on the calling thread' }, target: '>= 0.5x',
  });
  report.add({ group: 'vs OrbitDB', operation: `a second peer on loopback holds all ${n}`, value: ours.syncMs / 1000, unit: 's', reference: { value: orbit.syncMs / 1000, what: `OrbitDB ${version}` }, note: 'lower is better' });
}
