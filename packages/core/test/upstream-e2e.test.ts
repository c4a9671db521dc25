// Upstream's own end-to-end tests (discret 0.6.2: tests/synchronisation.rs and tests/mutations.rs),
// translated: every test, each peer a separate process (fixtures/api-peer.ts) driven through the
// public API, with upstream's data models, requests, configurations and timeouts (measured
// inside the peer, from the moment upstream starts its own clock). Upstream's defaults are ours:
// no transport option means QUIC and TCP on all interfaces, and multicast discovery on. So the
// tests that use them run on a LAN of network namespaces made here (a bridge, one namespace per
// peer; nothing on the host's interfaces), and the beacon test on 127.0.0.1 as upstream's does.
import { afterAll, describe, expect, test } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startBeacon } from '../../../apps/beacon/test/spawn-beacon.js';
import { lanTopology } from './netns.js';

const root = mkdtempSync(join(tmpdir(), 'discret-upstream-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const fixture = resolve(import.meta.dirname, 'fixtures/api-peer.ts');
let folders = 0;
const folder = () => join(root, String(folders++));
/** upstream's random32(): fresh key material. */
const random32 = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url');

interface PeerOptions {
  dataModel: string;
  appKey: string;
  keyMaterial: string;
  listen?: string[];
  config?: Record<string, unknown>;
}

/** A Discret user in its own process (in namespace `ns`, or on the host for loopback-only tests). */
class Peer {
  private readonly pending = new Map<number, { ok: (v: unknown) => void; fail: (e: Error) => void }>();
  private next = 1;
  private buffered = '';
  readonly ready: Promise<{ at: number; verifyingKey: string; privateRoom: string }>;

  constructor(readonly child: ChildProcess) {
    let markReady!: (v: { at: number; verifyingKey: string; privateRoom: string }) => void;
    this.ready = new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('the peer did not open within 20 s')), 20_000);
      markReady = (value) => {
        clearTimeout(timer);
        ok(value);
      };
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the peer exited with ${code}`));
      });
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      this.buffered += chunk.toString();
      const lines = this.buffered.split('\n');
      this.buffered = lines.pop()!;
      for (const line of lines) {
        const message = JSON.parse(line) as { ready?: boolean; id?: number; result?: unknown; error?: string; at: number; verifyingKey: string; privateRoom: string };
        if (message.ready) markReady(message);
        const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
        if (!waiting) continue;
        this.pending.delete(message.id!);
        if (message.error !== undefined) waiting.fail(new Error(message.error));
        else waiting.ok(message.result);
      }
    });
  }

  static start(options: PeerOptions, ns?: string): Peer {
    const argv = [fixture, JSON.stringify({ ...options, dataFolder: folder() })];
    const child = ns
      ? spawn('ip', ['netns', 'exec', ns, process.execPath, ...argv], { stdio: ['pipe', 'pipe', 'inherit'] })
      : spawn(process.execPath, argv, { stdio: ['pipe', 'pipe', 'inherit'] });
    return new Peer(child);
  }

  /** One command; fails with the peer's error, or after 30 s. */
  call<T = unknown>(op: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`${op}: no answer within 30 s`)), 30_000);
      this.pending.set(id, { ok: (v) => { clearTimeout(timer); ok(v as T); }, fail: (e) => { clearTimeout(timer); fail(e); } });
      this.child.stdin!.write(`${JSON.stringify({ id, op, ...args })}\n`);
    });
  }

  mutate<T = Record<string, unknown>>(text: string, params?: Record<string, unknown>) {
    return this.call<T>('mutate', { text, params });
  }

  query<T = Record<string, unknown[]>>(text: string, params?: Record<string, unknown>) {
    return this.call<T>('query', { text, params });
  }

  /** upstream's `subscribe_for_events` + `timeout(withinMs, <wait for the event>)`, from `after`. */
  waitEvent(type: string, room: string, after: number, withinMs: number) {
    return this.call<{ elapsedMs: number }>('waitEvent', { type, room, after, withinMs });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.stdin!.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  }
}

/** Runs `body` with peers it starts, on a fresh LAN of `hosts` namespaces; everything is removed after. */
async function onLan(hosts: number, body: (lan: ReturnType<typeof lanTopology>, peers: Peer[]) => Promise<void>): Promise<void> {
  const lan = lanTopology(hosts, 'dup', '10.233.0');
  const peers: Peer[] = [];
  try {
    await body(lan, peers);
  } finally {
    await Promise.all(peers.map((p) => p.stop()));
    lan.remove();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOM = `mutate mut {
  sys.Room{
    admin: [{
      verif_key:$key
    }]
    authorisations:[{
      name:"admin"
      rights:[{
        entity:"Person"
        mutate_self:true
        mutate_all:true
      }]
    }]
  }
}`;
type RoomResult = { 'sys.Room': { id: string; authorisations: { id: string }[] } };
const PERSON = `mutate mut {
  Person{
    room_id:$room_id
    name: "John Doe"
  }
}`;
const ALLOWED = `query{
  sys.AllowedPeer{
    id
    peer{
      pub_key
    }
    meeting_token
    status
  }
}`;
const count = async (peer: Peer, text: string) => Object.values(await peer.query(text))[0]!.length;

/** Upstream's opening of these tests: an admin-only room with one Person, and an invite into it. */
async function roomWithPerson(discret1: Peer): Promise<{ roomId: string; authId: string; invite: () => Promise<string> }> {
  const one = await discret1.ready;
  const result = await discret1.mutate<RoomResult>(ROOM, { key: one.verifyingKey });
  const roomId = result['sys.Room'].id;
  const authId = result['sys.Room'].authorisations.at(-1)!.id;
  await discret1.mutate(PERSON, { room_id: roomId });
  return { roomId, authId, invite: () => discret1.call<string>('invite', { room: roomId, authorisation: authId }) };
}

/**
 * Upstream's `invites` test, wherever its two users run (`start(i)` starts user i): the invitee
 * gets the room within 3 s of accepting; then the same persons on both sides, two AllowedPeer
 * rows each, and the invites consumed.
 */
async function invites(start: (user: number) => Peer, peers: Peer[]): Promise<void> {
  const discret1 = start(0);
  peers.push(discret1);
  const { roomId, invite } = await roomWithPerson(discret1);
  const discret2 = start(1);
  peers.push(discret2);
  await discret2.ready;
  const { at } = await discret2.call<{ at: number }>('acceptInvite', { invite: await invite() });
  await discret2.waitEvent('RoomSynchronized', roomId, at, 3000);
  await sleep(100); // upstream: "allowedpeers can be synchronized after room synchronisation"
  await checkInviteDone(discret1, discret2);
}

/** Upstream's checks after an invite: the same persons, two AllowedPeer rows each, invites consumed. */
async function checkInviteDone(discret1: Peer, discret2: Peer): Promise<void> {
  const people = 'query{\n  Person{\n    name\n  }\n}';
  expect(await discret2.query(people)).toEqual(await discret1.query(people));
  expect(await discret1.query(people)).toEqual({ Person: [{ name: 'John Doe' }] });
  expect(await count(discret1, ALLOWED)).toBe(2);
  expect(await count(discret2, ALLOWED)).toBe(2);
  for (const peer of [discret1, discret2]) {
    expect(await count(peer, 'query{ sys.OwnedInvite{ id } }')).toBe(0);
    expect(await count(peer, 'query{ sys.Invite{ id } }')).toBe(0);
  }
}

describe("upstream's tests/synchronisation.rs", () => {
  test('multicast_connect: two folders of one user on a LAN, default configuration: the private room syncs within 2 s', async () => {
    await onLan(2, async (lan, peers) => {
      const options = { dataModel: '{Person{name:String,}}', appKey: 'hello', keyMaterial: random32() };
      peers.push(Peer.start(options, lan.hosts[0]));
      await peers[0]!.ready;
      peers.push(Peer.start(options, lan.hosts[1]));
      const second = await peers[1]!.ready;
      await peers[1]!.waitEvent('RoomSynchronized', second.privateRoom, second.at, 2000);
    });
  }, 60_000);

  test('invites: an admin-only room, an invite accepted on the LAN: the room within 3 s, two AllowedPeer rows each, invites consumed', async () => {
    await onLan(2, async (lan, peers) => {
      const options = { dataModel: '{Person{name:String,}}', appKey: 'hello', config: { multicastGroup: '224.0.0.224:22403' } };
      await invites((host) => Peer.start({ ...options, keyMaterial: random32() }, lan.hosts[host]), peers);
    });
  }, 60_000);

  test('invites_beacon: the same through a beacon on 127.0.0.1, multicast off, within 3 s', async () => {
    const beacon = await startBeacon(join(root, 'beacon.key'));
    const peers: Peer[] = [];
    try {
      const options = {
        dataModel: '{Person{name:String,}}', appKey: 'hello', listen: ['/ip4/127.0.0.1/tcp/0'],
        config: { enableMulticast: false, beacons: [beacon.address] },
      };
      await invites(() => Peer.start({ ...options, keyMaterial: random32() }), peers);
    } finally {
      await Promise.all(peers.map((p) => p.stop()));
      await beacon.stop();
    }
  }, 60_000);

  test('new_peers_from_room: two invitees of one room sync within 2 s each, and each records the other as a pending peer', async () => {
    await onLan(3, async (lan, peers) => {
      const options = { dataModel: '{Person{name:String,}}', appKey: 'hello', config: { multicastGroup: '224.0.0.224:22404' } };
      const discret1 = Peer.start({ ...options, keyMaterial: random32() }, lan.hosts[0]);
      peers.push(discret1);
      const { roomId: newRoom, invite } = await roomWithPerson(discret1);
      const invite2 = await invite();

      const discret2 = Peer.start({ ...options, keyMaterial: random32() }, lan.hosts[1]);
      peers.push(discret2);
      await discret2.ready;
      const accepted2 = await discret2.call<{ at: number }>('acceptInvite', { invite: invite2 });

      const discret3 = Peer.start({ ...options, keyMaterial: random32() }, lan.hosts[2]);
      peers.push(discret3);
      await discret3.ready;
      const invite3 = await invite();
      const accepted3 = await discret3.call<{ at: number }>('acceptInvite', { invite: invite3 });

      await discret2.waitEvent('RoomSynchronized', newRoom, accepted2.at, 2000);
      await discret3.waitEvent('RoomSynchronized', newRoom, accepted3.at, 2000);
      const people = 'query{ Person{ name } }';
      const res1 = await discret1.query(people);
      expect(await discret2.query(people)).toEqual(res1);
      expect(await discret3.query(people)).toEqual(res1);

      await sleep(20); // upstream: "allowedpeers can be synchronized after room synchronisation"
      const pending = 'query{ sys.AllowedPeer(status="pending"){ id } }';
      expect(await count(discret1, pending)).toBe(0);
      expect(await count(discret2, pending)).toBe(1);
      expect(await count(discret3, pending)).toBe(1);
    });
  }, 60_000);

  test('multiple_entities: nested entities of the private room reach a second folder of the user within 4 s, identical', async () => {
    await onLan(2, async (lan, peers) => {
      const model = `{
        Person{
            name:String,
            parents:[Person],
            pet : Pet
        }

        Pet {
            name: String
        }
      }`;
      const options = { dataModel: model, appKey: 'hello', keyMaterial: random32() };
      const discret1 = Peer.start(options, lan.hosts[0]);
      peers.push(discret1);
      const one = await discret1.ready;
      await discret1.mutate(`
            mutate {
                P1: Person {
                    room_id:$room_id
                    name : "John"
                    parents:  [ {name : "John Mother"} ,{ name:"John Father" pet:{ name:"Kiki" }}]
                    pet: { name:"Truffle"}
                }
                P2: Person {
                    room_id:$room_id
                    name : "Ada"
                    parents:  [ {name : "Ada Mother" pet:{ name:"Lulu" }} ,{ name:"Ada Father" pet:{ name:"Waf" }}]
                }
            } `, { room_id: one.privateRoom });
      const query = `query {
        Person (order_by(name desc)) {
            id
            room_id
            name
            parents (order_by(name desc)){
                id
                room_id
                name
                pet{
                    id
                    room_id
                    name
                }
            }
            pet{
                id
                room_id
                name
            }
        }
      }`;
      const res1 = await discret1.query(query);
      const discret2 = Peer.start(options, lan.hosts[1]);
      peers.push(discret2);
      const second = await discret2.ready;
      await discret2.waitEvent('RoomSynchronized', second.privateRoom, second.at, 4000);
      expect(await discret2.query(query)).toEqual(res1);
      expect((res1 as { Person: unknown[] }).Person.length).toBeGreaterThan(0);
    });
  }, 60_000);
});

describe("upstream's tests/mutations.rs (one peer each, in a namespace of its own: upstream's default configuration is networked)", () => {
  const datamodel = `{ 
            Greetings{
                message:String
            }
        }`;

  test('minimal: insert a greeting and read it back by id', async () => {
    await onLan(1, async (lan, peers) => {
      const app = Peer.start({ dataModel: datamodel, appKey: 'myappkey', keyMaterial: random32() }, lan.hosts[0]);
      peers.push(app);
      await app.ready;
      const mutResult = await app.mutate<{ result: { id: string } }>(`mutate {
                result: Greetings{
                    message: "Hello World"
                }
            }`);
      const result = await app.query(`query {
                Greetings(id=$id){
                    message
                }
            }`, { id: mutResult.result.id });
      // upstream compares the text "{\n\"Greetings\":[{\"message\":\"Hello World\"}]\n}"
      expect(result).toEqual(JSON.parse('{\n"Greetings":[{"message":"Hello World"}]\n}'));
    });
  }, 60_000);

  test('batch_insert: 100 mutations through the mutation stream, all written, in order', async () => {
    await onLan(1, async (lan, peers) => {
      const app = Peer.start({ dataModel: datamodel, appKey: 'myappkey', keyMaterial: random32() }, lan.hosts[0]);
      peers.push(app);
      await app.ready;
      const numMessage = 100;
      const written = await app.call<{ written: number }>('stream', {
        text: `mutate {
                result: Greetings{
                    message: $message
                }
            }`,
        paramSets: Array.from({ length: numMessage }, (_, i) => ({ message: `hello world ${i}` })),
      });
      expect(written.written).toBe(numMessage);
      const result = await app.query<{ Greetings: { message: string }[] }>(`query {
                Greetings (order_by(message asc)){
                    message
                }
            }`);
      expect(result.Greetings).toHaveLength(numMessage);
      expect(result.Greetings[0]!.message).toBe('hello world 0');
    });
  }, 60_000);
});
