// The chat of upstream's README, in TypeScript: run it in two terminals (or on two machines of
// a LAN, or anywhere through a beacon) with the same login and password, and chat with yourself
// from another device. What you write goes to your private room; the other devices get it
// through sync and print it.
//   node examples/chat/chat.ts --data ./chat-a [--login "my login"] [--beacon <multiaddr>]... [--no-multicast]
// The password comes from DISCRET_CHAT_PASSWORD ("my password" when unset, as upstream's example).
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { Discret, derivePassPhrase, libp2pTransport, zeroUid } from '@discret/core';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: 'chat-data' },
    login: { type: 'string', default: 'my login' },
    beacon: { type: 'string', multiple: true, default: [] },
    listen: { type: 'string', multiple: true },
    'no-multicast': { type: 'boolean', default: false },
  },
});

const app = await Discret.open({
  dataModel: 'chat { Message { content: String } }',
  appKey: 'github.com/discretlib/rust_example_simple_chat',
  keyMaterial: await derivePassPhrase(values.login, process.env.DISCRET_CHAT_PASSWORD ?? 'my password'),
  dataFolder: values.data,
  transport: libp2pTransport(values.listen ? { listen: values.listen } : {}),
  config: { enableMulticast: !values['no-multicast'], beacons: values.beacon },
});

// Print every message once, in order, whoever wrote it: remember where we stopped.
let lastDate = 0;
let lastId = zeroUid();
async function printNew(): Promise<void> {
  const { res } = await app.query<{ res: { id: string; mdate: number; content: string }[] }>(`query {
    res: chat.Message(order_by(mdate asc, id asc), after($mdate, $id), room_id = $room) { id mdate content }
  }`, { mdate: lastDate, id: lastId, room: app.privateRoom });
  for (const message of res) {
    lastDate = message.mdate;
    lastId = message.id;
    console.log(`you said: ${message.content}`);
  }
}
let printing = Promise.resolve();
app.on('DataChanged', () => {
  printing = printing.then(printNew, printNew);
});

const input = createInterface({ input: process.stdin, output: process.stdout });
console.log('Write something! (/q to quit)');
for await (const line of input) {
  if (line.startsWith('/q')) break;
  if (line.trim()) await app.mutate('mutate { chat.Message { room_id: $room content: $message } }', { room: app.privateRoom, message: line });
}
input.close();
await printing;
await app.close();
