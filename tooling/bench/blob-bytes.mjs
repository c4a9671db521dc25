// What both processes of the blob benchmark share: the device they open (the same user), and
// the bytes, the same for any process that asks, made as they are read.
const CHUNK = 256 * 1024;

/** `size` bytes of a repeating pseudo-random pattern, in 256 KiB chunks. */
export async function* chunksOf(size) {
  const pattern = new Uint8Array(CHUNK + 251);
  let x = 12345;
  for (let i = 0; i < pattern.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    pattern[i] = x >>> 24;
  }
  for (let at = 0, k = 0; at < size; at += CHUNK, k++) {
    const shift = k % 251; // no two groups alike
    yield pattern.slice(shift, shift + Math.min(CHUNK, size - at));
  }
}

/**
 * A device of the blob benchmark's user in `dir`, on TCP loopback. BENCH_LOG=warn (or debug)
 * logs to stderr, saying why a connection was dropped.
 */
export function openBlobPeer(core, dir) {
  return core.Discret.open({
    dataModel: 'chat { Message { text: String, at: Integer } }', appKey: 'bench.blobs', keyMaterial: new Uint8Array(32).fill(91),
    dataFolder: dir, transport: core.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }),
    logger: process.env.BENCH_LOG ? core.createLogger({ level: process.env.BENCH_LOG }) : core.silentLogger,
    config: { enableMulticast: false },
  });
}
