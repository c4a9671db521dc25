// One client process of the beacon TCP bench:
//   node beacon-clients.mjs <beacon multiaddr> <first> <count> [beacon|bare]
// Starts <count> libp2p nodes (TCP on 127.0.0.1), then on `go` (a line on stdin) connects them,
// 24 at a time. `beacon`: each registers with a BeaconClient; clients 2k and 2k+1 share a token
// (so the beacon introduces them to each other), and each has three of its own. `bare`: each
// only dials (the limit a bare libp2p listener sets). Prints `ready` once the nodes are up,
// `registered <ms>` once all are connected (and registered), `introduced <n> <ms>` once all
// introductions arrived (or after 30 s), then leaves when stdin ends and prints `left`.
const beacon = await import('../../packages/beacon/dist/index.js');
const sync = await import('../../packages/sync/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');
const log = await import('../../packages/log/dist/index.js');

const [address, firstText, countText, mode = 'beacon'] = process.argv.slice(2);
const first = Number(firstText);
const count = Number(countText);
const started = [];
const connections = [];
/** Clients introduced at least once (a renewal introduces again). */
const introducedClients = new Set();
// Start the nodes first (their cost is ours, not the beacon's), then connect all at once.
const transports = [];
for (let i = 0; i < count; i++) {
  const transport = sync.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
  await transport.start({ deviceSeed: crypto.SigningKey.generate().exportSeed(), logger: log.silentLogger });
  transports.push(transport);
}
console.log('ready');
await new Promise((go) => process.stdin.once('data', go));
const t = performance.now();
// At most `IN_FLIGHT` connections being set up at once per process: a thousand handshakes
// started in the same instant on 2 cores time out and are retried, and the server mostly
// redoes work (clients arriving over a few seconds is the case a beacon serves).
const IN_FLIGHT = 24;
let next = 0;
const connectOne = async (transport, k) => {
  if (mode === 'bare') {
    // Retried as a BeaconClient retries (1 s doubling): a listener refuses what it cannot take yet.
    for (let backoff = 1000; ; backoff *= 2) {
      const connection = await transport.dial(address, { signal: AbortSignal.timeout(15_000) }).catch((error) => {
        if (backoff > 64_000) throw error;
        return null;
      });
      if (connection) return void connections.push(connection);
      await new Promise((r) => setTimeout(r, backoff));
    }
  }
  const i = first + k;
  const pair = new Uint8Array(8);
  new DataView(pair.buffer).setUint32(0, Math.floor(i / 2));
  const tokens = [pair, ...Array.from({ length: 3 }, () => crypto.SigningKey.generate().publicKey.subarray(0, 8))];
  const client = new beacon.BeaconClient({ transport, address, logger: log.silentLogger }, { tokens: async () => tokens, found: () => void introducedClients.add(k) });
  client.start();
  await client.registered;
  started.push(client);
};
await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, count) }, async () => {
  while (next < count) {
    const k = next++;
    await connectOne(transports[k], k);
  }
}));
console.log(`registered ${Math.round(performance.now() - t)}`);
const expected = mode === 'bare' ? 0 : count;
const until = Date.now() + 30_000;
while (introducedClients.size < expected && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
console.log(`introduced ${introducedClients.size} ${Math.round(performance.now() - t)}`);
process.stdin.once('end', async () => {
  for (const client of started) await client.stop();
  for (const connection of connections) await connection.close().catch(() => {});
  for (const transport of transports) await transport.stop();
  console.log('left');
  process.exit(0);
});
process.stdin.resume();
