// Sync benchmarks (part of `pnpm bench`): a sender in this process, a receiver in a child
// process (so its peak RSS is its own), over libp2p TCP on 127.0.0.1. Both are devices of the
// same user, synchronising the private room. Nothing asserts a time.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';

const core = await import('../../packages/core/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');

const MODEL = 'notes { Note { text: String, n: Integer } }';
const APP = 'bench.sync';
const KEY = new Uint8Array(32).fill(77);

/** Wraps a transport to count what this side writes and reads: bytes, and frames written. */
function counting(inner) {
  const stats = { sent: 0, received: 0, writes: 0 };
  const stream = (s) => ({
    write: (bytes, o) => { stats.sent += bytes.length; stats.writes++; return s.write(bytes, o); },
    close: (o) => s.close(o),
    abort: (e) => s.abort(e),
    async *[Symbol.asyncIterator]() { for await (const chunk of s) { stats.received += chunk.length; yield chunk; } },
  });
  const connection = (c) => ({
    id: c.id, remoteDeviceKey: c.remoteDeviceKey, remoteAddress: c.remoteAddress,
    openStream: async (o) => stream(await c.openStream(o)),
    onStream: (h) => c.onStream((s) => h(stream(s))),
    onClose: (h) => c.onClose(h),
    close: (o) => c.close(o),
  });
  return {
    stats,
    transport: {
      name: inner.name,
      start: (init, o) => inner.start(init, o),
      stop: (o) => inner.stop(o),
      addresses: () => inner.addresses(),
      dial: async (a, o) => connection(await inner.dial(a, o)),
      dialPeer: async (k, o) => connection(await inner.dialPeer(k, o)),
      onConnection: (h) => inner.onConnection((c) => h(connection(c))),
    },
  };
}

/** The receiver child: its lines are JSON events. */
function receiver(dir, address) {
  const child = spawn(process.execPath, [...(process.env.BENCH_RECEIVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), join(import.meta.dirname, 'sync-receiver.mjs'), dir, address], { stdio: ['pipe', 'pipe', 'inherit'] });
  const events = [];
  const waiters = [];
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) {
      const event = JSON.parse(line);
      events.push(event);
      for (const w of [...waiters]) if (w.match(event)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(event); }
    }
  });
  const next = (match, ms = 300_000) => {
    const found = events.find(match);
    if (found) { events.splice(events.indexOf(found), 1); return Promise.resolve(found); }
    return new Promise((resolve, reject) => {
      const w = { match, resolve: (e) => { clearTimeout(t); events.splice(events.indexOf(e), 1); resolve(e); } };
      const t = setTimeout(() => reject(new Error('receiver did not report in time')), ms);
      waiters.push(w);
    });
  };
  return { child, next };
}

/** The writing device of the sync benchmarks (the receiver, sync-receiver.mjs, is the same user). */
export function openSender(dataFolder, transport = core.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] })) {
  return core.Discret.open({ dataModel: MODEL, appKey: APP, keyMaterial: KEY, dataFolder, transport, logger: core.silentLogger, config: { enableMulticast: false } });
}

/** Note `i` of the benchmarks, written into the private room. */
export const NOTE = 'mutate { notes.Note { room_id: $r text: $t n: $n } }';
export const noteParams = (r, i) => ({ r, t: `note number ${i}`, n: i });

async function writeInBulk(sender, N) {
  const stream = sender.mutationStream();
  for (let i = 0; i < N; i++) stream.write(NOTE, noteParams(sender.privateRoom, i));
  await stream.flush();
}

/**
 * A new device of the user syncs from `sender`, which holds `N` rows (its text indexed first:
 * that is not part of the sync); resolves with the receiver's report once it holds them all.
 */
export async function syncNewDevice(sender, dataFolder, N) {
  await sender.parts.store.indexText();
  const rx = receiver(dataFolder, sender.addresses()[0]);
  const done = await rx.next((e) => e.type === 'synced', 1_200_000);
  rx.child.stdin.end();
  await new Promise((res) => rx.child.once('exit', res));
  if (done.rows !== N) throw new Error(`the receiver holds ${done.rows} of ${N} rows`);
  return done;
}

/** Every node of a room, read page by page as a new device gets them. */
async function wholeRoom(store, roomId) {
  const nodes = [];
  let cursor = null;
  do {
    const page = await store.readPage(roomId, { entities: [], include: false }, cursor, 8 << 20, () => 1);
    nodes.push(...page.batch.nodes);
    cursor = page.next;
  } while (cursor);
  return { nodes };
}

