// A new Node device of the browser bench's user (see browser.mjs), in a process of its own, cold
// as a new browser page is: opens with the beacon and prints, as one JSON line, the time from
// Discret.open until its private room holds the expected rows.
import { join } from 'node:path';

const core = await import('../../packages/core/dist/index.js');
const [dir, beacon, rows, dataModel, appKey] = process.argv.slice(2);
const count = Number(rows);
const t = performance.now();
const app = await core.Discret.open({
  dataModel, appKey, keyMaterial: new Uint8Array(32).fill(77), dataFolder: join(dir), logger: core.silentLogger,
  transport: core.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), config: { enableMulticast: false, beacons: [beacon] },
});
try {
  for (;;) {
    const { c } = await app.query('query { c: bench.Row(room_id = $r) { n: count() } }', { r: app.privateRoom });
    if ((c[0]?.n ?? 0) >= count) break;
    if (performance.now() - t > 120_000) throw new Error(`only ${c[0]?.n ?? 0} of ${count} rows after 120 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t })}\n`);
} finally {
  await app.close();
}
