// The receiving device of the sync benchmark (see sync.mjs): opens a new database for the same
// user, connects to the sender, and reports on stdout, one JSON line per event: when the
// initial sync is done (with its peak RSS), then the room's row count after each change.
import { join } from 'node:path';

const core = await import('../../packages/core/dist/index.js');
const [dir, address] = process.argv.slice(2);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const app = await core.Discret.open({
  dataModel: 'notes { Note { text: String, n: Integer } }', appKey: 'bench.sync', keyMaterial: new Uint8Array(32).fill(77),
  dataFolder: join(dir), transport: core.libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), logger: core.silentLogger,
  config: { enableMulticast: false },
});
const r = app.privateRoom;
const COUNT = 'query { c: notes.Note(room_id = $r) { c: count() } }';
const count = async () => (await app.query(COUNT, { r })).c[0]?.c ?? 0;
let synced = false;
const start = performance.now();
app.on('RoomSynchronized', (e) => {
  if (e.room !== r || synced) return;
  synced = true;
  void count().then((n) => say({ type: 'synced', ms: performance.now() - start, rows: n, maxRssKb: process.resourceUsage().maxRSS, cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000) }));
});
app.on('DataChanged', () => {
  if (!synced) return;
  // Committed, so visible to queries from now on: that is the time that counts.
  const at = Date.now();
  void count().then((n) => say({ type: 'count', count: n, at }));
});
await app.connect(address);
process.stdin.resume();
process.stdin.on('end', () => void app.close().then(() => process.exit(0)));
