// What a live query reads, and whether a commit could change its result. Pure: tested alone.
import type { Parameters, ResolvedQuery, ResolvedQueryEntity } from '@discret/lang';
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
}

/**
 * The entities a query reads, its nested relations' included. A top-level block filtered on
 * `room_id = value` reads its entity in that room only; anything else (nested blocks, blocks
 * without a room filter) is read in any room.
 */
export function queryDependencies(query: ResolvedQuery, params: Parameters | undefined): Dependency[] {
  const out: Dependency[] = [];
  const nested = (block: ResolvedQueryEntity): void => {
    for (const p of block.projection) {
      if (p.kind !== 'relation') continue;
      out.push({ entity: p.query.entity.fullName, rooms: null, test: null });
      nested(p.query);
    }
  };
  for (const block of query.entities) {
    out.push({ entity: block.entity.fullName, rooms: roomsOf(block, params), test: rowTest(block, params) });
    nested(block);
  }
  return out;
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

/**
 * What one commit changed, as live queries look at it: the entities per room, and the rows
 * with their values (parsed once, when a filter first asks), or null when the commit wrote too
 * many to list.
 */
export class CommitChanges {
  private readonly byEntityRoom: Map<string, ChangedRow[]> | null;
  private readonly parsed = new WeakMap<ChangedRow, { before: RowValues | null | undefined; after: RowValues | null | undefined }>();

  constructor(
    readonly touched: TouchedEntities,
    rows: readonly ChangedRow[] | null,
  ) {
    this.byEntityRoom = rows ? new Map() : null;
    for (const row of rows ?? []) {
      const key = `${row.entity}\u0000${row.room}`;
      const list = this.byEntityRoom!.get(key);
      if (list) list.push(row);
      else this.byEntityRoom!.set(key, [row]);
    }
  }

  /** The rows of `entity` written in `room`, or null when they are not known. */
  rowsOf(entity: string, room: string | null): ChangedRow[] | null {
    return this.byEntityRoom?.get(`${entity}\u0000${room}`) ?? null;
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
  for (const [room, entities] of changes.touched) {
    for (const d of dependencies) {
      if (!entities.has(d.entity) || (d.rooms !== null && !d.rooms.has(room))) continue;
      if (d.test === null) return true;
      const rows = changes.rowsOf(d.entity, room);
      if (rows === null) return true; // touched, rows not known
      for (const row of rows) {
        const { before, after } = changes.values(row);
        if (before === undefined || after === undefined) return true;
        if ((before !== null && d.test(before)) || (after !== null && d.test(after))) return true;
      }
    }
  }
  return false;
}
