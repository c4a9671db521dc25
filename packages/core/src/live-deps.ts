// What a live query reads, and whether a commit could change its result. Pure: tested alone.
import type { Parameters, ResolvedQuery, ResolvedQueryEntity, ValueRef } from '@discret/lang';
import type { ChangedRow, TouchedEntities } from '@discret/store';
import { type RowTest, type RowValues, rowTest } from './live-filters.js';

/**
 * One entity a query reads, the rooms it reads it in (null: any room, local data included),
 * and the test its filters put on a row's values (null: every row counts).
 */
export interface Dependency {
  entity: string;
  rooms: ReadonlySet<string | null> | null;
  test: RowTest | null;
  /**
   * The user fields (short ids) the block reads: an update that changes none of them leaves its
   * result as it was. null when it reads what an update always changes or what cannot be
   * compared here (mdate, the author, the whole JSON, full-text search).
   */
  fields: ReadonlySet<string> | null;
}

/**
 * The entities a query reads, its nested relations' included, each with the test of its block's
 * filters. A top-level block filtered on `room_id = value` reads its entity in that room only;
 * anything else (nested blocks, blocks without a room filter) is read in any room.
 */
export function queryDependencies(query: ResolvedQuery, params: Parameters | undefined): Dependency[] {
  const out: Dependency[] = [];
  const nested = (block: ResolvedQueryEntity): void => {
    for (const p of block.projection) {
      if (p.kind !== 'relation') continue;
      // Read in any room (a link may lead anywhere); its own filters still say which rows it shows.
      out.push({ entity: p.query.entity.fullName, rooms: null, test: rowTest(p.query, params), fields: fieldsRead(p.query) });
      nested(p.query);
    }
  };
  for (const block of query.entities) {
    out.push({ entity: block.entity.fullName, rooms: roomsOf(block, params), test: rowTest(block, params), fields: fieldsRead(block) });
    nested(block);
  }
  return out;
}

/** System fields an update never changes (a room change is seen as a row leaving one room and entering another). */
const STABLE_SYSTEM_FIELDS = new Set(['id', 'room_id', 'cdate', '_entity']);

/** The user fields a block reads (projection, filters, order), or null (see Dependency.fields). */
function fieldsRead(block: ResolvedQueryEntity): Set<string> | null {
  if (block.search) return null;
  const fields = new Set<string>();
  const add = (ref: ValueRef | undefined): boolean => {
    if (!ref) return true; // count(): reads no field
    if (ref.kind === 'aggregate') return add(ref.field);
    if (ref.kind === 'system') return STABLE_SYSTEM_FIELDS.has(ref.name);
    fields.add(ref.field.shortId);
    return true;
  };
  for (const p of block.projection) {
    if (p.kind === 'relation') continue; // links: an update of this row does not change them
    if (!add(p.kind === 'field' ? p.field : p.kind === 'json' ? { kind: 'json', field: p.field, path: p.path } : { kind: 'aggregate', fn: p.fn, field: p.field })) return null;
  }
  for (const f of block.filters) {
    if (f.kind === 'relationNull') continue;
    if (!add(f.kind === 'aggregate' ? f.value : f.field)) return null;
  }
  for (const o of block.orderBy) if (!add(o.field)) return null;
  return fields;
}

/** Whether an update kept every field in `fields` as it was. */
function sameFields(fields: ReadonlySet<string>, before: RowValues, after: RowValues): boolean {
  for (const id of fields) if (JSON.stringify(before[id]) !== JSON.stringify(after[id])) return false;
  return true;
}

/** The room a block is pinned to by `room_id = ...`, or null when it reads any room. */
function roomsOf(block: ResolvedQueryEntity, params: Parameters | undefined): Set<string | null> | null {
  for (const filter of block.filters) {
    if (filter.kind === 'null' && filter.field.kind === 'system' && filter.field.name === 'room_id' && !filter.negated && !filter.jsonPath) return new Set([null]);
    if (filter.kind !== 'compare' || filter.field.kind !== 'system' || filter.field.name !== 'room_id' || filter.operator !== '=' || filter.jsonPath) continue;
    const value = filter.operand.kind === 'value' ? filter.operand.value : params?.[filter.operand.name];
    if (typeof value === 'string') return new Set([value]);
  }
  return null;
}

/** One room a commit touched: its entities, and the rows written per entity (null: not listed). */
interface TouchedRoom {
  room: string | null;
  entities: ReadonlySet<string>;
  rows: Map<string, ChangedRow[]> | null;
}

/**
 * What one commit changed, as live queries look at it: the entities per room, and the rows
 * with their values (parsed once, when a filter first asks), or null when the commit wrote too
 * many to list. Built once per commit and read by every live query, so reading it allocates
 * nothing (with a thousand live queries, a key string and a map entry per query and commit
 * were a quarter of a megabyte of garbage per write).
 */
export class CommitChanges {
  /** The rooms touched, as a list (a map's iterator is an object per reader). */
  readonly rooms: readonly TouchedRoom[];
  private readonly parsed = new WeakMap<ChangedRow, { before: RowValues | null | undefined; after: RowValues | null | undefined }>();

  constructor(
    readonly touched: TouchedEntities,
    rows: readonly ChangedRow[] | null,
  ) {
    const byRoom = new Map<string | null, TouchedRoom>();
    for (const [room, entities] of touched) byRoom.set(room, { room, entities, rows: rows ? new Map() : null });
    for (const row of rows ?? []) {
      const rowsOfRoom = byRoom.get(row.room)?.rows;
      if (!rowsOfRoom) continue; // not among the touched rooms: no query looks for it
      const list = rowsOfRoom.get(row.entity);
      if (list) list.push(row);
      else rowsOfRoom.set(row.entity, [row]);
    }
    this.rooms = [...byRoom.values()];
  }

  values(row: ChangedRow): { before: RowValues | null | undefined; after: RowValues | null | undefined } {
    let parsed = this.parsed.get(row);
    if (!parsed) {
      parsed = { before: parse(row.before), after: parse(row.after) };
      this.parsed.set(row, parsed);
    }
    return parsed;
  }
}

function parse(text: string | null | undefined): RowValues | null | undefined {
  if (text === null || text === undefined) return text;
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as RowValues) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a commit could change a query with these dependencies: it touched an entity the query
 * reads, in a room it reads, and (when the commit listed its rows and the query filters on
 * values) a version of a written row, before or after, passes the filters.
 */
export function wakes(dependencies: readonly Dependency[], changes: CommitChanges): boolean {
  const touched = changes.rooms;
  // Indexed loops: this runs for every live query on every commit.
  for (let r = 0; r < touched.length; r++) {
    const { room, entities, rows: rowsByEntity } = touched[r]!;
    for (let i = 0; i < dependencies.length; i++) {
      const d = dependencies[i]!;
      if (!entities.has(d.entity) || (d.rooms !== null && !d.rooms.has(room))) continue;
      if (d.test === null && d.fields === null) return true;
      // Touched, but its rows not known (too many listed, or written without a row of its own).
      const rows = rowsByEntity?.get(d.entity);
      if (rows === undefined) return true;
      for (let j = 0; j < rows.length; j++) {
        const row = rows[j]!;
        const { before, after } = changes.values(row);
        if (before === undefined || after === undefined) return true;
        // An update that left every field the query reads as it was changes nothing it shows.
        if (before !== null && after !== null && d.fields !== null && sameFields(d.fields, before, after)) continue;
        if (d.test === null || (before !== null && d.test(before)) || (after !== null && d.test(after))) return true;
      }
    }
  }
  return false;
}
