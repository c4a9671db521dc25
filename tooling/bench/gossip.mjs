// Many peers in one room in `pnpm bench` (issue 29): the real sync sessions and services on the
// in-memory network (the database is a map: sync's test host), each peer linked to a few random
// others. One write at a time, each reaching every peer before the next: frames and bytes per
// write per peer, for 10, 50 and 200 peers.
// mulberry32 (`random`): the same graph every run.
const { peerMesh, random } = await import('../../packages/sync/test/map-host.ts');

async function flood(peers, writes) {
  const rand = random(7);
  const { net, hosts, stop } = await peerMesh(peers, rand);
  try {
    const settle = async (count) => {
      const end = Date.now() + 20_000;
      while (hosts.some((h) => h.rows.size < count) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
      if (hosts.some((h) => h.rows.size < count)) throw new Error(`${peers} peers did not converge`);
    };
    hosts[0].write('first');
    await settle(1);
    await new Promise((r) => setTimeout(r, 300));
    const before = { ...net.stats };
    for (let w = 0; w < writes; w++) {
      hosts[Math.floor(rand() * peers)].write(`write ${w}`);
      await settle(w + 2);
    }
    // Then what lazy links still hold goes out (within 1.5 s), and is counted.
    await new Promise((r) => setTimeout(r, 1600));
    return { frames: (net.stats.writes - before.writes) / writes / peers, bytes: (net.stats.bytes - before.bytes) / writes / peers };
  } finally {
    await stop();
  }
}

export async function gossipBench({ report, chart, counts = [10, 50, 200], writes = 10 }) {
  const points = [];
  for (const peers of counts) {
    const { frames, bytes } = await flood(peers, writes);
    points.push({ peers, frames, bytes });
    report.add({ group: 'many peers', operation: `${peers} peers in one room, one write at a time: frames per write per peer`, value: frames, unit: 'frames', note: `${Math.round(bytes)} bytes per write per peer`, ...(peers === 200 ? { target: '<= 3' } : {}) });
  }
  await chart?.('gossip-frames', {
    title: 'A write reaching every peer of a room (memory network, 3 links per peer)', x: 'peers', y: 'frames per write per peer', logX: false,
    points: points.map((p) => ({ peers: p.peers, 'frames per write per peer': Number(p.frames.toFixed(2)) })),
  });
  await chart?.('gossip-bytes', {
    title: 'Bytes per write per peer', x: 'peers', y: 'bytes', logX: false,
    points: points.map((p) => ({ peers: p.peers, bytes: Math.round(p.bytes) })),
  });
}
