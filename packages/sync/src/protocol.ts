import type { NodeRecord, RecordBatch, RecordRef, RoomItem } from '@discret/store';
import { SyncError } from './errors.js';
import type { SyncPhase } from './host.js';
import {
  MAX_CHANGED_ROOMS, MAX_CURSOR_BYTES, MAX_INVITE_BYTES, MAX_INVITES, MAX_KEY_BYTES, MAX_KEYS, MAX_LIVE_ITEMS, MAX_PEERS, MAX_RANGES, MAX_ROOMS,
} from './protocol-limits.js';
import { batchFromWire, batchToWire, itemFromWire, itemToWire, refFromWire, refToWire } from './records-wire.js';
import { type Bound, type ReconcileMessage, reconcileFromWire, reconcileToWire } from './reconcile.js';

/**
 * The sync protocol's messages, typed end to end: each request type with its body, the type
 * of message that answers it and that answer's body, and for each a codec that writes the wire
 * form and reads it back checked. Nothing past this module sees an `unknown` body: a body that
 * does not decode is a fault of the peer that sent it (PROTOCOL, or INVALID_DATA for records),
 * and the peer is dropped. session.ts describes what each request is for.
 */

/** A range of keys: from `lower` (included) to `upper` (excluded; null: the end). */
export interface KeyRange {
  lower: Uint8Array;
  upper: Bound;
}

/** Which phase of which room a request is about. */
export interface RoomPhase {
  room: string;
  phase: SyncPhase;
}

export type Records = Required<RecordBatch>;

export interface Messages {
  hello: { body: { challenge: Uint8Array; invites: Uint8Array[] }; answer: 'proof'; reply: { peer: NodeRecord; proof: Uint8Array } };
  ready: { body: null; answer: 'ready'; reply: null };
  rooms: { body: null; answer: 'rooms'; reply: [room: string, count: number][] };
  peers: { body: { room: string }; answer: 'peers'; reply: NodeRecord[] };
  changed: { body: { rooms: string[]; items: Map<string, RoomItem[]>; records: Map<string, Records> }; answer: 'ok'; reply: null };
  reconcile: {
    body: RoomPhase & { first: boolean; size: number; ranges: ReconcileMessage };
    answer: 'reconciled';
    reply: { ranges: ReconcileMessage | null; have: Uint8Array[]; haveRanges: KeyRange[] };
  };
  fetch: { body: RoomPhase & { keys: Uint8Array[] }; answer: 'records'; reply: { records: Records; served: number } };
  fetchRefs: { body: { room: string; refs: RecordRef[] }; answer: 'records'; reply: { records: Records; served: number } };
  fetchRange: { body: RoomPhase & KeyRange; answer: 'records'; reply: { records: Records; next: Uint8Array | null } };
  fetchAll: { body: RoomPhase & { cursor: Uint8Array | null }; answer: 'records'; reply: { records: Records; next: Uint8Array | null } };
}

export type RequestType = keyof Messages;
export type RequestBody<K extends RequestType> = Messages[K]['body'];
export type Reply<K extends RequestType> = Messages[K]['reply'];

/** What bounds decoding: records per answer (the session's `keysPerFetch` times four), keys per `fetch`. */
export interface DecodeLimits {
  maxRecords: number;
  keysPerFetch: number;
}

interface Codec<T> {
  encode(value: T): unknown;
  decode(wire: unknown, limits: DecodeLimits): T;
}

export interface MessageSpec<K extends RequestType> {
  answer: Messages[K]['answer'];
  request: Codec<RequestBody<K>>;
  reply: Codec<Reply<K>>;
}

const malformed = (message: string) => new SyncError('PROTOCOL', message);
const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const object = (v: unknown, what: string): Record<string, unknown> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw malformed(`${what} is a map`);
  return v as Record<string, unknown>;
};

/** Records as sent: a bounded list; a record of the wrong shape is INVALID_DATA. */
function records(value: unknown, limits: DecodeLimits): Records {
  return recordsOf(value, limits.maxRecords);
}

function recordsOf(value: unknown, max: number): Records {
  try {
    return batchFromWire(value, max);
  } catch (error) {
    throw new SyncError('INVALID_DATA', (error as Error).message, { cause: error });
  }
}

function keyList(value: unknown, max = MAX_KEYS): Uint8Array[] {
  if (!Array.isArray(value) || value.length > max || !value.every((k) => isBytes(k) && k.length <= MAX_KEY_BYTES)) throw malformed('A key list is a bounded list of keys');
  return value as Uint8Array[];
}

