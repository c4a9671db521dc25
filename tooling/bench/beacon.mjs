// Beacon load (part of `pnpm bench`): 500 clients register and are introduced at once, on the
// in-memory network (500 libp2p nodes would not fit a small machine; the beacon's own work is
// the same). Printed: registrations per second, introductions delivered, the process's peak
// RSS, and the registry's size after the clients leave (it must come back to zero).
const beacon = await import('../../packages/beacon/dist/index.js');
const sync = await import('../../packages/sync/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');
const log = await import('../../packages/log/dist/index.js');

export async function beaconBench({ report, clients = 500 }) {
  const net = new sync.MemoryNetwork({ latencyMs: 0 });
  const server = net.transport('beacon');
  await server.start({ deviceSeed: crypto.SigningKey.generate().exportSeed(), logger: log.silentLogger });
  const beaconServer = new beacon.BeaconServer({ transport: server, logger: log.silentLogger });
  beaconServer.start();
  let introductions = 0;
  const started = [];
  const t = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    const transport = net.transport(`c${i}`);
    await transport.start({ deviceSeed: crypto.SigningKey.generate().exportSeed(), logger: log.silentLogger });
    // Pairs share a token (clients 2k and 2k+1), and each has three of its own.
    const tokens = [new Uint8Array(8).fill(0).map((_, j) => (j === 0 ? Math.floor(i / 2) & 0xff : j === 1 ? Math.floor(i / 512) : 7)), ...Array.from({ length: 3 }, () => crypto.SigningKey.generate().publicKey.subarray(0, 8))];
    const client = new beacon.BeaconClient({ transport, address: 'memory:beacon', logger: log.silentLogger }, { tokens: async () => tokens, found: () => void introductions++ });
    client.start();
    await client.registered;
    started.push({ client, transport });
  }));
  const ms = performance.now() - t;
  const until = Date.now() + 10_000;
  while (introductions < clients && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const size = beaconServer.registry.size;
  report.add({
    group: 'beacon', operation: `${clients} clients register at once (memory network)`, value: (clients * 1000) / ms, unit: 'registrations/s',
    note: `${introductions} of ${clients} introductions delivered; registry ${size.peers} peers, ${size.tokens} tokens`,
  });
  for (const { client, transport } of started) {
    await client.stop();
    await transport.stop();
  }
  await new Promise((r) => setTimeout(r, 100));
  const after = beaconServer.registry.size;
  report.add({ group: 'beacon', operation: 'registry entries after every client left (memory network)', value: after.peers + after.tokens, unit: 'entries', target: '0' });
  beaconServer.stop();
  await server.stop();
}

/**
 * The beacon as its own process (apps/beacon) and clients over TCP on 127.0.0.1, from
 * `processes` client processes: registrations and introductions per second, and the beacon's
 * own peak RSS (VmHWM), and its registry after the clients leave.
 */
export async function beaconProcessBench({ report, clients = 500, processes = 4 }) {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const folder = mkdtempSync(join(tmpdir(), 'discret-beacon-bench-'));
  const children = [];
  /** The next stdout line of `child` matching `re` (bounded). */
  const lineOf = (child, re, ms = 120_000) => new Promise((ok, fail) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`no ${re} (got ${text})`)), ms);
    const on = (chunk) => {
      text += chunk.toString();
      const found = text.split('\n').find((l) => re.test(l));
      if (found) {
        clearTimeout(timer);
        child.stdout.off('data', on);
        ok(found);
      }
    };
    child.stdout.on('data', on);
  });
  const server = spawn(process.execPath, ['apps/beacon/dist/main.js', '--listen', '/ip4/127.0.0.1/tcp/0', '--key-file', join(folder, 'key'),
    '--metrics', '127.0.0.1:0', '--max-connections-per-ip', String(clients + 16)], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(server);
  try {
    const metricsLine = lineOf(server, /^metrics /);
    const address = (await lineOf(server, /\/p2p\//)).trim();
    const metricsUrl = (await metricsLine).slice('metrics '.length);
    const rss = () => {
      const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
      const kib = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
      return { now: Math.round(kib('VmRSS') / 1024), peak: Math.round(kib('VmHWM') / 1024) };
    };
    const idle = rss();
    /** The beacon's CPU time so far, in ms (utime + stime of /proc/<pid>/stat, in clock ticks of 10 ms). */
    const cpuMs = () => {
      const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const per = Math.ceil(clients / processes / 2) * 2;
    for (let first = 0; first < clients; first += per) {
      children.push(spawn(process.execPath, ['tooling/bench/beacon-clients.mjs', address, String(first), String(Math.min(per, clients - first))], { stdio: ['pipe', 'pipe', 'inherit'] }));
    }
    const workers = children.slice(1);
    await Promise.all(workers.map((c) => lineOf(c, /^ready/)));
    const registered = workers.map((c) => lineOf(c, /^registered /));
    const introduced = workers.map((c) => lineOf(c, /^introduced /));
    const cpuBefore = cpuMs();
    const t = performance.now();
    for (const c of workers) c.stdin.write('go\n');
    await Promise.all(registered);
    const registerMs = performance.now() - t;
    const intro = (await Promise.all(introduced)).map((l) => l.split(' ').map(Number));
    const introMs = performance.now() - t;
    const delivered = intro.reduce((sum, [, n]) => sum + n, 0);
    const loaded = rss();
    const cpuPerClient = (cpuMs() - cpuBefore) / clients;
    const metrics = await (await fetch(metricsUrl)).text();
    const gauge = (name) => /\s(\d+)$/.exec(metrics.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1];
    report.add({
      group: 'beacon', operation: `${clients} clients over TCP register at once (beacon in its own process)`, value: (clients * 1000) / registerMs, unit: 'registrations/s',
      note: `${gauge('discret_beacon_registered_peers')} peers registered`,
    });
    report.add({ group: 'beacon', operation: `lookups: introductions delivered to ${clients} clients`, value: (delivered * 1000) / introMs, unit: '/s', note: `${delivered} of ${clients}` });
    report.add({
      group: 'beacon', operation: 'beacon CPU per new client (connection, handshake, registration)', value: cpuPerClient, unit: 'ms',
      note: `one core serves ~${Math.round(1000 / cpuPerClient)} new clients/s`,
    });
    report.add({ group: 'beacon', operation: `beacon process peak RSS with ${clients} clients`, value: loaded.peak, unit: 'MiB', note: `idle ${idle.now} MiB, loaded ${loaded.now} MiB` });
    await Promise.all(workers.map((c) => {
      const left = lineOf(c, /^left/);
      c.stdin.end();
      return left;
    }));
    const until = Date.now() + 10_000;
    let after = '';
    while (Date.now() < until) {
      after = await (await fetch(metricsUrl)).text();
      if (/discret_beacon_clients 0\b/.test(after)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const count = (name) => Number(/\s(\d+)$/.exec(after.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1] ?? Number.NaN);
    report.add({
      group: 'beacon', operation: 'beacon clients and registered peers after every client left', value: count('discret_beacon_clients') + count('discret_beacon_registered_peers'),
      unit: 'entries', target: '0', note: `RSS ${rss().now} MiB`,
    });
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
}
