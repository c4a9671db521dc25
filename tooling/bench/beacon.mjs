// Beacon load (part of `pnpm bench`): 500 clients register and are introduced at once, on the
// in-memory network (500 libp2p nodes would not fit a small machine; the beacon's own work is
// the same), with one beacon and then with two federated ones, each pair of clients split
// across them. Printed: registrations per second, introductions delivered, and the registries'
// sizes after the clients leave (they must come back to zero).
const beacon = await import('../../packages/beacon/dist/index.js');
const sync = await import('../../packages/sync/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');
const log = await import('../../packages/log/dist/index.js');

export async function beaconBench({ report, clients = 500 }) {
  const single = await memoryBeacons({ clients, beacons: 1 });
  report.add({
    group: 'beacon', operation: `${clients} clients register at once (memory network)`, value: single.rate, unit: 'registrations/s',
    note: `${single.introduced} of ${clients} clients introduced; registry ${single.peers} peers`,
  });
  const federated = await memoryBeacons({ clients, beacons: 2 });
  report.add({
    group: 'beacon', operation: `${clients} clients register at once on 2 federated beacons, each pair split across them (memory network)`, value: federated.rate, unit: 'registrations/s',
    reference: { value: single.rate, what: 'the same clients on one beacon, same run' },
    note: `${federated.introduced} of ${clients} clients introduced; each registry ${federated.peers} peers (its own and the other's)`,
  });
  report.add({
    group: 'beacon', operation: 'registry entries after every client left (memory network, 1 and 2 beacons)', value: single.after + federated.after, unit: 'entries', target: '0',
  });
}

