// What a live query reads, and whether a commit could change its result. Pure: tested alone.
import type { Parameters, ResolvedQuery, ResolvedQueryEntity } from '@discret/lang';

/** One entity a query reads, and the rooms it reads it in (null: any room, local data included). */
export interface Dependency {
  entity: string;
  rooms: ReadonlySet<string | null> | null;
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
      out.push({ entity: p.query.entity.fullName, rooms: null });
      nested(p.query);
    }
  };
  for (const block of query.entities) {
    out.push({ entity: block.entity.fullName, rooms: roomsOf(block, params) });
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

/** Whether a commit that touched `touched` (room -> entities) could change a query with these dependencies. */
export function wakes(dependencies: readonly Dependency[], touched: ReadonlyMap<string | null, ReadonlySet<string>>): boolean {
  for (const [room, entities] of touched) {
    for (const d of dependencies) if (entities.has(d.entity) && (d.rooms === null || d.rooms.has(room))) return true;
  }
  return false;
}