function rangeList(value: unknown): KeyRange[] {
  if (!Array.isArray(value) || value.length > MAX_RANGES) throw malformed('A range list is bounded');
  return value.map((r) => {
    if (!Array.isArray(r) || !isBytes(r[0]) || !(r[1] === null || isBytes(r[1]))) throw malformed('A range is [lower, upper]');
    return { lower: r[0], upper: r[1] as Bound };
  });
}

function ranges(value: unknown): ReconcileMessage {
  try {
    return reconcileFromWire(value);
  } catch (error) {
    throw malformed(`Bad reconcile message: ${(error as Error).message}`);
  }
}

function roomPhase(body: Record<string, unknown>): RoomPhase {
  const { room, phase } = body;
  if (typeof room !== 'string' || (phase !== 'definition' && phase !== 'data')) throw malformed('A request names a room and a phase');
  return { room, phase };
}

function cursor(value: unknown): Uint8Array | null {
  if (value !== null && (!isBytes(value) || value.length > MAX_CURSOR_BYTES)) throw malformed('A cursor is bytes');
  return value;
}

const nothing: Codec<null> = { encode: () => null, decode: () => null };

const served: Codec<{ records: Records; served: number }> = {
  encode: (v) => ({ records: batchToWire(v.records), served: v.served }),
  decode: (wire, limits) => {
    const body = object(wire, 'A records answer');
    if (!Number.isSafeInteger(body.served)) throw malformed('A records answer says how many keys it served');
    return { records: records(body.records, limits), served: body.served as number };
  },
};

const page: Codec<{ records: Records; next: Uint8Array | null }> = {
  encode: (v) => ({ records: batchToWire(v.records), next: v.next }),
  decode: (wire, limits) => {
    const body = object(wire, 'A records answer');
    return { records: records(body.records, limits), next: cursor(body.next) };
  },
};

