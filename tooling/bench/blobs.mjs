// Blobs in `pnpm bench` (issue 28): a blob between two Node peers on loopback (the sender in its
// own process) beside the limit measured in the same run in the receiving process (putting the
// same bytes: hashing, encrypting and writing them); the receiver's RSS growth; a 1 MiB range
// read's bytes on the loopback interface; chat latency while the transfer runs; and resuming
// after the sender is killed again and again.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { chunksOf, openBlobPeer } from './blob-bytes.mjs';

const core = await import('../../packages/core/dist/index.js');
const MiB = 1024 * 1024;
const GROUP = 64 * 1024;

/** Bytes received on the loopback interface so far (each packet between two local processes, once). */
function loopbackBytes() {
  const line = readFileSync('/proc/net/dev', 'utf8').split('\n').find((l) => l.trim().startsWith('lo:'));
  return Number(line.trim().split(/\s+/)[1]);
}

function startSender(dir, mib) {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'blob-sender.mjs'), dir, String(mib)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const first = new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`blob sender exited (${code})`)));
  });
  const stop = () => new Promise((done) => {
    if (child.exitCode !== null) return done();
    child.once('exit', done);
    child.kill('SIGKILL');
  });
  return { child, ready: first, stop };
}

async function drain(stream) {
  let n = 0;
  for await (const chunk of stream) n += chunk.length;
  return n;
}

export async function blobBench({ report, dir, mib = 1024, kills = 10, resumeMib = 64 }) {
  const add = (f) => report.add({ group: 'blobs', ...f });
  const size = mib * MiB;
  const sender = startSender(join(dir, 'sender'), mib);
  const app = await openBlobPeer(core, join(dir, 'receiver'));
  // What happened to the connections, for the range reads' note (a full run has found the
  // sender's connection gone there, three times).
  const connectionLog = [];
  const t0 = performance.now();
  void (async () => {
    for await (const event of app.events()) {
      if (event.type === 'PeerConnected' || event.type === 'PeerDisconnected') connectionLog.push(`${event.type === 'PeerConnected' ? '+' : '-'}${Math.round((performance.now() - t0) / 1000)}s`);
    }
  })().catch(() => {});
  try {
    // The limit: the same bytes put here (hashed, encrypted, written in the same groups).
    let t = performance.now();
    const local = await app.putBlob(chunksOf(size), { room: app.privateRoom });
    const limit = size / MiB / ((performance.now() - t) / 1000);
    await app.collectBlobs({ graceMs: 0 });
    const { address, id } = await sender.ready;
    if (local.id !== id) throw new Error('the two processes made different blobs');

    await app.connect(address);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
    // Chat while the transfer runs: the sender writes every 50 ms; each message's latency is
    // from its write to its commit here.
    const latencies = [];
    const seen = new Set();
    const stopChat = app.on('DataChanged', () => {
      const at = Date.now();
      void app.query('query { m: chat.Message(room_id = $r) { id at } }', { r: app.privateRoom }).then(({ m }) => {
        for (const row of m) {
          if (seen.has(row.id)) continue;
          seen.add(row.id);
          latencies.push(at - row.at);
        }
      });
    });
    sender.child.stdin.write(`chat ${Math.max(20, Math.round(mib / 8))}\n`);
    t = performance.now();
    const got = await drain(app.getBlob(id));
    const ms = performance.now() - t;
    clearInterval(sampler);
    stopChat();
    if (got !== size) throw new Error(`got ${got} of ${size} bytes`);
    add({ operation: `${mib} MiB between two Node peers (libp2p TCP, loopback), fetched and read`, value: size / MiB / (ms / 1000), unit: 'MiB/s', reference: { value: limit, what: 'the same bytes put in the receiving process' }, target: '>= 0.5x' });
    add({ operation: `receiver RSS growth during the ${mib} MiB transfer`, value: (peak - rssBefore) / MiB, unit: 'MiB', target: '<= 64 MiB' });
    const sorted = [...latencies].sort((a, b) => a - b);
    add({ operation: `chat message latency during the transfer (${latencies.length} messages)`, value: sorted[Math.floor(sorted.length * 0.99)] ?? Number.NaN, unit: 'ms p99', note: `median ${sorted[Math.floor(sorted.length / 2)]} ms`, target: '<= 100 ms' });

    // A 1 MiB range of the blob on a device that has none of it: bytes on the loopback interface.
    await app.collectBlobs({ graceMs: 0 });
    // The same connection when it is still open (a full bench run once found it closed here).
    const peersBefore = app.connectedPeers().length;
    await app.connect(address);
    if (!app.connectedPeers().length) throw new Error(`not connected to the sender before the range reads (connected before reconnecting: ${peersBefore})`);
    // Two ranges far apart, so the second finds nothing of the first held.
    for (const [label, start] of [['aligned on groups', 100 * GROUP], ['not aligned', 300 * GROUP + 1000]]) {
      await app.collectBlobs({ graceMs: 0 });
      // Reconnected if the sender's connection went away meanwhile: said in the note, with the log.
      const reconnected = app.connectedPeers().length ? '' : `; reconnected first (connections: ${connectionLog.join(' ')})`;
      if (reconnected) await app.connect(address);
      let before = loopbackBytes();
      let retried = '';
      await drain(app.getBlob(id, { range: { start, end: start + MiB } })).catch(async (error) => {
        // The sender's connection was seen to close here, about 10 s after the 1 GiB transfer,
        // while the receiver freed the blob (likely libp2p's ping monitor; its timeout was
        // raised in packages/sync/src/libp2p.ts). Should it happen again: reconnect once, read
        // again, and say so in the note.
        if (error?.code !== 'NOT_FOUND') throw error;
        retried = `; the sender's connection closed during the read, read again after reconnecting (connections: ${connectionLog.join(' ')})`;
        await app.connect(address);
        before = loopbackBytes();
        await drain(app.getBlob(id, { range: { start, end: start + MiB } }));
      });
      add({
        operation: `1 MiB range read (${label}) of the ${mib} MiB blob from a peer: bytes on the wire`, value: (loopbackBytes() - before) / MiB, unit: 'MiB', target: '<= 1.05 MiB',
        note: `${label === 'not aligned' ? 'touches 17 groups of 64 KiB' : '16 groups'}${reconnected}${retried}${peersBefore ? '' : '; the sender had to be reconnected before the reads'}; connections: ${connectionLog.join(' ')}`,
      });
    }
  } finally {
    await app.close();
    await sender.stop();
  }
  await resumeBench({ add, dir, kills, mib: resumeMib });
}

