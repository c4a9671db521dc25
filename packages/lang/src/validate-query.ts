import type { ComparisonOperator, ProjectionNode, QueryEntityNode, QueryNode, ScalarType, ValueNode } from './ast.js';
import { SYSTEM_FIELDS, type DataModel, type EntityDef, type FieldDef, type SystemFieldName } from './data-model.js';
import { LanguageError, type Position } from './errors.js';
import { LIMITS, parseQuery } from './parse.js';
import type { FieldRef, ResolvedFilter, ResolvedProjection, ResolvedQuery, ResolvedQueryEntity, ValueRef } from './resolved.js';
import { literalFor, ParameterSet, type Operand, type ParameterType } from './values.js';


export function lookupField(entity: EntityDef, name: string, pos: Position): FieldRef {
  const field = entity.fieldsByName.get(name);
  if (field) return { kind: 'user', field };
  if (name in SYSTEM_FIELDS) return { kind: 'system', name: name as SystemFieldName };
  throw new LanguageError('UNKNOWN_FIELD', `Unknown field '${name}' in '${entity.fullName}'`, pos);
}

export function refType(ref: FieldRef): ScalarType | 'Id' | 'relation' {
  if (ref.kind === 'system') return SYSTEM_FIELDS[ref.name] as ScalarType | 'Id';
  return ref.field.kind === 'scalar' ? ref.field.scalar! : 'relation';
}

function refName(ref: FieldRef): string {
  return ref.kind === 'system' ? ref.name : ref.field.name;
}

/** Turns a literal or `$param` into an operand of the given type, recording the parameter. */
export function operandFor(
  value: ValueNode,
  type: ScalarType | 'Id' | 'Scalar',
  what: string,
  params: ParameterSet,
  nullable = false,
): Operand {
  if (value.kind === 'variable') {
    params.add(value.name, type as ParameterType, nullable, value.pos);
    return { kind: 'parameter', name: value.name };
  }
  if (type === 'Scalar') {
    if (value.kind === 'null') return { kind: 'value', value: null };
    return { kind: 'value', value: value.value };
  }
  if (type === 'Id') {
    if (value.kind !== 'string') throw new LanguageError('TYPE_MISMATCH', `${what} is an id (a base64url string)`, value.pos);
    return { kind: 'value', value: literalFor('Base64', value, what) };
  }
  return { kind: 'value', value: literalFor(type, value, what) };
}

/**
 * Validates a query against a data model and returns the resolved form the store compiles
 * to SQL. Accepts the text (cached per model) or an already parsed tree.
 *
 * @example
 * const model = DataModel.parse('shop { Item { name: String, price: Integer } }');
 * const q = validateQuery(model, 'query { cheap: shop.Item(price < 5, order_by(name asc)) { name } }');
 */
export function validateQuery(model: DataModel, query: string | QueryNode): ResolvedQuery {
  const key = typeof query === 'string' ? `q:${query}` : undefined;
  if (key !== undefined) {
    const cached = model.cache.get(key);
    if (cached) return cached as ResolvedQuery;
  }
  // Anything but a tree of the right kind goes to the parser, which refuses what is not text.
  const ast = isNode(query, 'query') ? query : parseQuery(query as string);
  checkQuerySize(ast.entities);
  const params = new ParameterSet();
  const aliases = new Set<string>();
  const entities = ast.entities.map((node) => {
    const entity = model.entity(node.name, node.pos);
    if (node.alias !== undefined) {
      checkAliasName(node.alias, node.pos);
      if (model.findEntity(node.alias)) {
        throw new LanguageError('INVALID_QUERY', `Alias '${node.alias}' is the name of an entity of the data model`, node.pos);
      }
    }
    const resolved = resolveEntity(model, node, entity, undefined, params);
    if (aliases.has(resolved.alias)) throw new LanguageError('INVALID_QUERY', `Alias '${resolved.alias}' is used twice`, node.pos);
    aliases.add(resolved.alias);
    return resolved;
  });
  const result: ResolvedQuery = { kind: 'query', entities, parameters: params.uses };
  if (key !== undefined) remember(model, key, result);
  return result;
}

/**
 * Refuses a query beyond `LIMITS.filters` (all blocks together; at the first filter past the
 * limit) or `LIMITS.relationDepth` (at the first block too deep). Each nested block is a level
 * of subqueries in the SQL, and SQLite refuses expression trees deeper than 1,000: it would
 * refuse such a query anyway, less clearly.
 */
