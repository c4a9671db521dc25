import type { ComparisonOperator, ProjectionNode, QueryEntityNode, QueryNode, ScalarType, ValueNode } from './ast.js';
import { SYSTEM_FIELDS, type DataModel, type EntityDef, type FieldDef, type SystemFieldName } from './data-model.js';
import { LanguageError, type Position } from './errors.js';
import { parseQuery } from './parse.js';
import type { FieldRef, ResolvedFilter, ResolvedProjection, ResolvedQuery, ResolvedQueryEntity } from './resolved.js';
import { literalFor, ParameterSet, type Operand, type ParameterType } from './values.js';

const FILTERABLE_SYSTEM = new Set<SystemFieldName>(['id', 'room_id', 'cdate', 'mdate', 'verifying_key']);

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
  const ast = typeof query === 'string' ? parseQuery(query) : query;
  const params = new ParameterSet();
  const aliases = new Set<string>();
  const entities = ast.entities.map((node) => {
    const entity = model.entity(node.name, node.pos);
    const resolved = resolveEntity(model, node, entity, undefined, params);
    if (aliases.has(resolved.alias)) throw new LanguageError('INVALID_QUERY', `Alias '${resolved.alias}' is used twice`, node.pos);
    aliases.add(resolved.alias);
    return resolved;
  });
  const result: ResolvedQuery = { kind: 'query', entities, parameters: params.uses };
  if (key !== undefined) remember(model, key, result);
  return result;
}

/** Keeps the per-model cache bounded (oldest first out). */
export function remember(model: DataModel, key: string, value: unknown): void {
  if (model.cache.size >= 1000) model.cache.delete(model.cache.keys().next().value!);
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
  // nullable(...) first: `rel = null` filters depend on it.
  for (const param of node.params) {
    if (param.kind !== 'nullable') continue;
    for (const f of param.fields) {
      const field = entity.fieldsByName.get(f.name);
      if (!field) throw new LanguageError('UNKNOWN_FIELD', `Unknown field '${f.name}' in '${entity.fullName}'`, f.pos);
      if (field.kind === 'scalar') throw new LanguageError('INVALID_QUERY', `nullable(${f.name}): '${f.name}' is not a relation`, f.pos);
      resolved.nullable.add(f.name);
    }
  }
  for (const param of node.params) {
    switch (param.kind) {
      case 'nullable':
        break;
      case 'filter':
        resolved.filters.push(resolveFilter(entity, resolved, param.field, param.jsonPath, param.operator, param.value, param.pos, params));
        break;
      case 'orderBy':
        if (resolved.orderBy.length) throw new LanguageError('INVALID_QUERY', 'order_by is given twice', param.pos);
        for (const f of param.fields) {
          const ref = lookupField(entity, f.name, f.pos);
          if (refType(ref) === 'relation') throw new LanguageError('INVALID_QUERY', `Cannot order by relation '${f.name}'`, f.pos);
          if (resolved.aggregate && !groupedBy(resolved, ref)) {
            throw new LanguageError('INVALID_QUERY', `order_by(${f.name}) must be one of the grouped fields of an aggregate query`, f.pos);
          }
          resolved.orderBy.push({ field: ref, direction: f.direction });
        }
        break;
      case 'first':
      case 'skip':
        if (resolved[param.kind]) throw new LanguageError('INVALID_QUERY', `${param.kind} is given twice`, param.pos);
        resolved[param.kind] = operandFor(param.value, 'Integer', param.kind, params);
        break;
      case 'search':
        resolved.search = operandFor(param.value, 'String', 'search()', params);
        if (!entity.fullTextIndex) {
          throw new LanguageError('INVALID_QUERY', `'${entity.fullName}' has no full text index (no_full_text_index)`, param.pos);
        }
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
    if (resolved.aggregate) throw new LanguageError('INVALID_QUERY', `${param.kind}(...) is not allowed in an aggregate query`, param.pos);
    if (param.values.length !== resolved.orderBy.length) {
      throw new LanguageError(
        'INVALID_QUERY',
        `${param.kind}(...) has ${param.values.length} value(s) but order_by has ${resolved.orderBy.length} field(s)`,
        param.pos,
      );
    }
    resolved[param.kind] = param.values.map((v, i) => {
      const ref = resolved.orderBy[i]!.field;
      return operandFor(v, refType(ref) as ScalarType | 'Id', `${param.kind}() value for '${refName(ref)}'`, params);
    });
  }
  return resolved;
}

function groupedBy(resolved: ResolvedQueryEntity, ref: FieldRef): boolean {
  return resolved.projection.some((p) => p.kind === 'field' && refName(p.field) === refName(ref));
}

function resolveProjection(model: DataModel, entity: EntityDef, item: ProjectionNode, params: ParameterSet): ResolvedProjection {
  switch (item.kind) {
    case 'field': {
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
      if (!(numeric || ((item.fn === 'min' || item.fn === 'max') && type === 'String'))) {
        throw new LanguageError('TYPE_MISMATCH', `${item.fn}(${item.field}) needs a numeric field, '${item.field}' is ${type}`, item.fieldPos ?? item.pos);
      }
      return { kind: 'aggregate', alias: item.alias, fn: item.fn, field: ref };
    }
    case 'entity': {
      const node = item.entity;
      const field = entity.fieldsByName.get(node.name);
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
  entity: EntityDef,
  resolved: ResolvedQueryEntity,
  name: string,
  jsonPath: string | undefined,
  operator: ComparisonOperator,
  value: ValueNode,
  pos: Position,
  params: ParameterSet,
): ResolvedFilter {
  const ref = lookupField(entity, name, pos);
  const type = refType(ref);
  if (ref.kind === 'system' && !FILTERABLE_SYSTEM.has(ref.name)) {
    throw new LanguageError('INVALID_QUERY', `System field '${name}' cannot be filtered`, pos);
  }
  const isNull = value.kind === 'null';
  if (isNull && operator !== '=' && operator !== '!=') {
    throw new LanguageError('INVALID_QUERY', `null can only be compared with = or !=`, value.pos);
  }
  if (type === 'relation') {
    const field = (ref as { field: FieldDef }).field;
    if (!isNull) throw new LanguageError('INVALID_QUERY', `Relation '${name}' can only be compared with null`, pos);
    if (!resolved.nullable.has(name)) {
      throw new LanguageError('INVALID_QUERY', `'${name} ${operator} null' needs nullable(${name}) in the same block`, pos);
    }
    return { kind: 'relationNull', field, negated: operator === '!=' };
  }
  if (jsonPath !== undefined && type !== 'Json') {
    throw new LanguageError('TYPE_MISMATCH', `'${name}' is not a Json field: '->' cannot be used on it`, pos);
  }
  if (isNull) return { kind: 'null', field: ref, jsonPath, negated: operator === '!=' };
  const operandType = jsonPath !== undefined ? 'Scalar' : type === 'Json' ? 'String' : type;
  return { kind: 'compare', field: ref, jsonPath, operator, operand: operandFor(value, operandType, `Field '${name}'`, params) };
}
