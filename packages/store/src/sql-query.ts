import { base64url, fromBase64url } from '@discret/crypto';
import type { FieldDef, FieldRef, JsonValue, Operand, Parameters, ResolvedFilter, ResolvedQuery, ResolvedQueryEntity, ValueRef } from '@discret/lang';
import type { SqlValue } from './driver.js';
import { fieldPath } from './schema.js';

/** How a value becomes an SQL value: ids and room ids are 16-byte blobs, booleans 1/0. */
type Conversion = 'plain' | 'id' | 'bool' | 'search' | 'json' | 'base64';
type Binder = { operand: Operand; as: Conversion };

/** One compiled query: SQL text per alias, and the ordered list of values to bind. */
export interface CompiledQuery {
  statements: { alias: string; sql: string; binders: Binder[] }[];
  /** Whether some statement uses search() (the store then indexes queued text first). */
  usesFullText: boolean;
}

const compiledCache = new WeakMap<ResolvedQuery, CompiledQuery>();

/** Compiles (once per resolved query) each aliased query to a single SQL statement. */
export function compileQuery(query: ResolvedQuery): CompiledQuery {
  let compiled = compiledCache.get(query);
  if (!compiled) {
    const statements = query.entities.map((entity) => {
      const builder = new Builder();
      return { alias: entity.alias, sql: builder.top(entity), binders: builder.binders };
    });
    compiled = { statements, usesFullText: statements.some((s) => s.binders.some((b) => b.as === 'search')) };
    compiledCache.set(query, compiled);
  }
  return compiled;
}

/** Turns binders into SQL values with the app's parameters (already checked by @discret/lang). */
export function bindValues(binders: Binder[], params: Parameters | undefined): SqlValue[] {
  return binders.map(({ operand, as }) => {
    const raw = operand.kind === 'value' ? operand.value : (params?.[operand.name] as JsonValue | Uint8Array);
    return convert(raw, as);
  });
}

function convert(value: unknown, as: Conversion): SqlValue {
  if (value === null || value === undefined) return null;
  switch (as) {
    case 'id':
      return value instanceof Uint8Array ? value : fromBase64url(String(value));
    case 'bool':
      return value ? 1 : 0;
    case 'search':
      // A phrase for the trigram tokenizer: quotes doubled, the whole text matched as typed.
      // FTS5 reads its query as C text, so a NUL would end it mid-phrase: NULs are left out.
      return `"${String(value).replace(/\0/g, '').replace(/"/g, '""')}"`;
    case 'json':
      return JSON.stringify(value);
    case 'base64':
      return value instanceof Uint8Array ? base64url(value) : String(value);
    case 'plain':
      if (typeof value === 'boolean') return value ? 1 : 0;
      return value as SqlValue;
  }
}

class Builder {
  readonly binders: Binder[] = [];
  private next = 0;

  private bind(operand: Operand, as: Conversion): string {
    this.binders.push({ operand, as });
    return '?';
  }
  /** A row count: inlined when it is a literal integer (validated by @discret/lang), bound otherwise. */
  private count(operand: Operand): string {
    if (operand.kind === 'value' && Number.isSafeInteger(operand.value)) return String(operand.value);
    return this.bind(operand, 'plain');
  }
  private value(value: JsonValue, as: Conversion = 'plain'): string {
    return this.bind({ kind: 'value', value }, as);
  }

  top(q: ResolvedQueryEntity): string {
    const n = `n${this.next++}`;
    const select = this.rowJson(q, n);
    const where = this.where(q, n, [`${n}._entity = '${q.entity.shortId}'`]);
    return `SELECT ${select} AS r FROM _node ${n} WHERE ${where}${this.tail(q, n)}`;
  }

  /** The JSON object of one row, in projection order. */
  private rowJson(q: ResolvedQueryEntity, n: string): string {
    const parts: string[] = [];
    for (const p of q.projection) {
      const key = `'${p.alias.replace(/'/g, "''")}'`;
      switch (p.kind) {
        case 'field':
          parts.push(key, this.jsonExpr(p.field, n));
          break;
        case 'json':
          parts.push(key, `${n}._json -> ${fieldPath(p.field.shortId, p.path)}`);
          break;
        case 'aggregate':
          // Built afresh for each use: a field's default is a bound parameter, one per occurrence.
          parts.push(key, p.fn === 'count' ? 'count(*)' : exactNumber(() => `${p.fn}(${this.sqlExpr(p.field!, n)})`));
          break;
        case 'relation':
          parts.push(key, this.relation(p.query, n));
          break;
      }
    }
    return `json_object(${parts.join(', ')})`;
  }

  /** A nested relation block as a JSON value: an object (or null) or an array. */
  private relation(q: ResolvedQueryEntity, parent: string): string {
    const n = `n${this.next++}`;
    const e = `e${n.slice(1)}`;
    const select = this.rowJson(q, n);
    const from = this.relationFrom(q, parent, n, e);
    if (q.relation!.kind === 'entity' && !q.aggregate) {
      return `json((SELECT ${select} FROM ${from}${this.tail(q, n, 1)}))`;
    }
    return `(SELECT json_group_array(json(r)) FROM (SELECT ${select} AS r FROM ${from}${this.tail(q, n)}))`;
  }

