#!/usr/bin/env node
// discret-beacon: the rendezvous server of Discret peers on the internet.
//   discret-beacon --listen /ip4/0.0.0.0/tcp/4001 [--listen ...] --key-file beacon.key
//     [--metrics 127.0.0.1:9464] [--max-clients 10000] [--max-peers 10000]
//     [--max-tokens-per-peer 1024] [--max-peers-per-token 32]
//     [--max-reservations 1024] [--relay-duration-ms 3600000] [--relay-data-bytes 268435456]
//     [--max-connections-per-ip 64] [--stun-port 3478]
// Prints one multiaddr per line (each ending in the beacon's peer id: give one to your peers as
// `config.beacons`), then serves until SIGTERM or SIGINT. With --metrics, GET /health answers
// "ok" and GET /metrics the Prometheus text of the beacon's gauges.
import { parseArgs } from 'node:util';
import { BeaconServer } from '@discret/beacon';
import { createLogger, type LogLevel } from '@discret/log';
import { libp2pTransport } from '@discret/sync';
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
  transport, logger, maxClients: count('max-clients'),
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
