// One client process of the beacon TCP bench: `node beacon-clients.mjs <beacon multiaddr> <first> <count>`.
// Starts <count> libp2p nodes (TCP on 127.0.0.1), each with a BeaconClient. Clients 2k and 2k+1
// share a token (so the beacon introduces them to each other), and each has three of its own.
// Prints `registered <ms>` once all are registered, `introduced <n>` once all introductions
// arrived (or after 30 s), then leaves when stdin ends.
const beacon = await import('../../packages/beacon/dist/index.js');
const sync = await import('../../packages/sync/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');
const log = await import('../../packages/log/dist/index.js');

const [address, firstText, countText] = process.argv.slice(2);
const first = Number(firstText);
const count = Number(countText);
const started = [];
let introduced = 0;
// Start the nodes first (their cost is ours, not the beacon's), then register all at once.
const transports = [];
for (let i = 0; i < count; i++) {
  const transport = sync.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
  await transport.start({ deviceSeed: crypto.SigningKey.generate().exportSeed(), logger: log.silentLogger });
  transports.push(transport);
}
console.log('ready');
await new Promise((go) => process.stdin.once('data', go));
const t = performance.now();
await Promise.all(transports.map(async (transport, k) => {
  const i = first + k;
  const pair = new Uint8Array(8);
  new DataView(pair.buffer).setUint32(0, Math.floor(i / 2));
  const tokens = [pair, ...Array.from({ length: 3 }, () => crypto.SigningKey.generate().publicKey.subarray(0, 8))];
  const client = new beacon.BeaconClient({ transport, address, logger: log.silentLogger }, { tokens: async () => tokens, found: () => void introduced++ });
  client.start();
  await client.registered;
  started.push(client);
}));
console.log(`registered ${Math.round(performance.now() - t)}`);
const until = Date.now() + 30_000;
while (introduced < count && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
console.log(`introduced ${introduced} ${Math.round(performance.now() - t)}`);
process.stdin.once('end', async () => {
  for (const client of started) await client.stop();
  for (const transport of transports) await transport.stop();
  console.log('left');
  process.exit(0);
});
process.stdin.resume();
