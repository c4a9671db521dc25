import { SyncError } from './errors.js';
import type { SyncPhase } from './host.js';
import { batchWithin, keysOfBatch, keyText } from './items.js';
import type { KeyRange, Records } from './protocol.js';
import { MAX_PAGES } from './protocol-limits.js';
import { compareKeys } from './reconcile.js';
import type { Requester } from './requester.js';

/** Hands a fetched batch on (to the import); the next batch is asked for before it is awaited. */
export type Take = (batch: Records) => Promise<void>;

/**
 * The loop all three fetches share: the next request goes out before the current batch is
 * taken, so the remote reads and sends while we verify and write (one request ahead, never
 * more). `step` checks an answer against what was asked and says what to ask next (null: done).
 */
async function pipelined<A, R>(first: A, ask: (arg: A) => Promise<R>, step: (reply: R, arg: A) => { batch: Records; next: A | null }, take: Take): Promise<void> {
  const send = (arg: A) => {
    const answer = ask(arg);
    answer.catch(() => {}); // awaited below; a failure while we import is not unhandled
    return { arg, answer };
  };
  let pending: { arg: A; answer: Promise<R> } | null = send(first);
  while (pending) {
    const { batch, next } = step(await pending.answer, pending.arg);
    pending = next === null ? null : send(next);
    await take(batch);
  }
}

/** The records of `keys` (sorted), `keysPerFetch` at a time; an answer may serve fewer (its byte budget). */
export async function fetchKeys(requester: Requester, room: string, phase: SyncPhase, keys: Uint8Array[], keysPerFetch: number, take: Take): Promise<void> {
  if (!keys.length) return;
  const asked = (offset: number) => keys.slice(offset, offset + keysPerFetch);
  await pipelined(0, (offset) => requester.request('fetch', { room, phase, keys: asked(offset) }), (reply, offset) => {
    const wanted = asked(offset);
    if (reply.served < 1 || reply.served > wanted.length) throw new SyncError('PROTOCOL', 'A records answer says how many keys it served');
    const allowed = new Set(wanted.slice(0, reply.served).map(keyText));
    if (!keysOfBatch(reply.records).every((k) => allowed.has(keyText(k)))) throw new SyncError('INVALID_DATA', 'Records that were not asked for');
    const next = offset + reply.served;
    return { batch: reply.records, next: next < keys.length ? next : null };
  }, take);
}

/** The records of one key range, page by page from its lower bound. */
export async function fetchRange(requester: Requester, room: string, phase: SyncPhase, range: KeyRange, take: Take): Promise<void> {
  await pipelined(range.lower, (lower) => requester.request('fetchRange', { room, phase, lower, upper: range.upper }), (reply, lower) => {
    if (!batchWithin(reply.records, lower, range.upper)) throw new SyncError('INVALID_DATA', 'Records outside the range asked for');
    if (reply.next !== null && compareKeys(reply.next, lower) <= 0) throw new SyncError('PROTOCOL', 'A range answer moves forward');
    return { batch: reply.records, next: reply.next };
  }, take);
}

/** A whole room phase, for a side that holds none of it: pages straight from the remote's database. */
export async function fetchAll(requester: Requester, room: string, phase: SyncPhase, take: Take): Promise<void> {
  let pages = 0;
  await pipelined<{ cursor: Uint8Array | null }, { records: Records; next: Uint8Array | null }>(
    { cursor: null },
    ({ cursor }) => requester.request('fetchAll', { room, phase, cursor }),
    (reply) => {
      if (++pages > MAX_PAGES) throw new SyncError('PROTOCOL', `A room of more than ${MAX_PAGES} pages`);
      if (reply.next !== null && !batchSize(reply.records)) throw new SyncError('PROTOCOL', 'A page answer moves forward');
      return { batch: reply.records, next: reply.next === null ? null : { cursor: reply.next } };
    },
    take,
  );
}

export const RECORD_PARTS = ['nodes', 'edges', 'nodeDeletions', 'edgeDeletions'] as const;

export function batchSize(batch: Records): number {
  return RECORD_PARTS.reduce((n, part) => n + batch[part].length, 0);
}
