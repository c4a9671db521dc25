// One OrbitDB peer of the side-by-side benchmark (see orbitdb.mjs), in its own process as each
// Discret peer is. Configured as OrbitDB's GETTING_STARTED.md recommends (Helia with a
// LevelBlockstore, libp2p over TCP with noise, yamux, identify and gossipsub), except that
// mDNS is left out: the bench never sends multicast, and peers dial each other directly, as
// OrbitDB's REPLICATION.md suggests for speed.
//   node orbitdb-peer.mjs writer <dir> <count>   writes <count> documents, one awaited put each
//   node orbitdb-peer.mjs reader <dir> <dbAddress> <peerAddress> <count>   replicates them
// Each reports one JSON line on stdout; the writer then waits for stdin to close.
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createOrbitDB } from '@orbitdb/core';
import { LevelBlockstore } from 'blockstore-level';
import { createHelia } from 'helia';
import { createLibp2p } from 'libp2p';
import { join } from 'node:path';

const [role, dir, ...rest] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

const libp2p = await createLibp2p({
  addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) },
});
const ipfs = await createHelia({ libp2p, blockstore: new LevelBlockstore(join(dir, 'blocks')) });
const orbitdb = await createOrbitDB({ ipfs, id: role, directory: join(dir, 'orbitdb') });

async function stop(db) {
  await db.close();
  await orbitdb.stop();
  await ipfs.stop();
}

if (role === 'writer') {
  const count = Number(rest[0]);
  // Anyone may write: the reader only replicates, but OrbitDB's default controller would also do.
  const db = await orbitdb.open('bench-docs', { type: 'documents' });
  const start = performance.now();
  for (let i = 0; i < count; i++) await db.put({ _id: `note-${i}`, text: `note number ${i}`, n: i });
  const ms = performance.now() - start;
  say({ type: 'written', ms, address: db.address, peer: libp2p.getMultiaddrs()[0].toString(), rssKb: process.resourceUsage().maxRSS });
  process.stdin.resume();
  process.stdin.on('end', () => void stop(db).then(() => process.exit(0)));
} else {
  const [address, peer, countText] = rest;
  const count = Number(countText);
  const start = performance.now();
  await libp2p.dial(multiaddr(peer));
  const db = await orbitdb.open(address);
  // 'update' fires per received head, not per entry: once one came, the documents index is
  // read every 250 ms until it holds every document (the bench gives up after 10 minutes).
  let updates = 0;
  db.events.on('update', () => updates++);
  const deadline = Date.now() + 600_000;
  let held = 0;
  while (held < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, updates ? 250 : 20));
    if (updates) held = (await db.all()).length;
    if (process.env.BENCH_DEBUG) process.stderr.write(`held ${held}\n`);
  }
  say({ type: 'replicated', ms: performance.now() - start, held, rssKb: process.resourceUsage().maxRSS });
  await stop(db);
  process.exit(0);
}
