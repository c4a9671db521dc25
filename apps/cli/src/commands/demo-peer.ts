// `discret demo-peer` (hidden): one peer of `discret demo`, in its own process. It reads one
// JSON command per line on stdin and answers each with one JSON line on stdout
// ({"id", "ok", ...} or {"id", "error"}), so the demo drives it and measures what happens.
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { Discret, derivePassPhrase, libp2pTransport } from '@discret/core';

export const DEMO_MODEL = 'demo { Message { from: String, text: String } }';
const MESSAGES = 'query { m: demo.Message(room_id = $room, order_by(text asc)) { from text } }';

type Request =
  | { id: number; do: 'createRoom' }
  | { id: number; do: 'invite'; room: string; authorisation: string }
  | { id: number; do: 'accept'; invite: string }
  | { id: number; do: 'waitRoom'; room: string; timeoutMs: number }
  | { id: number; do: 'write'; room: string; text: string }
  | { id: number; do: 'waitMessage'; room: string; text: string; timeoutMs: number }
  | { id: number; do: 'messages'; room: string }
  | { id: number; do: 'connections' };

async function until(check: () => Promise<boolean>, wake: (again: () => void) => () => void, timeoutMs: number): Promise<boolean> {
  if (await check()) return true;
  return new Promise<boolean>((done) => {
    let settled = false;
    const finish = (value: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stop();
      done(value);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    const stop = wake(() => void check().then((ok) => ok && finish(true)));
  });
}

export function demoPeerCommand(program: Command): void {
  program.command('demo-peer', { hidden: true })
    .requiredOption('--name <name>')
    .requiredOption('--data <dir>')
    .requiredOption('--beacon <multiaddr>')
    .action(async (options: { name: string; data: string; beacon: string }) => {
      const app = await Discret.open({
        dataModel: DEMO_MODEL, appKey: 'discret.demo', dataFolder: options.data,
        keyMaterial: await derivePassPhrase(options.name, process.env.DISCRET_DEMO_PASSWORD || 'demo password'),
        transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }),
        config: { enableMulticast: false, beacons: [options.beacon] },
      });
      const send = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
      const hasMessage = async (room: string, text: string) => ((await app.query<{ m: { text: string }[] }>(MESSAGES, { room })).m ?? []).some((m) => m.text === text);
      const handle = async (request: Request): Promise<object> => {
        switch (request.do) {
          case 'createRoom': {
            const { r } = await app.mutate<{ r: { id: string; authorisations: { id: string }[] } }>(`mutate { r: sys.Room {
              admin: [{ verif_key: $me }]
              authorisations: [{ name: "members" rights: [{ entity: "demo.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
            } }`, { me: app.verifyingKey });
            return { room: r.id, authorisation: r.authorisations[0]!.id };
          }
          case 'invite': return { invite: await app.invite({ room: request.room, authorisation: request.authorisation }) };
          case 'accept': {
            await app.acceptInvite(request.invite);
            return {};
          }
          case 'waitRoom': {
            const has = async () => ((await app.query<{ r: unknown[] }>('query { r: sys.Room(id = $room) { id } }', { room: request.room })).r ?? []).length > 0;
            return { arrived: await until(has, (again) => app.on('RoomSynchronized', again), request.timeoutMs) };
          }
          case 'write': {
            await app.mutate('mutate { demo.Message { room_id: $room from: $from text: $text } }', { room: request.room, from: options.name, text: request.text });
            return {};
          }
          case 'waitMessage':
            return { arrived: await until(() => hasMessage(request.room, request.text), (again) => app.on('DataChanged', again), request.timeoutMs) };
          case 'messages': return { messages: (await app.query(MESSAGES, { room: request.room })).m };
          case 'connections': return { connections: app.peerConnections().map(({ address, path }) => ({ address, path })) };
        }
      };
      send({ ready: true, key: app.verifyingKey });
      const input = createInterface({ input: process.stdin });
      for await (const text of input) {
        if (!text.trim()) continue;
        const request = JSON.parse(text) as Request;
        // answered as each finishes: a peer waiting for a message still takes other requests
        void handle(request).then((answer) => send({ id: request.id, ok: true, ...answer }), (error: Error) => send({ id: request.id, error: error.message }));
      }
      await app.close();
    });
}
