// Structural sharing between two results of the same query: the parts of `next` equal to the
// parts of `previous` are `previous`'s own objects, so a UI library that compares by identity
// (React's memo, Vue, Svelte) re-renders only the rows that changed. Pure: tested alone.

/** `next`, with every part equal to the matching part of `previous` replaced by it; `previous` itself when all is equal. */
export function share<T>(previous: unknown, next: T): T {
  if (previous === next) return next;
  if (Array.isArray(next)) return Array.isArray(previous) ? (shareArray(previous, next) as T) : next;
  if (isPlainObject(next)) return isPlainObject(previous) ? (shareObject(previous, next) as T) : next;
  return next; // a scalar that differs
}

function shareArray(previous: unknown[], next: unknown[]): unknown[] {
  // Rows are matched by id when they have one (a row moved by a new sort order keeps its
  // object), else by position.
  const byId = new Map<unknown, unknown>();
  for (const item of previous) if (isPlainObject(item) && 'id' in item) byId.set(item.id, item);
  let same = previous.length === next.length;
  const out = next.map((item, i) => {
    const match = isPlainObject(item) && 'id' in item && byId.has(item.id) ? byId.get(item.id) : previous[i];
    const shared = share(match, item);
    if (shared !== previous[i]) same = false;
    return shared;
  });
  return same ? previous : out;
}

function shareObject(previous: Record<string, unknown>, next: Record<string, unknown>): Record<string, unknown> {
  const keys = Object.keys(next);
  let same = keys.length === Object.keys(previous).length;
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const shared = key in previous ? share(previous[key], next[key]) : next[key];
    if (shared !== previous[key] || !(key in previous)) same = false;
    out[key] = shared;
  }
  return same ? previous : out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
