// A new Node device of the browser bench's user (see browser.mjs), in a process of its own, cold
// as a new browser page is: opens with the beacon and prints, as one JSON line, the time from
// Discret.open until its private room holds the expected rows.
import { join } from 'node:path';
import { untilRows } from './until-rows.mjs';

const core = await import('../../packages/core/dist/index.js');
const [dir, beacon, rows, dataModel, appKey] = process.argv.slice(2);
const t = performance.now();
const app = await core.Discret.open({
  dataModel, appKey, keyMaterial: new Uint8Array(32).fill(77), dataFolder: join(dir), logger: core.silentLogger,
  transport: core.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), config: { enableMulticast: false, beacons: [beacon] },
});
try {
  process.stdout.write(`${JSON.stringify({ ms: await untilRows(app, Number(rows), t) })}\n`);
} finally {
  await app.close();
}
