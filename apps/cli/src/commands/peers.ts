// discret serve | invite | accept | peers: this folder as a peer of others.
import { type Command, Option } from 'commander';
import { type DiscretEvent, libp2pTransport } from '@discret/core';
import { openFolder, type FolderOptions, withFolder } from '../app.js';
import { UsageError } from '../exit.js';
import { withFolderOptions } from './folder-options.js';
import { run } from './run.js';

interface ServeOptions extends FolderOptions {
  listen?: string[];
  beacon?: string[];
  multicast: boolean;
  relayOnly?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const line = (text: string) => process.stdout.write(`${text}\n`);

/** One line per event a person running a peer wants to see. */
function describe(event: DiscretEvent): string | null {
  switch (event.type) {
    case 'PeerConnected': return `peer connected ${event.verifyingKey}`;
    case 'PeerDisconnected': return `peer disconnected ${event.verifyingKey}`;
    case 'RoomSynchronized': return `room synchronised ${event.room}`;
    case 'PendingPeer': return 'a peer waits for approval: see `discret peers`';
    case 'PendingHardware': return 'a new device of yours waits for approval';
    default: return null;
  }
}

interface PeerRow { id: string; status: string; peer: { verifying_key: string } | null }
const PEERS = 'query { p: sys.AllowedPeer(nullable(peer)) { id status peer { verifying_key } } }';

export function peerCommands(program: Command): void {
  withFolderOptions(program.command('serve').description('run this folder as a peer: sync with allowed peers until stopped (Ctrl-C)'))
    .option('--listen <multiaddr>', 'listen address (repeatable); default QUIC and TCP on all interfaces', collect)
    .option('--beacon <multiaddr>', 'a beacon to meet peers through (repeatable)', collect)
    .option('--no-multicast', 'do not look for peers on the LAN')
    .addOption(new Option('--relay-only', 'connect only through the beacons\' relays, so peers never learn this address'))
    .action((options: ServeOptions) => run(async () => {
      const app = await openFolder(options, {
        transport: libp2pTransport(options.listen ? { listen: options.listen } : {}),
        config: { enableMulticast: options.multicast, beacons: options.beacon ?? [], relayOnly: options.relayOnly ?? false },
      });
      for (const address of app.addresses()) line(`listening ${address}`);
      const types = ['PeerConnected', 'PeerDisconnected', 'RoomSynchronized', 'PendingPeer', 'PendingHardware'] as const;
      const unsubscribe = types.map((type) => app.on(type, (event) => {
        const text = describe(event as DiscretEvent);
        if (text) line(text);
      }));
      await new Promise<void>((stopped) => {
        process.once('SIGINT', stopped);
        process.once('SIGTERM', stopped);
      });
      for (const off of unsubscribe) off();
      await app.close();
      line('stopped');
    }));

  withFolderOptions(program.command('invite').description('print an invite; whoever accepts it joins the room with the authorisation'))
    .option('--room <id>', 'the room the invitee joins')
    .option('--authorisation <id>', 'the room\'s authorisation the invitee gets')
    .action((options: FolderOptions & { room?: string; authorisation?: string }) => run(async () => {
      if ((options.room === undefined) !== (options.authorisation === undefined)) throw new UsageError('--room and --authorisation go together');
      await withFolder(options, async (app) => {
        line(await app.invite(options.room ? { room: options.room, authorisation: options.authorisation! } : undefined));
      });
    }));

  withFolderOptions(program.command('accept <invite>').description('accept an invite; `discret serve` then meets the inviter'))
    .action((invite: string, options: FolderOptions) => run(async () => {
      await withFolder(options, async (app) => {
        await app.acceptInvite(invite);
        line('accepted: run `discret serve` to meet the inviter');
      });
    }));

  withFolderOptions(program.command('peers').description('list allowed and pending peers; `peers allow|deny KEY` changes one'))
    .argument('[action]', 'allow or deny')
    .argument('[key]', 'the peer\'s verifying key')
    .option('--json', 'print JSON')
    .action((action: string | undefined, key: string | undefined, options: FolderOptions & { json?: boolean }) => run(async () => {
      if (action !== undefined && action !== 'allow' && action !== 'deny') throw new UsageError(`unknown action "${action}": allow or deny`);
      if (action && !key) throw new UsageError(`peers ${action} needs the peer's verifying key`);
      await withFolder(options, async (app) => {
        // Our own row (upstream keeps one for the user itself) is not a peer to list or change.
        const p = (await app.query<{ p: PeerRow[] }>(PEERS)).p.filter((r) => r.peer?.verifying_key !== app.verifyingKey);
        if (action) {
          const row = p.find((r) => r.peer?.verifying_key === key);
          if (!row) throw new UsageError(`no peer ${key}: see \`discret peers\``);
          const status = action === 'allow' ? 'enabled' : 'disabled';
          await app.mutate('mutate { sys.AllowedPeer { id: $id status: $s } }', { id: row.id, s: status });
          line(`${key} ${status}`);
          return;
        }
        const list = p.map((r) => ({ key: r.peer!.verifying_key, status: r.status }));
        if (options.json) line(JSON.stringify(list, null, 2));
        else if (!list.length) line('no peers yet');
        else for (const r of list) line(`${r.status.padEnd(9)} ${r.key}`);
      });
    }));
}
