// The page of browser-sync.test.ts: a chat through @discret/core's browser entry, meeting its
// peers through the beacon given by the test (WebSockets, relay, WebRTC).
import { Discret } from '@discret/core';

const MODEL = 'chat { Message { text: String } }';
const out = document.getElementById('out')!;
let app: Discret | null = null;
let room = '';

async function render(): Promise<void> {
  if (!app || !room) return;
  const { m } = await app.query<{ m: { text: string }[] }>('query { m: chat.Message(room_id = $r, order_by(text asc)) { text } }', { r: room });
  out.textContent = `${app.verifyingKey.slice(0, 8)} sees: ${m.map((x) => x.text).join(' | ')}`;
}

Object.assign(window, {
  syncTest: {
    open: async (beacon: string, fill: number) => {
      app = await Discret.open({ dataModel: MODEL, appKey: 'test.browser-sync', keyMaterial: new Uint8Array(32).fill(fill), dataFolder: 'chat', config: { beacons: [beacon] } });
      app.on('DataChanged', () => void render());
      return app.verifyingKey;
    },
    accept: async (invite: string, forRoom: string) => {
      room = forRoom;
      await app!.acceptInvite(invite);
    },
    write: (text: string) => app!.mutate('mutate { chat.Message { room_id: $r text: $t } }', { r: room, t: text }),
    /** Waits, bounded, until the room shows `text`; returns what it shows. */
    waitFor: async (text: string, ms: number) => {
      const until = Date.now() + ms;
      while (Date.now() < until) {
        await render();
        if (out.textContent?.includes(text)) return out.textContent;
        await new Promise((r) => setTimeout(r, 100));
      }
      return out.textContent;
    },
    peers: () => app!.connectedPeers(),
    connections: () => app!.peerConnections(),
    /** A room of this user's own, whose invite lets the other write messages in it. */
    createRoom: async () => {
      const { r } = await app!.mutate<{ r: { id: string; authorisations: { id: string }[] } }>(`mutate { r: sys.Room {
        admin: [{ verif_key: $me }]
        authorisations: [{ name: "all" rights: [{ entity: "chat.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
      } }`, { me: app!.verifyingKey });
      room = r.id;
      return { room: r.id, invite: await app!.invite({ room: r.id, authorisation: r.authorisations[0]!.id }) };
    },
    close: async () => {
      await app?.close();
      app = null;
    },
  },
});
out.textContent = 'ready';