function checkQuerySize(entities: QueryEntityNode[]): void {
  let count = 0;
  const visit = (node: QueryEntityNode, depth: number): void => {
    if (depth > LIMITS.relationDepth) {
      throw new LanguageError('TOO_COMPLEX', `Relations nest more than ${LIMITS.relationDepth} levels deep here; the limit is ${LIMITS.relationDepth}`, node.pos);
    }
    for (const param of node.params) {
      if (param.kind === 'filter' && ++count > LIMITS.filters) {
        throw new LanguageError('TOO_COMPLEX', `The query has more than ${LIMITS.filters} filters; the limit is ${LIMITS.filters}`, param.pos);
      }
    }
    for (const field of node.fields) if (field.kind === 'entity') visit(field.entity, depth + 1);
  };
  for (const entity of entities) visit(entity, 0);
}

/** Names starting with `_` are kept for system fields, in results as in the data model. */
function checkAliasName(alias: string, pos: Position): void {
  if (alias.startsWith('_')) throw new LanguageError('INVALID_QUERY', `Alias '${alias}' starts with '_', which is kept for system fields`, pos);
}

/** A renamed field or relation may not take the name of another field of its entity. */
function checkFieldAlias(entity: EntityDef, alias: string | undefined, pos: Position): void {
  if (alias === undefined) return;
  checkAliasName(alias, pos);
  if (entity.fieldsByName.has(alias) || alias in SYSTEM_FIELDS || VIRTUAL_RELATIONS[alias] !== undefined) {
    throw new LanguageError('INVALID_QUERY', `Alias '${alias}' is the name of a field of '${entity.fullName}'`, pos);
  }
}

/** The virtual relations of every entity, present when the data model has the `sys` namespace. */
const VIRTUAL_RELATIONS: Record<string, { target: string; virtual: 'peer' | 'room' }> = {
  sys_peer: { target: 'sys.Peer', virtual: 'peer' },
  sys_room: { target: 'sys.Room', virtual: 'room' },
};
const virtualFields = new WeakMap<DataModel, Map<string, FieldDef>>();

function virtualRelation(model: DataModel, name: string, pos: Position): FieldDef | undefined {
  const spec = VIRTUAL_RELATIONS[name];
  if (!spec || !model.findEntity(spec.target)) return undefined;
  let fields = virtualFields.get(model);
  if (!fields) {
    fields = new Map();
    virtualFields.set(model, fields);
  }
  let field = fields.get(name);
  if (!field) {
    field = { name, shortId: name, kind: 'entity', target: spec.target, nullable: false, deprecated: false, virtual: spec.virtual, pos };
    fields.set(name, field);
  }
  return field;
}

/** True when `value` is an already parsed tree of that kind (the validators take text or trees). */
export function isNode<K extends string>(value: unknown, kind: K): value is { kind: K } {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind;
}

export function remember(model: DataModel, key: string, value: object): void {
  model.cache.set(key, value);
}

function resolveEntity(
  model: DataModel,
  node: QueryEntityNode,
  entity: EntityDef,
  relation: FieldDef | undefined,
  params: ParameterSet,
): ResolvedQueryEntity {
  const resolved: ResolvedQueryEntity = {
    alias: node.alias ?? node.name,
    entity,
    relation,
    projection: [],
    filters: [],
    orderBy: [],
    nullable: new Set(),
    aggregate: node.fields.some((f) => f.kind === 'function'),
    pos: node.pos,
  };
  const seen = new Set<string>();
  for (const item of node.fields) {
    const projection = resolveProjection(model, entity, item, params);
    if (seen.has(projection.alias)) throw new LanguageError('INVALID_QUERY', `'${projection.alias}' is selected twice`, item.pos);
    seen.add(projection.alias);
    if (resolved.aggregate && projection.kind === 'relation') {
      throw new LanguageError('INVALID_QUERY', `Relation '${projection.alias}' cannot be selected beside aggregate functions`, item.pos);
    }
    resolved.projection.push(projection);
  }
  for (const param of node.params) {
    switch (param.kind) {
      case 'nullable':
        for (const f of param.fields) resolved.nullable.add(nullableRelation(resolved, f.name, f.pos));
        break;
      case 'filter':
        resolved.filters.push(resolveFilter(resolved, param.field, param.jsonPath, param.operator, param.value, param.pos, params));
        break;
      case 'orderBy':
        if (resolved.orderBy.length) throw new LanguageError('INVALID_QUERY', 'order_by is given twice', param.pos);
        for (const f of param.fields) resolved.orderBy.push({ field: sortKey(resolved, f.name, f.pos), direction: f.direction });
        break;
      case 'first':
      case 'skip':
        if (resolved[param.kind]) throw new LanguageError('INVALID_QUERY', `${param.kind} is given twice`, param.pos);
        resolved[param.kind] = operandFor(param.value, 'Integer', param.kind, params);
        break;
      case 'search':
        // On an entity declared no_full_text_index, search() finds nothing (as upstream).
        resolved.search = operandFor(param.value, 'String', 'search()', params);
        break;
      case 'before':
      case 'after':
        if (resolved.before || resolved.after) throw new LanguageError('INVALID_QUERY', 'Only one of before(...) and after(...) may be given', param.pos);
        resolved[param.kind] = []; // typed below, once order_by is known
        break;
    }
  }
  // before/after need the order_by fields to type their values.
  for (const param of node.params) {
    if (param.kind !== 'before' && param.kind !== 'after') continue;
    if (resolved.search) {
      throw new LanguageError('INVALID_QUERY', `${param.kind}(...) cannot be used with search(): page search results with first and skip`, param.pos);
    }
    if (param.values.length > resolved.orderBy.length) {
      throw new LanguageError(
        'INVALID_QUERY',
        `${param.kind}(...) has ${param.values.length} value(s) but order_by has ${resolved.orderBy.length} field(s)`,
        param.pos,
      );
    }
    resolved[param.kind] = param.values.map((v, i) => {
      const key = resolved.orderBy[i]!.field;
      return operandFor(v, sortKeyType(key), `${param.kind}() value for '${sortKeyName(key)}'`, params);
    });
  }
  return resolved;
}

