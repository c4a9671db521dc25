// Beacon load (part of `pnpm bench`): 500 clients register and are introduced at once, on the
// in-memory network (500 libp2p nodes would not fit a small machine; the beacon's own work is
// the same). Printed: registrations per second, introductions delivered, the process's peak
// RSS, and the registry's size after the clients leave (it must come back to zero).
const beacon = await import('../../packages/beacon/dist/index.js');
const sync = await import('../../packages/sync/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');
const log = await import('../../packages/log/dist/index.js');

export async function beaconBench({ row, clients = 500 }) {
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
  row('beacon', `${clients} clients register at once (memory network)`, `${Math.round((clients * 1000) / ms).toLocaleString('en')} registrations/s`,
    `${introductions} introductions delivered (expected ${clients}); registry ${size.peers} peers, ${size.tokens} tokens; peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB (whole bench process)`);
  for (const { client, transport } of started) {
    await client.stop();
    await transport.stop();
  }
  await new Promise((r) => setTimeout(r, 100));
  const after = beaconServer.registry.size;
  row('beacon', 'registry after every client left', `${after.peers} peers, ${after.tokens} tokens`, 'must be 0, 0');
  beaconServer.stop();
  await server.stop();
}