  private relationFrom(q: ResolvedQueryEntity, parent: string, n: string, e: string): string {
    const relation = q.relation!;
    if (relation.virtual) {
      // sys_peer: the sys.Peer row signed by the same key; sys_room: the row's room.
      const join = relation.virtual === 'peer' ? `${n}.verifying_key = ${parent}.verifying_key` : `${n}.id = ${parent}.room_id`;
      return `_node ${n} WHERE ${this.where(q, n, [`${n}._entity = '${q.entity.shortId}'`, join])}`;
    }
    const on = [
      `${e}.src = ${parent}.id`,
      `${e}.label = '${relation.shortId}'`,
      `${n}._entity = '${q.entity.shortId}'`,
    ];
    return `_edge ${e} JOIN _node ${n} ON ${n}.id = ${e}.dest WHERE ${this.where(q, n, on)}`;
  }

  private where(q: ResolvedQueryEntity, n: string, conditions: string[]): string {
    for (const filter of q.filters) if (filter.kind !== 'aggregate') conditions.push(this.filter(filter, q, n));
    // Nested blocks are inner joins: a parent without a matching child is dropped, unless
    // the relation is nullable in the data model or its alias is listed in nullable(...).
    for (const p of q.projection) {
      if (p.kind !== 'relation' || q.nullable.has(p.alias) || p.query.relation!.nullable || p.query.aggregate) continue;
      conditions.push(this.exists(p.query, n));
    }
    if (q.search) {
      // An entity declared no_full_text_index has no text indexed: search() finds nothing.
      conditions.push(q.entity.fullTextIndex ? `${n}._fts IN (SELECT rowid FROM _fts WHERE _fts MATCH ${this.bind(q.search, 'search')})` : '0');
    }
    const page = q.after ?? q.before;
    if (page && !q.aggregate) conditions.push(this.keyset(q, n, page, q.after !== undefined));
    return allOf(conditions);
  }

  /** On grouped results: filters on aggregate aliases and before/after, applied to the groups. */
  private having(q: ResolvedQueryEntity, n: string): string {
    const conditions: string[] = [];
    for (const f of q.filters) {
      if (f.kind === 'aggregate') conditions.push(`${this.valueExpr(f.value, n)} ${f.operator} ${this.bind(f.operand, 'plain')}`);
    }
    const page = q.after ?? q.before;
    if (page) conditions.push(this.keyset(q, n, page, q.after !== undefined));
    return conditions.length ? ` HAVING ${allOf(conditions)}` : '';
  }

  private exists(q: ResolvedQueryEntity, parent: string): string {
    const n = `n${this.next++}`;
    const e = `e${n.slice(1)}`;
    return `EXISTS (SELECT 1 FROM ${this.relationFrom(q, parent, n, e)})`;
  }

  private filter(f: ResolvedFilter, q: ResolvedQueryEntity, n: string): string {
    switch (f.kind) {
      case 'relationNull': {
        const nested = q.projection.find((p) => p.kind === 'relation' && p.alias === f.alias);
        const test = nested?.kind === 'relation' ? this.exists(nested.query, n) : this.anyEdge(f.field, n);
        return f.negated ? test : `NOT ${test}`;
      }
      case 'aggregate':
        throw new Error('aggregate filters belong to HAVING');
      case 'null': {
        const expr = f.jsonPath ? `${n}._json ->> ${fieldPath((f.field as { field: { shortId: string } }).field.shortId, f.jsonPath)}` : this.sqlExpr(f.field, n);
        return `${expr} IS ${f.negated ? 'NOT ' : ''}NULL`;
      }
      case 'compare': {
        if (f.jsonPath) {
          const path = fieldPath((f.field as { field: { shortId: string } }).field.shortId, f.jsonPath);
          return `${n}._json ->> ${path} ${f.operator} ${this.bind(f.operand, 'plain')}`;
        }
        return `${this.sqlExpr(f.field, n)} ${f.operator} ${this.bind(f.operand, conversionOf(f.field))}`;
      }
    }
  }

  /** Whether the row has the relation at all (a filter on a relation that is not selected; never a virtual one). */
  private anyEdge(field: FieldDef, n: string): string {
    return `EXISTS (SELECT 1 FROM _edge x JOIN _node y ON y.id = x.dest WHERE x.src = ${n}.id AND x.label = '${field.shortId}')`;
  }

  /**
   * Keyset pagination: rows strictly after (or before) the given values in the sort order.
   * With fewer values than order_by fields, only the leading fields are compared.
   */
  private keyset(q: ResolvedQueryEntity, n: string, values: Operand[], after: boolean): string {
    const ors: string[] = [];
    for (let i = 0; i < values.length; i++) {
      const ands: string[] = [];
      for (let j = 0; j < i; j++) {
        const o = q.orderBy[j]!;
        ands.push(`${this.valueExpr(o.field, n)} = ${this.bind(values[j]!, conversionOf(o.field))}`);
      }
      const o = q.orderBy[i]!;
      const forward = (o.direction === 'asc') === after;
      ands.push(`${this.valueExpr(o.field, n)} ${forward ? '>' : '<'} ${this.bind(values[i]!, conversionOf(o.field))}`);
      ors.push(`(${ands.join(' AND ')})`);
    }
    return `(${ors.join(' OR ')})`;
  }

