import { base64url } from '@discret/crypto';
import type { EntityDef, JsonValue } from '@discret/lang';
import { StoreError } from './errors.js';
import { ALLOWED, type WriteDecision, type WriteQuestion } from './policy.js';
import type { PendingItem } from './room-items.js';
import type { WriteTransaction } from './transaction.js';
import type { ChangedDays, ChangedRow, StoreOptions, TouchedEntities, WriteOutcome } from './types.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A question as a write asks it: the effects fill in the facts they know (author and date unless given). */
export type Ask = DistributiveOmit<WriteQuestion, 'imported' | 'roomCreatedByRequest' | 'author' | 'date'> & { author?: Uint8Array; date?: number };

export const DAY = 86_400_000;

const stringFields = new WeakMap<EntityDef, string[]>();

/** Short ids of an entity's String fields, the text the full-text index holds (kept per entity). */
function stringFieldIds(entity: EntityDef): string[] {
  let ids = stringFields.get(entity);
  if (!ids) {
    ids = entity.fields.filter((f) => f.scalar === 'String').map((f) => f.shortId);
    stringFields.set(entity, ids);
  }
  return ids;
}

/** A bulk write hands the rows built so far to the database every this many rows. */
export const BULK_STEP = 256;

/** Most rows a request lists for live queries; past it, only the entities it touched are told. */
export const MAX_CHANGED_ROWS = 10_000;

/** Most records a commit reports per room for sync's live path; past it, peers reconcile. */
export const MAX_ITEMS_PER_ROOM = 256;

/**
 * What one write request does besides writing rows, in the writer's transaction: the policy's
 * decisions, the change log (days changed per room and entity), the records sync's live path
 * announces, and the full-text queue. Local mutations (write-context.ts) and imported records
 * (import.ts) both record their effects here.
 */
export class WriteEffects {
  readonly changes: ChangedDays = new Map();
  /** Records written, per room, for sync's live path (a signature is a slot until it is signed). */
  readonly items = new Map<string, PendingItem[] | null>();
  /** Entities this request writes, per room (null: local data), for live queries. */
  readonly touched: TouchedEntities = new Map();
  /** The rows this request writes, with their JSON, for live queries' filters; null past MAX_CHANGED_ROWS. */
  rows: ChangedRow[] | null = [];
  /** Whether this write queued text for the full-text index. */
  textQueued = false;
  /** The request's date: every row it writes carries it. */
  readonly now = Date.now();
  /** Who signs what this request writes (this store's user). */
  readonly author: Uint8Array;
  /** Ids (base64url) of the rows this request inserted: a room created by the request itself. */
  private readonly inserted = new Set<string>();

  constructor(
    private readonly tx: WriteTransaction,
    private readonly options: StoreOptions,
    /** What the caller judged before this request; handed to the policy with every question. */
    private readonly grant: unknown = undefined,
    /** True for records received from peers. */
    private readonly imported = false,
  ) {
    this.author = options.signingKey.publicKey;
  }

  /** What a write job hands back to the writer: `result`, and what these effects recorded. */
  outcome<T>(result: T, source?: string): WriteOutcome<T> {
    return { result, changes: this.changes, textQueued: this.textQueued, source, items: this.items, touched: this.touched, rows: this.rows };
  }

  /** Notes a row inserted by this request (a room it creates is its own to write in). */
  noteInserted(id: Uint8Array): void {
    if (this.options.policy) this.inserted.add(base64url(id));
  }

  /**
   * Asks the store's policy; throws AUTHORISATION_DENIED with its reason when refused. Every
   * row or link a request writes is asked for first, so this is also where the entities it
   * touches are noted (an allowed write that later fails fails the whole request: no commit).
   */
  ask(question: Ask): void {
    const decision = this.decide(question);
    if (!decision.allowed) throw new StoreError('AUTHORISATION_DENIED', decision.reason);
    this.touch(question.roomId, question.entity.fullName);
    if (question.kind === 'update' && question.previousRoomId !== question.roomId) this.touch(question.previousRoomId, question.entity.fullName);
    // A link says nothing of the row's values: any query on the entity may change.
    if (question.kind === 'edgeAdded' || question.kind === 'edgeRemoved') this.noteRow(question.entity, question.roomId, undefined, undefined);
  }