/** `nullable(x)`: x names a selected relation, by its alias when it has one. */
function nullableRelation(resolved: ResolvedQueryEntity, name: string, pos: Position): string {
  const selected = resolved.projection.find((p) => p.alias === name);
  if (selected?.kind === 'relation') return name;
  if (selected || resolved.entity.fieldsByName.get(name)?.kind === 'scalar' || name in SYSTEM_FIELDS) {
    throw new LanguageError('INVALID_QUERY', `nullable(${name}): '${name}' is not a relation`, pos);
  }
  throw new LanguageError('INVALID_QUERY', `nullable(${name}): no relation '${name}' is selected in this block`, pos);
}

/**
 * What a filter or an order_by names: a field of the entity or, as upstream, what the block
 * selects under that name (a renamed field, a JSON selector, an aggregate, a relation).
 */
function namedValue(resolved: ResolvedQueryEntity, name: string, what: string, pos: Position): ValueRef {
  const entity = resolved.entity;
  if (entity.fieldsByName.has(name) || name in SYSTEM_FIELDS) return lookupField(entity, name, pos);
  const selected = resolved.projection.find((p) => p.alias === name);
  if (!selected) throw new LanguageError('UNKNOWN_FIELD', `${what}: no field or alias '${name}' in '${entity.fullName}'`, pos);
  return projectionValue(selected);
}

function sortKey(resolved: ResolvedQueryEntity, name: string, pos: Position): ValueRef {
  const ref = namedValue(resolved, name, 'order_by', pos);
  if (ref.kind === 'user' && ref.field.kind !== 'scalar') throw new LanguageError('INVALID_QUERY', `Cannot order by relation '${name}'`, pos);
  return ref;
}

/** What an aliased projection computes, as something a filter or an order_by can use. */
function projectionValue(p: ResolvedProjection): ValueRef {
  switch (p.kind) {
    case 'field':
      return p.field;
    case 'json':
      return { kind: 'json', field: p.field, path: p.path };
    case 'aggregate':
      return { kind: 'aggregate', fn: p.fn, field: p.field };
    case 'relation':
      return { kind: 'user', field: p.query.relation! };
  }
}

function sortKeyType(key: ValueRef): ScalarType | 'Id' | 'Scalar' {
  switch (key.kind) {
    case 'json':
      return 'Scalar';
    case 'aggregate':
      // min/max of a String is a String; every other aggregate is a number.
      return key.field && refType(key.field) === 'String' && (key.fn === 'min' || key.fn === 'max') ? 'String' : 'Float';
    default:
      return refType(key) as ScalarType | 'Id';
  }
}

function sortKeyName(key: ValueRef): string {
  if (key.kind === 'json') return `${key.field.name}->${key.path}`;
  if (key.kind === 'aggregate') return `${key.fn}()`;
  return refName(key);
}

