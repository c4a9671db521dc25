// Test-only raw SQL access to a store's file: the store itself exposes no SQL (its public
// surface is the language), so tests that look at tables open their own read-only connection.
import type { RecordBatch, RecordPage, Row, SqlValue, Store, StoreDriver } from '@discret/store';

interface Where { path: string; driver: StoreDriver; key: Uint8Array }
const files = new WeakMap<object, Where>();

/** Remembers where a store's file is, so `rawRows` can read it. Returns the store. */
export function remember<S extends object>(store: S, where: Where): S {
  files.set(store, where);
  return store;
}

/** Rows of a SQL query on the store's file, through a read-only connection of its driver. */
export async function rawRows(store: object, sql: string, params: SqlValue[] = []): Promise<Row[]> {
  const where = files.get(store);
  if (!where) throw new Error('rawRows: store opened without remember()');
  const conn = await where.driver.open({ path: where.path, key: where.key, readonly: true });
  try {
    return await conn.all(sql, params);
  } finally {
    await conn.close();
  }
}

/** Every signed record of a room, as sync pages would give them: the whole room in one batch. */
export async function exportRoom(store: Store, roomId: Uint8Array): Promise<Required<RecordBatch>> {
  const all: Required<RecordBatch> = { nodes: [], edges: [], nodeDeletions: [], edgeDeletions: [] };
  let cursor: Uint8Array | null = null;
  // Bounded: each page holds at least one record, and a test room has few.
  for (let pages = 0; pages < 10_000; pages++) {
    const page: RecordPage = await store.readPage(roomId, { entities: [], include: false }, cursor, 1 << 20, () => 1);
    all.nodes.push(...page.batch.nodes);
    all.edges.push(...page.batch.edges);
    all.nodeDeletions.push(...page.batch.nodeDeletions);
    all.edgeDeletions.push(...page.batch.edgeDeletions);
    cursor = page.next;
    if (!cursor) return all;
  }
  throw new Error('exportRoom: too many pages');
}