/** `clients` clients on `beacons` federated beacons (client i on beacon i % beacons; clients 2k and 2k+1 share a token). */
async function memoryBeacons({ clients, beacons }) {
  const net = new sync.MemoryNetwork({ latencyMs: 0 });
  const keys = Array.from({ length: beacons }, () => crypto.SigningKey.generate());
  const all = keys.map((key, b) => ({ address: `memory:beacon${b}`, deviceKey: key.publicKey }));
  const servers = [];
  const transports = await Promise.all(keys.map(async (key, b) => {
    const transport = net.transport(`beacon${b}`);
    await transport.start({ deviceSeed: key.exportSeed(), logger: log.silentLogger });
    return transport;
  }));
  for (let b = 0; b < beacons; b++) {
    const transport = transports[b];
    const server = new beacon.BeaconServer({
      transport, logger: log.silentLogger, federation: beacons > 1 ? { beacons: all.filter((_, j) => j !== b), deviceKey: keys[b].publicKey } : undefined,
    });
    server.start();
    servers.push({ server, transport });
  }
  // The federation's links open before the clients come (each end counts the link).
  const linked = Date.now() + 10_000;
  while (servers.some(({ server }) => server.federatedLinks < beacons - 1) && Date.now() < linked) await new Promise((r) => setTimeout(r, 10));
  const introduced = new Set();
  const started = [];
  const t = performance.now();
  await Promise.all(Array.from({ length: clients }, async (_, i) => {
    const transport = net.transport(`c${i}`);
    await transport.start({ deviceSeed: crypto.SigningKey.generate().exportSeed(), logger: log.silentLogger });
    // Pairs share a token (clients 2k and 2k+1), and each has three of its own.
    const pair = new Uint8Array(8);
    new DataView(pair.buffer).setUint32(0, Math.floor(i / 2));
    const tokens = [pair, ...Array.from({ length: 3 }, () => crypto.SigningKey.generate().publicKey.subarray(0, 8))];
    const client = new beacon.BeaconClient({ transport, address: `memory:beacon${i % beacons}`, logger: log.silentLogger }, { tokens: async () => tokens, found: () => void introduced.add(i) });
    client.start();
    await client.registered;
    started.push({ client, transport });
  }));
  const ms = performance.now() - t;
  const until = Date.now() + 10_000;
  while (introduced.size < clients && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  const peers = servers[0].server.registry.size.peers;
  for (const { client, transport } of started) {
    await client.stop();
    await transport.stop();
  }
  const settle = Date.now() + 5_000;
  const entries = () => servers.reduce((sum, { server }) => sum + server.registry.size.peers + server.registry.size.tokens, 0);
  while (entries() > 0 && Date.now() < settle) await new Promise((r) => setTimeout(r, 20));
  const after = entries();
  for (const { server, transport } of servers) {
    server.stop();
    await transport.stop();
  }
  return { rate: (clients * 1000) / ms, introduced: introduced.size, peers, after };
}

/**
 * The beacon as its own process (apps/beacon), and clients over TCP on 127.0.0.1 from client
 * processes of up to `perProcess` nodes, added in waves until `waves` clients are connected
 * at once. Per wave: registrations per second, introductions delivered, the beacon's CPU per
 * new client and its RSS. The limit beside each: a bare libp2p listener built as the beacon
 * builds its node (bare-listener.mjs), taking the same connections in the same waves. Then
 * every client leaves, and the beacon's tables must come back to zero.
 */
export async function beaconProcessBench({ report, chart, waves = [100, 500, 1000, 2000], perProcess = 250 }) {
  const clients = waves.at(-1);
  const bare = await runWaves('bare', waves, perProcess, clients);
  const beacon = await runWaves('beacon', waves, perProcess, clients);
  const points = [];
  for (let w = 0; w < waves.length; w++) {
    const [b, l] = [beacon.waves[w], bare.waves[w]];
    report.add({
      group: 'beacon', operation: `beacon CPU per new client, ${b.added} joining to make ${b.total} (TCP, noise, yamux, identify, registration)`, value: b.cpuPerClient, unit: 'ms',
      reference: { value: l.cpuPerClient, what: 'a bare libp2p listener built as the beacon builds its node, same connections, same run' }, target: '<= 1.5x',
      note: `${b.registrations.toFixed(0)} registrations/s; ${b.delivered} of ${b.added} introductions delivered`,
    });
    report.add({
      group: 'beacon', operation: `beacon process RSS with ${b.total} clients`, value: b.rssMiB, unit: 'MiB', reference: { value: l.rssMiB, what: 'the bare libp2p listener with as many connections' },
      target: b.total >= 2000 ? '<= 512 MiB' : undefined, note: `idle ${beacon.idleMiB} MiB (bare ${bare.idleMiB} MiB)`,
    });
    points.push({ clients: b.total, node: 'beacon', 'CPU per new client (ms)': b.cpuPerClient, 'RSS (MiB)': b.rssMiB });
    points.push({ clients: l.total, node: 'bare libp2p listener', 'CPU per new client (ms)': l.cpuPerClient, 'RSS (MiB)': l.rssMiB });
  }
  report.add({
    group: 'beacon', operation: 'beacon clients and registered peers after every client left', value: beacon.leftOver, unit: 'entries', target: '0',
    note: `RSS ${beacon.afterMiB} MiB after they left`,
  });
  await chart?.('beacon-cpu', { title: 'Beacon CPU per new client against clients connected (TCP, 2 cores)', x: 'clients', y: 'CPU per new client (ms)', series: 'node', points });
  await chart?.('beacon-rss', { title: 'Beacon RSS against clients connected', x: 'clients', y: 'RSS (MiB)', series: 'node', points });
}

/** One server process (`beacon` or `bare`) and the waves of clients connecting to it. */
async function runWaves(kind, waves, perProcess, clients) {
  const { spawn } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const folder = mkdtempSync(join(tmpdir(), 'discret-beacon-bench-'));
  const children = [];
  // Both as discret-beacon runs (as an executable: its first line's node and memory settings).
  const { dirname } = await import('node:path');
  const tuning = readFileSync('apps/beacon/dist/main.js', 'utf8').split('\n')[0].replace(/^#!\/usr\/bin\/env -S /, '').split(' ');
  const [environment, node, ...flags] = tuning;
  const env = { ...process.env, [environment.split('=')[0]]: environment.split('=')[1], PATH: `${dirname(process.execPath)}:${process.env.PATH}` };
  if (node !== 'node') throw new Error(`unexpected first line of discret-beacon: ${tuning.join(' ')}`);
  const server = kind === 'beacon'
    ? spawn(process.execPath, [...flags, 'apps/beacon/dist/main.js', '--listen', '/ip4/127.0.0.1/tcp/0', '--key-file', join(folder, 'key'),
      '--metrics', '127.0.0.1:0', '--max-connections-per-ip', String(clients + 16), '--max-clients', String(clients), '--stun-port', '0'], { stdio: ['ignore', 'pipe', 'ignore'], env })
    : spawn(process.execPath, [...flags, 'tooling/bench/bare-listener.mjs', String(clients)], { stdio: ['ignore', 'pipe', 'ignore'], env });
  children.push(server);
  try {
    const metricsLine = kind === 'beacon' ? lineOf(server, /^metrics /) : null;
    const address = (await lineOf(server, /\/p2p\//)).trim();
    const metricsUrl = metricsLine && (await metricsLine).slice('metrics '.length);
    const status = () => readFileSync(`/proc/${server.pid}/status`, 'utf8');
    const rssMiB = () => Math.round(Number(/VmRSS:\s+(\d+)/.exec(status())?.[1] ?? 0) / 1024);
    /** The server's CPU time so far, in ms (utime + stime of /proc/<pid>/stat, in clock ticks of 10 ms). */
    const cpuMs = () => {
      const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    };
    const idleMiB = rssMiB();
    const results = [];
    let total = 0;
    for (const target of waves) {
      const added = target - total;
      const workers = [];
      for (let first = total; first < target; first += perProcess) {
        const child = spawn(process.execPath, ['tooling/bench/beacon-clients.mjs', address, String(first), String(Math.min(perProcess, target - first)), kind], { stdio: ['pipe', 'pipe', 'inherit'] });
        children.push(child);
        workers.push(child);
      }
      await Promise.all(workers.map((c) => lineOf(c, /^ready/, 300_000)));
      const registered = workers.map((c) => lineOf(c, /^registered /, 300_000));
      const introduced = workers.map((c) => lineOf(c, /^introduced /, 360_000));
      // Let the server settle (the previous wave's late work) before counting this one's.
      await new Promise((r) => setTimeout(r, 1000));
      const cpuBefore = cpuMs();
      const t = performance.now();
      for (const c of workers) c.stdin.write('go\n');
      await Promise.all(registered);
      const registerMs = performance.now() - t;
      const delivered = (await Promise.all(introduced)).reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
      await new Promise((r) => setTimeout(r, 1000));
      total = target;
      if (process.env.BENCH_DEBUG) console.error(kind, target, Math.round(registerMs), delivered, rssMiB());
      results.push({ total, added, cpuPerClient: (cpuMs() - cpuBefore) / added, registrations: (added * 1000) / registerMs, delivered, rssMiB: rssMiB() });
    }
    const workers = children.slice(1);
    await Promise.all(workers.map((c) => {
      const left = lineOf(c, /^left/, 300_000);
      c.stdin.end();
      return left;
    }));
    let leftOver = 0;
    if (metricsUrl) {
      const until = Date.now() + 10_000;
      let after = '';
      while (Date.now() < until) {
        after = await (await fetch(metricsUrl)).text();
        if (/discret_beacon_clients 0\b/.test(after)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const count = (name) => Number(/\s(\d+)$/.exec(after.split('\n').find((l) => l.startsWith(name)) ?? '')?.[1] ?? Number.NaN);
      leftOver = count('discret_beacon_clients') + count('discret_beacon_registered_peers');
    }
    return { waves: results, idleMiB, leftOver, afterMiB: rssMiB() };
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The next stdout line of `child` matching `re` (bounded). */
function lineOf(child, re, ms = 120_000) {
  return new Promise((ok, fail) => {
    let text = '';
    const timer = setTimeout(() => fail(new Error(`no ${re} (got ${text.slice(-400)})`)), ms);
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
}