function resolveProjection(model: DataModel, entity: EntityDef, item: ProjectionNode, params: ParameterSet): ResolvedProjection {
  switch (item.kind) {
    case 'field': {
      checkFieldAlias(entity, item.alias, item.pos);
      const ref = lookupField(entity, item.name, item.pos);
      if (refType(ref) === 'relation') {
        throw new LanguageError('INVALID_QUERY', `'${item.name}' is a relation: select its fields with ${item.name} { ... }`, item.pos);
      }
      return { kind: 'field', alias: item.alias ?? item.name, field: ref };
    }
    case 'json': {
      const ref = lookupField(entity, item.field, item.pos);
      if (ref.kind !== 'user' || ref.field.scalar !== 'Json') {
        throw new LanguageError('TYPE_MISMATCH', `'${item.field}' is not a Json field: '->' cannot be used on it`, item.pos);
      }
      return { kind: 'json', alias: item.alias, field: ref.field, path: item.path };
    }
    case 'function': {
      if (item.fn === 'count') {
        if (item.field) throw new LanguageError('INVALID_QUERY', 'count() takes no field', item.fieldPos ?? item.pos);
        return { kind: 'aggregate', alias: item.alias, fn: 'count' };
      }
      if (!item.field) throw new LanguageError('INVALID_QUERY', `${item.fn}() needs a field`, item.pos);
      const ref = lookupField(entity, item.field, item.fieldPos ?? item.pos);
      const type = refType(ref);
      const numeric = type === 'Integer' || type === 'Float';
      // As upstream: min and max take any scalar field, avg and sum a number.
      if (type === 'relation' || (!numeric && item.fn !== 'min' && item.fn !== 'max')) {
        const needs = item.fn === 'min' || item.fn === 'max' ? 'a scalar field' : 'a numeric field';
        throw new LanguageError('TYPE_MISMATCH', `${item.fn}(${item.field}) needs ${needs}, '${item.field}' is ${type === 'relation' ? 'a relation' : type}`, item.fieldPos ?? item.pos);
      }
      return { kind: 'aggregate', alias: item.alias, fn: item.fn, field: ref };
    }
    case 'entity': {
      const node = item.entity;
      checkFieldAlias(entity, node.alias, node.pos);
      const field = entity.fieldsByName.get(node.name) ?? virtualRelation(model, node.name, node.pos);
      if (!field) {
        if (node.name in SYSTEM_FIELDS) throw new LanguageError('INVALID_QUERY', `System field '${node.name}' is not a relation`, node.pos);
        throw new LanguageError('UNKNOWN_FIELD', `Unknown field '${node.name}' in '${entity.fullName}'`, node.pos);
      }
      if (field.kind === 'scalar') {
        throw new LanguageError('INVALID_QUERY', `'${node.name}' is a ${field.scalar} field, not a relation: it takes no { ... }`, node.pos);
      }
      const target = model.entity(field.target!, node.pos);
      return { kind: 'relation', alias: node.alias ?? node.name, query: resolveEntity(model, node, target, field, params) };
    }
  }
}

function resolveFilter(
  resolved: ResolvedQueryEntity,
  name: string,
  jsonPath: string | undefined,
  operator: ComparisonOperator,
  value: ValueNode,
  pos: Position,
  params: ParameterSet,
): ResolvedFilter {
  const ref = namedValue(resolved, name, 'Filter', pos);
  const isNull = value.kind === 'null';
  if (isNull && operator !== '=' && operator !== '!=') {
    throw new LanguageError('INVALID_QUERY', `null can only be compared with = or !=`, value.pos);
  }
  if (jsonPath !== undefined && !(ref.kind === 'user' && ref.field.scalar === 'Json')) {
    throw new LanguageError('TYPE_MISMATCH', `'${name}' is not a Json field: '->' cannot be used on it`, pos);
  }
  if (ref.kind === 'aggregate') {
    if (isNull) throw new LanguageError('INVALID_QUERY', `Aggregate '${name}' cannot be compared with null`, value.pos);
    return { kind: 'aggregate', value: ref, operator, operand: operandFor(value, sortKeyType(ref), `Aggregate '${name}'`, params) };
  }
  if (ref.kind === 'json') {
    if (isNull) return { kind: 'null', field: { kind: 'user', field: ref.field }, jsonPath: ref.path, negated: operator === '!=' };
    return { kind: 'compare', field: { kind: 'user', field: ref.field }, jsonPath: ref.path, operator, operand: operandFor(value, 'Scalar', `'${name}'`, params) };
  }
  if (refType(ref) === 'relation') {
    const field = (ref as { field: FieldDef }).field;
    if (!isNull) throw new LanguageError('INVALID_QUERY', `Relation '${name}' can only be compared with null (= null or != null)`, pos);
    // The selection it tests: the one named so, else the relation selected under no alias.
    const nested = resolved.projection.find((p) => p.kind === 'relation' && p.alias === name)
      ?? resolved.projection.find((p) => p.kind === 'relation' && p.query.relation === field && p.alias === field.name);
    return { kind: 'relationNull', field, alias: nested?.alias, negated: operator === '!=' };
  }
  if (isNull) {
    if (ref.kind === 'user' && !ref.field.nullable && jsonPath === undefined) {
      throw new LanguageError('NOT_NULLABLE', `'${name}' is not nullable: it cannot be compared with null`, value.pos);
    }
    return { kind: 'null', field: ref, jsonPath, negated: operator === '!=' };
  }
  const type = refType(ref) as ScalarType | 'Id';
  const operandType = jsonPath !== undefined ? 'Scalar' : type === 'Json' ? 'String' : type;
  return { kind: 'compare', field: ref, jsonPath, operator, operand: operandFor(value, operandType, `Field '${name}'`, params) };
}
