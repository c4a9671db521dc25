// Two users syncing, the shortest way: Alice makes a room and invites Bob; Bob accepts, connects
// to Alice over libp2p (127.0.0.1 here; any address she can be reached at in real life), gets
// the room, and from then on every write reaches the other side live.
// Run with `node examples/two-peers.ts` after `pnpm build`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discret, type DiscretEvent, libp2pTransport } from '@discret/core';

const dataModel = 'chat { Message { text: String } }';
const appKey = 'example.discret.chat';
const folder = mkdtempSync(join(tmpdir(), 'discret-two-peers-'));

// Real apps derive keyMaterial from a login and password with derivePassPhrase().
const open = (name: string) => Discret.open({
  dataModel, appKey, keyMaterial: crypto.getRandomValues(new Uint8Array(32)), dataFolder: join(folder, name),
  transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }),
  // On a real LAN, leave multicast on and peers find each other; here they dial an address.
  config: { enableMulticast: false },
});
const once = (app: Discret, type: DiscretEvent['type']) => new Promise<void>((resolve) => {
  const stop = app.on(type, () => {
    stop();
    resolve();
  });
});
const MESSAGES = 'query { m: chat.Message(room_id = $room, order_by(mdate asc)) { text } }';

const alice = await open('alice');
const bob = await open('bob');
try {
  // A room where members write messages; Alice is its admin and first member.
  const { r } = await alice.mutate<{ r: { id: string; authorisations: { id: string }[] } }>(`mutate { r: sys.Room {
    admin: [{ verif_key: $me }]
    authorisations: [{ name: "members" rights: [{ entity: "chat.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
  } }`, { me: alice.verifyingKey });
  const room = r.id;
  await alice.mutate('mutate { chat.Message { room_id: $room text: "Hi Bob, welcome!" } }', { room });

  const invite = await alice.invite({ room, authorisation: r.authorisations[0]!.id });
  console.log(`alice invites bob: ${invite.slice(0, 24)}...`);
  await bob.acceptInvite(invite);
  const synced = once(bob, 'RoomSynchronized');
  await bob.connect(alice.addresses()[0]!);
  await synced;
  console.log('bob sees:', JSON.stringify((await bob.query(MESSAGES, { room })).m));

  const arrived = once(alice, 'DataChanged');
  await bob.mutate('mutate { chat.Message { room_id: $room text: "Thanks Alice!" } }', { room });
  await arrived;
  console.log('alice sees:', JSON.stringify((await alice.query(MESSAGES, { room })).m));
} finally {
  await alice.close();
  await bob.close();
  rmSync(folder, { recursive: true, force: true });
}