/** The sender killed `kills` times at random moments; each time the receiver resumes from a restarted sender. */
async function resumeBench({ add, dir, kills, mib }) {
  const size = mib * MiB;
  const app = await openBlobPeer(core, join(dir, 'resume-receiver'));
  const senderDir = join(dir, 'resume-sender');
  let seed = 3;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  try {
    // What a reconnection costs on the wire by itself (a restarted sender met again, no transfer):
    // subtracted below, so the figure is what the kills cost the transfer.
    const idle = startSender(join(dir, 'resume-idle'), 1);
    const beforeIdle = loopbackBytes();
    await app.connect((await idle.ready).address);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await idle.stop();
    const reconnection = loopbackBytes() - beforeIdle;
    const before = loopbackBytes();
    let killed = 0;
    let id;
    for (let round = 0; round <= kills; round++) {
      const sender = startSender(senderDir, mib);
      const ready = await sender.ready;
      id = ready.id;
      await app.connect(ready.address);
      const reading = drain(app.getBlob(id)).catch(() => -1);
      if (round < kills) {
        // Killed somewhere in the next stretch of the transfer (the transfer takes about a second per 40 MiB).
        await new Promise((resolve) => setTimeout(resolve, 20 + random() * (mib * 10)));
        await sender.stop();
        killed++;
        await reading;
      } else {
        const n = await reading;
        await sender.stop();
        if (n !== size) throw new Error(`resumed read got ${n} of ${size}`);
      }
    }
    const status = await app.blobStatus(id);
    const extra = (loopbackBytes() - before - size - (killed + 1) * reconnection) / killed;
    add({
      operation: `resume after ${killed} kills of the sender (${mib} MiB): loopback bytes beyond the blob and the reconnections, per kill`, value: extra / 1024, unit: 'KiB',
      note: `a reconnection alone: ${Math.round(reconnection / 1024)} KiB; includes what the killed sender had in its socket buffers; held ${status.state}`, target: '<= 64 KiB (one group) re-fetched per kill',
    });
  } finally {
    await app.close();
  }
}
