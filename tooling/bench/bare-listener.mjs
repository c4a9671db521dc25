// The limit of the beacon's CPU and memory per client (`pnpm bench`): a libp2p node built as
// discret-beacon builds its own (same transport, connection limits and relay server), that
// only accepts connections. `node bare-listener.mjs <max clients>` prints its address and
// serves until killed.
const sync = await import('../../packages/sync/dist/index.js');
const crypto = await import('../../packages/crypto/dist/index.js');
const log = await import('../../packages/log/dist/index.js');

const clients = Number(process.argv[2] ?? 10_000);
const transport = sync.libp2pTransport({
  listen: ['/ip4/127.0.0.1/tcp/0'], maxConnectionsPerIp: clients + 16, maxConnections: clients + 64, relayServer: {},
});
await transport.start({ deviceSeed: crypto.SigningKey.generate().exportSeed(), logger: log.silentLogger });
for (const address of transport.addresses()) console.log(address);
process.on('SIGINT', () => process.exit(0));