export async function syncBench({ dir, report, rawRate, N = 100_000 }) {
  const counted = counting(core.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }));
  const sender = await openSender(join(dir, 'sender'), counted.transport);
  const r = sender.privateRoom;
  try {
    await writeInBulk(sender, N);

    // The receiver's limit, measured here: verifying these very records on a pool like the
    // receiver's (one worker per core but one), plus inserting rows of this shape by hand.
    const records = await wholeRoom(sender.parts.store, crypto.fromBase64url(r));
    const messages = records.nodes.map((n) => ({ publicKey: n.verifyingKey, message: crypto.nodeSigningBytes(n), signature: n.signature }));
    const pool = crypto.createCryptoPool({ parallelism: Math.max(0, Math.min(4, availableParallelism() - 1)) });
    const t = performance.now();
    const verdicts = await pool.verifyAll(messages);
    const verifyMs = performance.now() - t;
    await pool.close();
    if (!verdicts.every(Boolean)) throw new Error('a record did not verify');
    const verifyRate = (N * 1000) / verifyMs;
    const limit = 1 / (1 / verifyRate + 1 / rawRate);

    // The sender's own background work (moving its new rows' text into the full-text index)
    // is done before timing: it is not part of the sync.
    await sender.parts.store.indexText();

    // Initial sync of N rows to a new device. The sender also pulls the new device's private
    // room (it holds the device's own sys.AllowedPeer row, written at first open as upstream
    // does): the differences below are measured once that pull is over too.
    const senderPulled = new Promise((resolve) => {
      const off = sender.on('RoomSynchronized', (e) => {
        if (e.room !== r) return;
        off();
        resolve();
      });
    });
    const rx = receiver(join(dir, 'receiver'), sender.addresses()[0]);
    const done = await rx.next((e) => e.type === 'synced');
    const rate = (N * 1000) / done.ms;
    report.add({
      group: 'sync', operation: `initial sync of ${N.toLocaleString('en')} rows to a new device (libp2p TCP, loopback)`, value: rate, unit: 'rows/s',
      reference: { value: limit, what: `receiver's limit: verify ${Math.round(verifyRate).toLocaleString('en')}/s on its pool, then raw insert ${Math.round(rawRate).toLocaleString('en')}/s` },
      target: '>= 0.6x',
    });
    report.add({ group: 'sync', operation: `receiver peak RSS during the initial sync of ${N.toLocaleString('en')} rows`, value: done.maxRssKb / 1024, unit: 'MiB' });
    const curve = [{ differences: 0, kib: 0, trips: 0 }];

    // Differences: d new rows on the sender, pulled live by the connected receiver.
    await Promise.race([senderPulled, new Promise((resolve) => setTimeout(resolve, 60_000).unref())]);
    let total = N;
    for (const d of [1, 10, 100, 1000]) {
      const before = { ...counted.stats };
      const s2 = sender.mutationStream();
      for (let i = 0; i < d; i++) s2.write(NOTE, { r, t: `diff ${d}/${i}`, n: total + i });
      await s2.flush();
      total += d;
      await rx.next((e) => e.type === 'count' && e.count >= total);
      await new Promise((res) => setTimeout(res, 200)); // let the last answers leave
      const bytes = counted.stats.sent - before.sent + counted.stats.received - before.received;
      const trips = counted.stats.writes - before.writes;
      report.add({ group: 'sync', operation: `${d} new row(s) on one side, ${total.toLocaleString('en')} in the room: bytes`, value: bytes / 1024, unit: 'KiB', target: d === 1 ? '<= 4 KiB' : undefined });
      report.add({ group: 'sync', operation: `${d} new row(s) on one side: frames written`, value: trips, unit: 'frames', target: d === 1 ? '<= 3 round trips' : undefined });
      curve.push({ differences: d, kib: bytes / 1024, trips });
    }

    // Live latency: one write at a time, until the receiver's query sees it.
    const latencies = [];
    for (let i = 0; i < 60; i++) {
      const start = Date.now();
      await sender.mutate(NOTE, { r, t: 'live', n: total });
      total++;
      const seen = await rx.next((e) => e.type === 'count' && e.count >= total);
      latencies.push(seen.at - start);
      await new Promise((res) => setTimeout(res, 20));
    }
    latencies.sort((a, b) => a - b);
    const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    report.add({ group: 'sync', operation: `live: a write visible on the connected peer, p50 (${total.toLocaleString('en')} rows in the room)`, value: pct(50), unit: 'ms', target: '<= 100 ms' });
    report.add({ group: 'sync', operation: 'live: a write visible on the connected peer, worst of 60', value: latencies.at(-1), unit: 'ms', target: '<= 1 s' });
    rx.child.stdin.end();
    await new Promise((res) => rx.child.once('exit', res));
    return { rate, peakMiB: done.maxRssKb / 1024, curve };
  } finally {
    await sender.close();
  }
}

/** One point of the initial-sync curve: N rows written in bulk, then a new device syncs them. */
export async function initialSync({ dir, N }) {
  const sender = await openSender(join(dir, 'sender'));
  try {
    await writeInBulk(sender, N);
    const done = await syncNewDevice(sender, join(dir, 'receiver'), N);
    return { N, rate: (N * 1000) / done.ms, peakMiB: done.maxRssKb / 1024 };
  } finally {
    await sender.close();
  }
}
