// The sending device of the blob benchmark (see blobs.mjs): opens (or reopens) a database for
// the bench user, puts a blob of the given size made by a generator (never held whole) unless
// it holds it already, then prints one JSON line {address, id} and serves it. On a line
// "chat <n>" on stdin it writes n chat messages 50 ms apart, each carrying its send time.
import { createInterface } from 'node:readline';
import { chunksOf, openBlobPeer } from './blob-bytes.mjs';

const core = await import('../../packages/core/dist/index.js');
const [dir, mib] = process.argv.slice(2);
const app = await openBlobPeer(core, dir);
const { id } = await app.putBlob(chunksOf(Number(mib) * 1024 * 1024), { room: app.privateRoom });
process.stdout.write(`${JSON.stringify({ address: app.addresses()[0], id, room: app.privateRoom })}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [command, count] = line.split(' ');
  if (command !== 'chat') continue;
  for (let i = 0; i < Number(count); i++) {
    await app.mutate('mutate { chat.Message { room_id: $r text: "hi" at: $at } }', { r: app.privateRoom, at: Date.now() });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
