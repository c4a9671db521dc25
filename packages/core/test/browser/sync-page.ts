// The page of browser-sync.test.ts: a chat through @discret/core's browser entry, meeting its
// peers through the beacon given by the test (WebSockets, relay, WebRTC).
import { Discret } from '@discret/core';
import { pattern } from './pattern.js';

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
    /** Puts `size` bytes of pattern(seed) as a blob of the room; returns its id. */
    putBlob: async (size: number, seed: number) => (await app!.putBlob(pattern(size, seed), { room })).id,
    /** Reads a blob whole (fetched from the peer); returns its length and SHA-256. */
    getBlob: async (id: string) => {
      const parts: Uint8Array[] = [];
      const reader = app!.getBlob(id).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
      }
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
      return { size: all.length, sha: [...digest].map((b) => b.toString(16).padStart(2, '0')).join(''), status: (await app!.blobStatus(id)).state };
    },
    close: async () => {
      await app?.close();
      app = null;
    },
  },
});

out.textContent = 'ready';
