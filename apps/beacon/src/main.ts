#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=4
// discret-beacon: the rendezvous server of Discret peers on the internet.
//   discret-beacon --listen /ip4/0.0.0.0/tcp/4001 [--listen ...] --key-file beacon.key
//     [--metrics 127.0.0.1:9464] [--max-clients 10000] [--max-peers 10000]
//     [--max-tokens-per-peer 1024] [--max-peers-per-token 32]
//     [--max-reservations 1024] [--relay-duration-ms 3600000] [--relay-data-bytes 268435456]
//     [--max-connections-per-ip 64] [--stun-port 3478] [--federate <multiaddr of another beacon>]...
// Prints one multiaddr per line (each ending in the beacon's peer id: give one to your peers as
// `config.beacons`), then serves until SIGTERM or SIGINT. With --metrics, GET /health answers
// "ok" and GET /metrics the Prometheus text of the beacon's gauges. With --federate (once per
// other beacon, each listing all the others), clients registered on different beacons meet.
// The first line tunes memory for thousands of connections (README, "Memory"): a young
// generation of 4 MiB semi-spaces and two malloc arenas took the RSS with 1,000 clients from
// about 490 to about 280 MiB. Started as `node main.js`, the beacon says it runs untuned.
import { parseArgs } from 'node:util';
import { BeaconServer, type FederatedBeacon } from '@discret/beacon';
import { SigningKey } from '@discret/crypto';
import { createLogger, type LogLevel } from '@discret/log';
import { libp2pTransport } from '@discret/sync';
import { peerIdFromString } from '@libp2p/peer-id';
import { loadOrCreateKey } from './key.js';
import { serveMetrics } from './metrics.js';
import { serveStun } from './stun.js';

const { values } = parseArgs({
  options: {
    listen: { type: 'string', multiple: true },
    'key-file': { type: 'string' },
    metrics: { type: 'string' },
    'max-clients': { type: 'string' },
    'max-peers': { type: 'string' },
    'max-tokens-per-peer': { type: 'string' },
    'max-peers-per-token': { type: 'string' },
    'max-reservations': { type: 'string' },
    'relay-duration-ms': { type: 'string' },
    'relay-data-bytes': { type: 'string' },
    'max-connections-per-ip': { type: 'string' },
    'stun-port': { type: 'string' },
    federate: { type: 'string', multiple: true },
    help: { type: 'boolean' },
  },
});
if (values.help || !values['key-file']) {
  console.log('usage: discret-beacon --listen <multiaddr>... --key-file <path>');
  process.exit(values.help ? 0 : 2);
}
const logger = createLogger({ level: (process.env.DISCRET_LOG as LogLevel | undefined) ?? 'info' });
const seed = loadOrCreateKey(values['key-file']);
const count = (flag: keyof typeof values, least = 1): number | undefined => {
  const text = values[flag];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < least) {
    console.error(`--${flag} is a positive integer`);
    process.exit(2);
  }
  return value;
};
// Circuit relay v2 with our limits: the relay's defaults (2 minutes, 128 KiB per relayed
// connection) would cut a sync.
const transport = libp2pTransport({
  listen: values.listen ?? ['/ip4/0.0.0.0/tcp/4001'],
  maxConnectionsPerIp: count('max-connections-per-ip') ?? 64,
  // one connection per client, and room for the relay's own dials
  maxConnections: (count('max-clients') ?? 10_000) + 64,
  relayServer: { maxReservations: count('max-reservations'), durationLimitMs: count('relay-duration-ms'), dataLimitBytes: count('relay-data-bytes') },
});
await transport.start({ deviceSeed: seed, logger });
const server = new BeaconServer({
  transport, logger, maxClients: count('max-clients'), federation: federation(values.federate ?? []),
  limits: { maxPeers: count('max-peers'), maxTokensPerPeer: count('max-tokens-per-peer'), maxPeersPerToken: count('max-peers-per-token') },
});
server.start();
// STUN on UDP at each listen address: peers behind NATs learn their public address and port
// from it, so WebRTC can connect them directly (the relay stays the path that always works).
const stunPort = count('stun-port', 0) ?? 3478;
const stunHosts = stunPort ? [...new Set(transport.addresses().map((a) => a.split('/')[2]!))] : [];
const stunSockets = await Promise.all(stunHosts.map((host) => serveStun(host, stunPort)));
const metrics = values.metrics ? await serveMetrics(values.metrics as string, server) : null;
for (const address of transport.addresses()) console.log(address);
for (const host of stunHosts) console.log(`stun ${host.includes(':') ? `[${host}]` : host}:${stunPort}`);
if (metrics) {
  const bound = metrics.address();
  if (bound && typeof bound === 'object') console.log(`metrics http://${bound.address}:${bound.port}/metrics`);
}
logger.info({ addresses: transport.addresses() }, 'beacon started');
if (!memoryTuned()) {
  logger.info('memory not tuned: start discret-beacon as an executable, or as MALLOC_ARENA_MAX=2 node --max-semi-space-size=4 main.js (README, "Memory")');
}

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'beacon stopping');
  server.stop();
  metrics?.close();
  for (const socket of stunSockets) socket.close();
  await transport.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

/** Whether this process runs with the first line's memory settings. */
function memoryTuned(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((f) => f.startsWith('--max-semi-space-size')) && process.env.MALLOC_ARENA_MAX !== undefined;
}

/** The other beacons of --federate, with the device keys of their peer ids. */
function federation(addresses: string[]): { beacons: FederatedBeacon[]; deviceKey: Uint8Array } | undefined {
  if (!addresses.length) return undefined;
  const beacons = addresses.map((address) => {
    const key = address.includes('/p2p/') ? peerIdFromString(address.split('/p2p/').pop()!).publicKey?.raw : undefined;
    if (!key) {
      console.error(`--federate ${address}: a multiaddr ending in /p2p/<the beacon's ed25519 peer id>`);
      process.exit(2);
    }
    return { address, deviceKey: key };
  });
  return { beacons, deviceKey: new SigningKey(seed).publicKey };
}