/** Every message: its answer type and codecs. */
export const PROTOCOL: { [K in RequestType]: MessageSpec<K> } = {
  hello: {
    answer: 'proof',
    request: {
      encode: (v) => v,
      decode: (wire) => {
        const { challenge, invites } = object(wire, 'A hello');
        if (!isBytes(challenge) || challenge.length !== 32) throw malformed('A hello has a 32-byte challenge');
        if (!Array.isArray(invites) || invites.length > MAX_INVITES || !invites.every((i) => isBytes(i) && i.length <= MAX_INVITE_BYTES)) throw malformed('A hello lists at most 16 invites');
        return { challenge, invites: invites as Uint8Array[] };
      },
    },
    reply: {
      encode: (v) => ({ peer: batchToWire({ nodes: [v.peer] })[0], proof: v.proof }),
      decode: (wire) => {
        const { peer, proof } = object(wire, 'A proof');
        let record: NodeRecord;
        try {
          const batch = batchFromWire([peer], 1);
          if (batch.nodes.length !== 1) throw new RangeError('not a node');
          record = batch.nodes[0]!;
        } catch (error) {
          throw new SyncError('INVALID_DATA', `A proof carries the prover's peer row: ${(error as Error).message}`, { cause: error });
        }
        if (!isBytes(proof)) throw new SyncError('INVALID_DATA', 'The identity proof does not verify');
        return { peer: record, proof };
      },
    },
  },
  ready: { answer: 'ready', request: nothing, reply: nothing },
  rooms: {
    answer: 'rooms',
    request: nothing,
    reply: {
      encode: (v) => v,
      decode: (wire) => {
        const ok = Array.isArray(wire) && wire.length <= MAX_ROOMS
          && wire.every((r) => Array.isArray(r) && typeof r[0] === 'string' && Number.isSafeInteger(r[1]) && r[1] >= 0);
        if (!ok) throw malformed('A room list is a list of [id, count]');
        return wire as [string, number][];
      },
    },
  },
  peers: {
    answer: 'peers',
    request: {
      encode: (v) => v,
      decode: (wire) => {
        const { room } = object(wire, 'A peers request');
        if (typeof room !== 'string') throw malformed('A peers request names a room');
        return { room };
      },
    },
    reply: {
      encode: (v) => batchToWire({ nodes: v }),
      decode: (wire, limits) => {
        if (!Array.isArray(wire) || wire.length > MAX_PEERS) throw malformed('A peer list is a bounded list of peer rows');
        return records(wire, limits).nodes;
      },
    },
  },
  changed: {
    answer: 'ok',
    request: {
      encode: (v) => ({
        rooms: v.rooms,
        items: [...v.items].map(([room, items]) => [room, items.map(itemToWire)]),
        records: [...v.records].map(([room, batch]) => [room, batchToWire(batch)]),
      }),
      decode: (wire) => {
        const body = object(wire, 'A changed message');
        const rooms = body.rooms;
        if (!Array.isArray(rooms) || rooms.length > MAX_CHANGED_ROOMS || !rooms.every((r) => typeof r === 'string')) throw malformed('changed lists room ids');
        const listed = body.items ?? [];
        if (!Array.isArray(listed) || listed.length > rooms.length) throw malformed('changed lists items per room');
        const items = new Map<string, RoomItem[]>();
        try {
          for (const entry of listed) {
            const [room, written] = entry as [unknown, unknown];
            if (typeof room !== 'string' || !Array.isArray(written) || written.length > MAX_LIVE_ITEMS) throw new RangeError('items of a room');
            items.set(room, written.map(itemFromWire));
          }
        } catch (error) {
          throw malformed(`Bad changed message: ${(error as Error).message}`);
        }
        const carried = body.records ?? [];
        if (!Array.isArray(carried) || carried.length > rooms.length) throw malformed('changed carries records per room');
        const records = new Map<string, Records>();
        for (const entry of carried) {
          const [room, batch] = entry as [unknown, unknown];
          if (typeof room !== 'string' || !items.has(room)) throw malformed('changed carries records only for rooms it lists items of');
          records.set(room, recordsOf(batch, MAX_LIVE_ITEMS));
        }
        return { rooms: rooms as string[], items, records };
      },
    },
    reply: nothing,
  },
  reconcile: {
    answer: 'reconciled',
    request: {
      encode: (v) => ({ room: v.room, phase: v.phase, first: v.first, size: v.size, ranges: reconcileToWire(v.ranges) }),
      decode: (wire) => {
        const body = object(wire, 'A reconcile request');
        return { ...roomPhase(body), first: body.first === true, size: typeof body.size === 'number' ? body.size : 0, ranges: ranges(body.ranges) };
      },
    },
    reply: {
      encode: (v) => ({ ranges: v.ranges ? reconcileToWire(v.ranges) : null, have: v.have, haveRanges: v.haveRanges.map((r) => [r.lower, r.upper]) }),
      decode: (wire) => {
        const body = object(wire, 'A reconcile answer');
        return { ranges: body.ranges === null ? null : ranges(body.ranges), have: keyList(body.have), haveRanges: rangeList(body.haveRanges) };
      },
    },
  },
  fetch: {
    answer: 'records',
    request: {
      encode: (v) => v,
      decode: (wire, limits) => {
        const body = object(wire, 'A fetch');
        const keys = keyList(body.keys);
        if (!keys.length || keys.length > limits.keysPerFetch) throw malformed('fetch asks for 1 to keysPerFetch keys');
        return { ...roomPhase(body), keys };
      },
    },
    reply: served,
  },
  fetchRefs: {
    answer: 'records',
    request: {
      encode: (v) => ({ room: v.room, refs: v.refs.map(refToWire) }),
      decode: (wire) => {
        const body = object(wire, 'A fetchRefs');
        if (typeof body.room !== 'string') throw malformed('fetchRefs names a room');
        if (!Array.isArray(body.refs) || body.refs.length > MAX_LIVE_ITEMS) throw malformed('fetchRefs asks for a bounded list of references');
        let refs: RecordRef[];
        try {
          refs = body.refs.map(refFromWire);
        } catch (error) {
          throw malformed((error as Error).message);
        }
        if (!refs.length) throw malformed('fetchRefs asks for at least one reference');
        return { room: body.room, refs };
      },
    },
    reply: served,
  },
  fetchRange: {
    answer: 'records',
    request: {
      encode: (v) => ({ room: v.room, phase: v.phase, lower: v.lower, upper: v.upper }),
      decode: (wire) => {
        const body = object(wire, 'A fetchRange');
        const [range] = rangeList([[body.lower, body.upper]]);
        return { ...roomPhase(body), ...range! };
      },
    },
    reply: page,
  },
  fetchAll: {
    answer: 'records',
    request: {
      encode: (v) => v,
      decode: (wire) => {
        const body = object(wire, 'A fetchAll');
        return { ...roomPhase(body), cursor: cursor(body.cursor) };
      },
    },
    reply: page,
  },
};

/**
 * Messages sent without an answer: a change notice costs one frame, not two. The sender waits
 * for nothing but the stream (which bounds what it can make the remote buffer), and sends one
 * at a time with what changed meanwhile merged into the next (see `PeerSession.notify`).
 */
export const ONE_WAY: ReadonlySet<RequestType> = new Set<RequestType>(['changed']);

export function isRequestType(type: string): type is RequestType {
  return Object.hasOwn(PROTOCOL, type);
}
