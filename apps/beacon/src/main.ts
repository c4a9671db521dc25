#!/usr/bin/env node
// discret-beacon: the rendezvous server of Discret peers on the internet.
//   discret-beacon --listen /ip4/0.0.0.0/tcp/4001 [--listen ...] --key-file beacon.key
// Prints one multiaddr per line (each ending in the beacon's peer id: give one to your peers as
// `config.beacons`), then serves until SIGTERM or SIGINT.
import { parseArgs } from 'node:util';
import { BeaconServer } from '@discret/beacon';
import { createLogger, type LogLevel } from '@discret/log';
import { libp2pTransport } from '@discret/sync';
import { loadOrCreateKey } from './key.js';

const { values } = parseArgs({
  options: {
    listen: { type: 'string', multiple: true },
    'key-file': { type: 'string' },
    help: { type: 'boolean' },
  },
});
if (values.help || !values['key-file']) {
  console.log('usage: discret-beacon --listen <multiaddr>... --key-file <path>');
  process.exit(values.help ? 0 : 2);
}
const logger = createLogger({ level: (process.env.DISCRET_LOG as LogLevel | undefined) ?? 'info' });
const seed = loadOrCreateKey(values['key-file']);
const transport = libp2pTransport({ listen: values.listen ?? ['/ip4/0.0.0.0/tcp/4001'] });
await transport.start({ deviceSeed: seed, logger });
const server = new BeaconServer({ transport, logger });
server.start();
for (const address of transport.addresses()) console.log(address);
logger.info({ addresses: transport.addresses() }, 'beacon started');

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'beacon stopping');
  server.stop();
  await transport.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
