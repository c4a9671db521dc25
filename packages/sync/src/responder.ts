import { base64url } from '@discret/crypto';
import type { RoomItem } from '@discret/store';
import { SyncError } from './errors.js';
import type { Admission, PeerAdmission, RoomSource } from './host.js';
import type { RoomView } from './item-cache.js';
import { keyText } from './items.js';
import { isRequestType, ONE_WAY, PROTOCOL, type Records, type Reply, type RequestBody, type RequestType, type RoomPhase } from './protocol.js';
import { MAX_PEERS } from './protocol-limits.js';
import { readWithin } from './read-budget.js';
import { compareKeys, Reconciler } from './reconcile.js';
import { recordWireSize } from './records-wire.js';
import { decodeLimits, type SessionCore } from './session-context.js';
import { withTimeout } from './timeouts.js';
import type { ByteStream } from './transport.js';
import type { MessageChannel, WireMessage } from './wire.js';

/** An answer that says "ask again later" instead of a reply (see `reconcile`). */
const BUSY = Symbol('busy');
type Handler<K extends RequestType> = (body: RequestBody<K>) => Promise<Reply<K> | typeof BUSY>;

/** What the answering side needs of the rest of its session. */
export interface ResponderHooks {
  /** The remote's hello arrived: the invites it presents. */
  hello(invites: Uint8Array[]): void;
  /** Settles once the host decided about the remote. */
  admission(): Promise<Admission>;
  isAdmitted(): boolean;
  /** The room this side is pulling now, and the size it started from. */
  pulling(): { room: string; size: number } | null;
  /** The remote committed changes in these rooms. */
  changed(rooms: string[], items: Map<string, RoomItem[]>, records: Map<string, Records>): void;
  /** Closes the session (after a refusal was told). */
  close(): void;
}

/**
 * The answering side of a session: the remote's requests arrive on the stream it opened, are
 * decoded by the protocol (protocol.ts), answered one at a time in the remote user's turn by a
 * handler per message type, and every answer must be read in time. Nothing but `hello` is
 * answered before the host admitted the remote, and every request about a room first checks
 * that the room is shared with it.
 */
export class Responder {
  private serving = false;
  /** The host admitted the remote: requests are answered without waiting for the decision. */
  private allowed = false;
  private readonly handlers: { [K in RequestType]: Handler<K> };

  constructor(
    private readonly core: SessionCore,
    private readonly hooks: ResponderHooks,
  ) {
    this.handlers = answers(core, hooks, (room) => this.shared(room));
  }

  /** Takes the remote's request stream (one per connection), whose first message was read. */
  serve(stream: ByteStream, channel: MessageChannel, first: WireMessage): void {
    if (this.serving) {
      stream.abort(new SyncError('PROTOCOL', 'One request stream per connection'));
      return;
    }
    this.serving = true;
    void this.answerAll(channel, first).catch((error) => this.core.fail(error));
  }

  private async answerAll(channel: MessageChannel, first: WireMessage): Promise<void> {
    for (let next: WireMessage | null = first; ; next = null) {
      const message = next ?? (await channel.receive({ signal: this.core.signal }));
      this.core.touch();
      if (message === null) {
        this.hooks.close();
        return;
      }
      let answer: WireMessage | null;
      try {
        answer = await this.answerInTurn(message);
      } catch (error) {
        if (!(error instanceof SyncError) || error.code !== 'REFUSED') throw error;
        await this.sendAnswer(channel, { type: 'error', body: { message: error.message } });
        if (!this.hooks.isAdmitted() && message.type === 'ready') {
          // It now knows we refused it: give the answer a moment to leave, then close.
          setTimeout(() => this.hooks.close(), 200).unref?.();
          return;
        }
        continue;
      }
      if (answer === null) continue; // a one-way message: nothing to send
      // Our requests wait for their answers, so a request that arrived while this one was
      // being answered was sent without reading: a peer asking faster than it reads would
      // have answers pile up here. It is dropped.
      if (await channel.messageWaiting()) throw new SyncError('PROTOCOL', 'A request came before the answer to the one before it');
      await this.sendAnswer(channel, answer);
    }
  }

  /** Answers once it is the remote user's turn (see `SessionContext.turns`). */
  private async answerInTurn(message: WireMessage): Promise<WireMessage | null> {
    const turns = this.core.ctx.turns;
    if (!turns) return this.answer(message);
    const user = this.core.proven()?.userKey ?? this.core.connection.remoteDeviceKey;
    const release = await turns.acquire(base64url(user), this.core.signal);
    try {
      return await this.answer(message);
    } finally {
      release();
    }
  }

  private async answer(message: WireMessage): Promise<WireMessage | null> {
    if (!isRequestType(message.type)) throw new SyncError('PROTOCOL', `Unexpected request ${message.type}`);
    return this.dispatch(message.type, message.body);
  }

  private async dispatch<K extends RequestType>(type: K, wire: unknown): Promise<WireMessage | null> {
    const spec = PROTOCOL[type];
    const body = spec.request.decode(wire, decodeLimits(this.core.ctx.limits));
    if (type !== 'hello' && !this.allowed) {
      const { requestTimeoutMs } = this.core.ctx.limits;
      const admission = await withTimeout(this.hooks.admission(), requestTimeoutMs * 2, 'admission', this.core.signal);
      if (!admission.allowed) throw new SyncError('REFUSED', 'not admitted');
      this.allowed = true;
    }
    const reply = await this.handlers[type](body);
    if (ONE_WAY.has(type)) return null;
    if (reply === BUSY) return { type: 'busy', body: null };
    return { type: spec.answer, body: spec.reply.encode(reply) };
  }

