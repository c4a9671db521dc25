// One user of the meeting benchmark (meeting.mjs), run in a home namespace behind a NAT router
// or on 127.0.0.1:
//   node meeting-peer.mjs inviter <dataFolder> <listen ip | default> <beacon multiaddr>
//   node meeting-peer.mjs invitee <dataFolder> <listen ip | default> <beacon multiaddr> <invite>
// `default`: no transport option, as an app opens Discret (QUIC and TCP on all interfaces).
// The inviter makes a room with a note and, once the beacon relays it (its address has a
// /p2p-circuit, as for an inviter that has been online a while), prints the invite. The invitee
// prints `accepted <ms>` right after acceptInvite, then `synced <ms>` when the note arrived
// (both on its own clock, Date.now()), and exits. Every wait is bounded.
const core = await import('../../packages/core/dist/index.js');

const [role, dataFolder, ip, beacon, invite] = process.argv.slice(2);
const say = (line) => process.stdout.write(`${line}\n`);
const app = await core.Discret.open({
  dataModel: 'notes { Note { text: String } }', appKey: 'bench.meeting', keyMaterial: crypto.getRandomValues(new Uint8Array(32)), dataFolder,
  ...(ip === 'default' ? {} : { transport: core.libp2pTransport({ listen: [`/ip4/${ip}/tcp/0`] }) }), logger: core.silentLogger,
  config: { enableMulticast: false, beacons: [beacon] },
});
const deadline = setTimeout(() => {
  say('timeout');
  process.exit(2);
}, 60_000);

if (role === 'inviter') {
  const { r } = await app.mutate(`mutate { r: sys.Room {
    admin: [{ verif_key: $me }]
    authorisations: [{ name: "all" rights: [{ entity: "notes.Note" mutate_self: true mutate_all: false }] }]
  } }`, { me: app.verifyingKey });
  await app.mutate('mutate { notes.Note { room_id: $r text: "hello" } }', { r: r.id });
  for (let i = 0; i < 200 && !app.addresses().some((a) => a.includes('/p2p-circuit')); i++) await new Promise((ok) => setTimeout(ok, 50));
  say(`invite ${await app.invite({ room: r.id, authorisation: r.authorisations[0].id })}`);
  process.stdin.resume();
  process.stdin.on('end', () => void app.close().then(() => process.exit(0)));
} else {
  let done = false;
  app.on('RoomSynchronized', () => {
    void app.query('query { n: notes.Note { text } }').then(async ({ n }) => {
      if (done || !n.length) return;
      done = true;
      say(`synced ${Date.now()}`);
      clearTimeout(deadline);
      await app.close();
      process.exit(0);
    });
  });
  const accepting = Date.now();
  await app.acceptInvite(invite);
  say(`accepted ${accepting}`);
}