  /**
   * Notes a row written or deleted with its JSON before and after (null: absent), so a live
   * query whose filters exclude both versions is not re-run. A row moved to another room is
   * noted in both (it left one and entered the other).
   */
  noteRow(entity: EntityDef, roomId: Uint8Array | null, before: string | null | undefined, after: string | null | undefined, previousRoomId: Uint8Array | null = roomId): void {
    if (this.rows === null) return;
    if (this.rows.length + 2 > MAX_CHANGED_ROWS) {
      this.rows = null;
      return;
    }
    const room = roomId ? base64url(roomId) : null;
    const previous = previousRoomId === roomId ? room : previousRoomId ? base64url(previousRoomId) : null;
    if (previous === room) this.rows.push({ entity: entity.fullName, room, before, after });
    else this.rows.push({ entity: entity.fullName, room: previous, before, after: null }, { entity: entity.fullName, room, before: null, after });
  }

  private touch(roomId: Uint8Array | null, entity: string): void {
    const room = roomId ? base64url(roomId) : null;
    const entities = this.touched.get(room);
    if (entities) entities.add(entity);
    else this.touched.set(room, new Set([entity]));
  }

  /** Whether the policy allows a write (for imports that weigh a deletion against a row). */
  allows(question: Ask): boolean {
    return this.decide(question).allowed;
  }

  private decide(question: Ask): WriteDecision {
    const policy = this.options.policy;
    if (!policy) return ALLOWED;
    const room = 'roomId' in question ? question.roomId : null;
    const full = {
      author: this.author,
      date: this.now,
      ...question,
      imported: this.imported,
      roomCreatedByRequest: room !== null && this.inserted.has(base64url(room)),
    } as WriteQuestion;
    return policy.decide(full, this.grant);
  }

  /** Notes a record written in a room; past MAX_ITEMS_PER_ROOM the room's list is dropped (null: too many, reconcile). */
  recordItem(roomId: Uint8Array | null, item: PendingItem): void {
    if (!roomId) return;
    const room = base64url(roomId);
    const list = this.items.get(room);
    if (list === undefined) this.items.set(room, [item]);
    else if (list !== null) {
      if (list.length >= MAX_ITEMS_PER_ROOM) this.items.set(room, null);
      else list.push(item);
    }
  }

  private logChange(roomId: Uint8Array | null, entity: EntityDef, date: number): void {
    if (!roomId) return;
    const room = base64url(roomId);
    const entities = this.changes.get(room) ?? new Map<string, Set<number>>();
    this.changes.set(room, entities);
    const days = entities.get(entity.fullName) ?? new Set<number>();
    entities.set(entity.fullName, days);
    days.add(Math.floor(date / DAY) * DAY);
  }

  dailyLog(roomId: Uint8Array | null, entity: EntityDef, date: number): void {
    if (!roomId) return;
    this.logChange(roomId, entity, date);
    const day = Math.floor(date / DAY) * DAY;
    this.tx.queueOnce(`${base64url(roomId)}/${entity.shortId}/${day}`, 'INSERT OR IGNORE INTO _daily_log (room_id, entity, day) VALUES (?, ?, ?)', [roomId, entity.shortId, day]);
  }

  /** Removes a row's text from the full-text index, wherever it is yet. */
  forgetText(rowid: number): void {
    this.tx.queue('DELETE FROM _fts_pending WHERE id = ?', [rowid]);
    this.tx.queue('DELETE FROM _fts WHERE rowid = ?', [rowid]);
  }

  /** Queues an entity's String fields for the full-text index; returns the FTS rowid. */
  queueText(entity: EntityDef, json: Record<string, JsonValue>): number | null {
    if (!entity.fullTextIndex) return null;
    let text = '';
    for (const id of stringFieldIds(entity)) {
      const value = json[id];
      if (typeof value !== 'string') continue;
      text = text ? `${text}\n${value}` : value;
    }
    return this.queueIndexText(entity, text);
  }

  /** Queues a row's text (its String fields joined by newlines) for the full-text index; returns the FTS rowid. */
  queueIndexText(entity: EntityDef, text: string): number | null {
    if (!entity.fullTextIndex || !text) return null;
    const rowid = this.tx.ftsRowid();
    this.tx.queue('INSERT INTO _fts_pending (id, text) VALUES (?, ?)', [rowid, text]);
    this.textQueued = true;
    return rowid;
  }
}