  /** The guard every request about a room goes through: REFUSED unless the remote may read it. */
  private async shared(room: string): Promise<void> {
    if (!(await this.core.ctx.host.roomsFor(this.core.peer())).includes(room)) throw new SyncError('REFUSED', `room ${room} is not shared with this peer`);
  }

  /**
   * Sends an answer, which the remote must read in time: one that asks and never reads would
   * otherwise hold an answer (up to `batchBytes`) in this process for as long as it likes.
   */
  private async sendAnswer(channel: MessageChannel, answer: WireMessage): Promise<void> {
    const { requestTimeoutMs } = this.core.ctx.limits;
    const deadline = AbortSignal.timeout(requestTimeoutMs);
    try {
      await channel.send(answer, { signal: AbortSignal.any([deadline, this.core.signal]) });
      this.core.touch();
    } catch (error) {
      if (!deadline.aborted) throw error;
      throw new SyncError('TIMEOUT', `The remote did not read its ${answer.type} answer within ${requestTimeoutMs} ms`, { cause: error });
    }
  }
}

/** One handler per request type, sharing the room guard. */
function answers(core: SessionCore, hooks: ResponderHooks, shared: (room: string) => Promise<void>): { [K in RequestType]: Handler<K> } {
  const { limits, itemSets } = core.ctx;
  // The answering side reads rooms and proves who we are; it never writes.
  const host: RoomSource & Pick<PeerAdmission, 'proveIdentity' | 'peerRecord'> = core.ctx.host;
  /**
   * The room phase a request is about, once the guard let it through. Building a large room's
   * item set (listing and hashing it) may take longer than the asker waits for an answer: past
   * half the request timeout the answer is `busy` (the asker retries later) while the set is
   * built on, for the next time.
   */
  const view = async ({ room, phase }: RoomPhase): Promise<RoomView | typeof BUSY> => {
    await shared(room);
    const set = itemSets.get(room, phase);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<typeof BUSY>((resolve) => (timer = setTimeout(() => resolve(BUSY), limits.requestTimeoutMs / 2)));
    try {
      return await Promise.race([set, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const readKeys = (room: string, served: RoomView, keys: Uint8Array[]) =>
    readWithin(host, room, keys.map((k) => served.refs.get(keyText(k)) ?? null), limits.batchBytes);
  return {
    hello: async ({ challenge, invites }) => {
      hooks.hello(invites);
      const proof = host.proveIdentity(challenge, core.ctx.localDevice, core.connection.remoteDeviceKey);
      return { peer: await host.peerRecord(), proof };
    },
    ready: async () => null,
    rooms: async () => {
      const rooms = await host.roomsFor(core.peer());
      const counts = await Promise.all(rooms.map((room) => host.countItems(room)));
      return rooms.map((room, i): [string, number] => [room, counts[i]!]);
    },
    peers: async ({ room }) => {
      await shared(room);
      return (await host.roomPeers(room)).slice(0, MAX_PEERS);
    },
    changed: async ({ rooms, items, records }) => {
      hooks.changed(rooms, items, records);
      return null;
    },
    fetchRefs: async ({ room, refs }) => {
      await shared(room);
      return readWithin(host, room, refs, limits.batchBytes);
    },
    reconcile: async (body) => {
      // Both sides pulling the same room from each other at once (two devices that just met):
      // the side that had fewer items when it started goes first (it is the one that needs the
      // room; ties: the larger device key), the other retries when it is done, so the room is
      // not listed and hashed again for every batch the first imports.
      const mine = hooks.pulling();
      if (body.first && mine?.room === body.room) {
        const first = mine.size < body.size || (mine.size === body.size && compareKeys(core.ctx.localDevice, core.connection.remoteDeviceKey) > 0);
        if (first) return BUSY;
      }
      const served = await view(body);
      if (served === BUSY) return BUSY;
      const step = new Reconciler(served.set).respond(body.ranges);
      return { ranges: step.reply ?? null, have: step.have, haveRanges: step.haveRanges };
    },
    fetch: async (body) => {
      const served = await view(body);
      return served === BUSY ? BUSY : readKeys(body.room, served, body.keys);
    },
    fetchAll: async (body) => {
      await shared(body.room);
      try {
        const page = await host.page(body.room, body.phase, body.cursor, limits.batchBytes, (r) => recordWireSize(r as Parameters<typeof recordWireSize>[0]));
        return { records: page.batch, next: page.next };
      } catch (error) {
        if ((error as { code?: unknown }).code === 'INVALID_RECORD') throw new SyncError('PROTOCOL', 'Not a cursor of ours', { cause: error });
        throw error;
      }
    },
    fetchRange: async (body) => {
      const served = await view(body);
      if (served === BUSY) return BUSY;
      const from = served.set.indexOf(body.lower);
      const end = served.set.indexOf(body.upper);
      const keys = served.set.items.slice(from, Math.min(end, from + limits.keysPerFetch)).map((it) => it.key);
      if (!keys.length) return { records: { nodes: [], edges: [], nodeDeletions: [], edgeDeletions: [] }, next: null };
      const { records, served: used } = await readKeys(body.room, served, keys);
      const next = from + used;
      return { records, next: next >= end ? null : served.set.items[next]!.key };
    },
  };
}