  private tail(q: ResolvedQueryEntity, n: string, forcedLimit?: number): string {
    let sql = '';
    if (q.aggregate) {
      const groups = q.projection.filter((p) => p.kind === 'field').map((p) => this.sqlExpr((p as { field: FieldRef }).field, n));
      if (groups.length) sql += ` GROUP BY ${groups.join(', ')}`;
      sql += this.having(q, n);
    }
    const order = q.orderBy.map((o) => `${this.valueExpr(o.field, n)} ${o.direction.toUpperCase()}`);
    if (order.length) sql += ` ORDER BY ${order.join(', ')}`;
    if (forcedLimit !== undefined) sql += ` LIMIT ${forcedLimit}`;
    else if (q.first || q.skip) {
      // A literal count goes into the SQL text: with `LIMIT ?` SQLite plans for an unknown
      // count, measured 40% slower on the paged query of the benchmark.
      sql += ` LIMIT ${q.first ? this.count(q.first) : '-1'}`;
      if (q.skip) sql += ` OFFSET ${this.count(q.skip)}`;
    }
    return sql;
  }

  /** A field, a JSON selector or an aggregate as an SQL value (for sorting and paging). */
  private valueExpr(ref: ValueRef, n: string): string {
    if (ref.kind === 'json') return `${n}._json ->> ${fieldPath(ref.field.shortId, ref.path)}`;
    if (ref.kind === 'aggregate') return ref.fn === 'count' ? 'count(*)' : `${ref.fn}(${this.sqlExpr(ref.field!, n)})`;
    return this.sqlExpr(ref, n);
  }

  /** A field as an SQL value (for filters, sorting, grouping, aggregates). */
  private sqlExpr(ref: FieldRef, n: string): string {
    if (ref.kind === 'system') return ref.name === '_json' ? `${n}._json` : `${n}.${ref.name}`;
    const expr = `${n}._json ->> ${fieldPath(ref.field.shortId)}`;
    if (ref.field.default === undefined) return expr;
    return `coalesce(${expr}, ${this.value(ref.field.default, ref.field.scalar === 'Boolean' ? 'bool' : 'plain')})`;
  }

  /** A field as a JSON value (for the result). */
  private jsonExpr(ref: FieldRef, n: string): string {
    if (ref.kind === 'system') {
      switch (ref.name) {
        case 'cdate':
        case 'mdate':
        case '_entity':
          return `${n}.${ref.name}`;
        case '_json':
          return `json(${n}._json)`;
        default:
          return `b64u(${n}.${ref.name})`;
      }
    }
    const expr = `${n}._json -> ${fieldPath(ref.field.shortId)}`;
    if (ref.field.default === undefined) return expr;
    return `coalesce(${expr}, json(${this.value(ref.field.default, 'json')}))`;
  }
}

/**
 * An aggregate's value for the result JSON. SQLite writes a REAL into JSON with 15 significant
 * digits when its own check says they read back to the same number, and the browser's
 * WebAssembly build passes that check where it should not: there, 0.1 + 0.2 came out as 0.3 and
 * 220 / 3 lost its last digit, while Node's build wrote 0.30000000000000004. A finite REAL is
 * written here with 17 digits, which always read back exactly; integers, text, null and the
 * infinities are left to SQLite. `expr` is called once per occurrence, left to right, so that
 * the parameters it binds are bound for each.
 */
function exactNumber(expr: () => string): string {
  return `CASE WHEN typeof(${expr()}) = 'real' AND abs(${expr()}) < 9e999 THEN json(printf('%!.17g', ${expr()})) ELSE ${expr()} END`;
}

const BLOB_SYSTEM_FIELDS = new Set(['id', 'room_id', 'verifying_key', '_binary', '_signature']);

function conversionOf(ref: ValueRef): Conversion {
  if (ref.kind === 'json' || ref.kind === 'aggregate') return 'plain';
  if (ref.kind === 'system') return BLOB_SYSTEM_FIELDS.has(ref.name) ? 'id' : 'plain';
  if (ref.field.scalar === 'Boolean') return 'bool';
  if (ref.field.scalar === 'Base64') return 'base64';
  return 'plain';
}

/**
 * The conjunction of `conditions` as a balanced tree of ANDs: SQLite parses `a AND b AND c ...`
 * into a chain as deep as it is long, and refuses expression trees deeper than 1,000; balanced,
 * 500 filters add 9 levels instead of 500.
 */
export function allOf(conditions: string[]): string {
  if (conditions.length <= 4) return conditions.join(' AND ');
  const half = conditions.length >> 1;
  return `(${allOf(conditions.slice(0, half))}) AND (${allOf(conditions.slice(half))})`;
}
