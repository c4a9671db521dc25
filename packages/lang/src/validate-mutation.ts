import type { DeletionNode, MutationEntityNode, MutationFieldNode, MutationNode, MutationObjectNode } from './ast.js';
import { SYSTEM_FIELDS, type DataModel, type EntityDef } from './data-model.js';
import { LanguageError, type Position } from './errors.js';
import { parseDeletion, parseMutation } from './parse.js';
import type { ResolvedDeletion, ResolvedDeletionEntity, ResolvedMutation, ResolvedMutationEntity } from './resolved.js';
import { describeLiteral, ParameterSet } from './values.js';
import { isNode, operandFor, remember } from './validate-query.js';

/** System fields a mutation may write; the others are set by Discret itself. */
const WRITABLE_SYSTEM = new Set(['id', 'room_id', '_binary']);

/**
 * Validates a mutation against a data model. Checks names, literal types, nullability,
 * deprecation and that inserts give every required field; returns the resolved form.
 *
 * @example
 * validateMutation(model, 'mutate { a: shop.Item { name: "pen" price: 2 } }');
 */
export function validateMutation(model: DataModel, mutation: string | MutationNode): ResolvedMutation {
  const key = typeof mutation === 'string' ? `m:${mutation}` : undefined;
  if (key !== undefined) {
    const cached = model.cache.get(key);
    if (cached) return cached as ResolvedMutation;
  }
  // Anything but a tree of the right kind goes to the parser, which refuses what is not text.
  const ast = isNode(mutation, 'mutation') ? mutation : parseMutation(mutation as string);
  const params = new ParameterSet();
  const aliases = new Set<string>();
  const entities = ast.entities.map((node: MutationEntityNode) => {
    const entity = model.entity(node.name, node.pos);
    if (node.alias?.startsWith('_')) {
      throw new LanguageError('INVALID_MUTATION', `Alias '${node.alias}' starts with '_', which is kept for system fields`, node.pos);
    }
    const resolved = resolveObject(model, entity, node.fields, node.alias ?? node.name, node.pos, params, false);
    if (aliases.has(resolved.alias)) throw new LanguageError('INVALID_MUTATION', `Alias '${resolved.alias}' is used twice`, node.pos);
    aliases.add(resolved.alias);
    return resolved;
  });
  const result: ResolvedMutation = { kind: 'mutation', entities, parameters: params.uses };
  if (key !== undefined) remember(model, key, result);
  return result;
}

function resolveObject(
  model: DataModel,
  entity: EntityDef,
  fields: MutationFieldNode[],
  alias: string,
  pos: Position,
  params: ParameterSet,
  nested: boolean,
): ResolvedMutationEntity {
  const resolved: ResolvedMutationEntity = { alias, entity, values: [], relations: [], reference: false, pos };
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) throw new LanguageError('INVALID_MUTATION', `Field '${f.name}' is given twice`, f.pos);
    seen.add(f.name);
    const value = f.value;
    if (f.name in SYSTEM_FIELDS) {
      if (!WRITABLE_SYSTEM.has(f.name)) {
        throw new LanguageError('INVALID_MUTATION', `System field '${f.name}' is set by Discret and cannot be written`, f.pos);
      }
      if (value.kind === 'object' || value.kind === 'array') {
        throw new LanguageError('TYPE_MISMATCH', `System field '${f.name}' takes a value, not an entity`, value.pos);
      }
      const operand = operandFor(value, f.name === '_binary' ? 'Base64' : 'Id', `Field '${f.name}'`, params, f.name !== 'id');
      if (f.name === 'id') {
        if (value.kind === 'null') throw new LanguageError('NOT_NULLABLE', `id cannot be null`, value.pos);
        resolved.id = operand;
      } else if (f.name === 'room_id') resolved.roomId = operand;
      else resolved.binary = operand;
      continue;
    }
    const field = entity.fieldsByName.get(f.name);
    if (!field) throw new LanguageError('UNKNOWN_FIELD', `Unknown field '${f.name}' in '${entity.fullName}'`, f.pos);
    if (field.deprecated) throw new LanguageError('DEPRECATED', `Field '${f.name}' of '${entity.fullName}' is deprecated`, f.pos);
    if (field.kind === 'scalar') {
      if (value.kind === 'object' || value.kind === 'array') {
        throw new LanguageError('TYPE_MISMATCH', `Field '${f.name}' is ${field.scalar}, not a relation`, value.pos);
      }
      if (value.kind === 'null' && !field.nullable) {
        throw new LanguageError('NOT_NULLABLE', `Field '${f.name}' of '${entity.fullName}' cannot be null`, value.pos);
      }
      resolved.values.push({ field, operand: operandFor(value, field.scalar!, `Field '${f.name}'`, params, field.nullable) });
      continue;
    }
    const target = model.entity(field.target!, f.pos);
    if (value.kind === 'null') {
      resolved.relations.push({ field, value: null });
    } else if (field.kind === 'entity') {
      if (value.kind !== 'object') {
        throw new LanguageError('TYPE_MISMATCH', `Relation '${f.name}' takes { ... }, not ${describe(value)}`, value.pos);
      }
      resolved.relations.push({ field, value: resolveObject(model, target, value.fields, f.name, value.pos, params, true) });
    } else {
      if (value.kind !== 'array') {
        throw new LanguageError('TYPE_MISMATCH', `Relation '${f.name}' is a list: it takes [{ ... }, ...], not ${describe(value)}`, value.pos);
      }
      resolved.relations.push({
        field,
        value: value.items.map((item: MutationObjectNode) => resolveObject(model, target, item.fields, f.name, item.pos, params, true)),
      });
    }
  }
  resolved.reference = nested && resolved.id !== undefined && fields.length === 1;
  if (resolved.id === undefined) {
    if (entity.deprecated) throw new LanguageError('DEPRECATED', `Entity '${entity.fullName}' is deprecated: it cannot be inserted`, pos);
    for (const field of entity.fields) {
      if (field.kind === 'scalar' && !field.nullable && field.default === undefined && !seen.has(field.name)) {
        throw new LanguageError('NOT_NULLABLE', `Field '${field.name}' of '${entity.fullName}' is required`, pos);
      }
    }
  }
  return resolved;
}

function describe(value: { kind: string }): string {
  if (value.kind === 'object') return 'an entity';
  if (value.kind === 'array') return 'a list';
  return describeLiteral(value as never);
}

/**
 * Validates a deletion: `delete { alias: ns.Entity { $id  relation[$a, $b] } }`.
 * With only `$id` the entity is deleted; with relations only those edges are.
 */
export function validateDeletion(model: DataModel, deletion: string | DeletionNode): ResolvedDeletion {
  const key = typeof deletion === 'string' ? `d:${deletion}` : undefined;
  if (key !== undefined) {
    const cached = model.cache.get(key);
    if (cached) return cached as ResolvedDeletion;
  }
  // Anything but a tree of the right kind goes to the parser, which refuses what is not text.
  const ast = isNode(deletion, 'deletion') ? deletion : parseDeletion(deletion as string);
  const params = new ParameterSet();
  const entities = ast.entities.map((node): ResolvedDeletionEntity => {
    const entity = model.entity(node.name, node.pos);
    params.add(node.id.name, 'Id', false, node.id.pos);
    const relations = node.relations.map((r) => {
      const field = entity.fieldsByName.get(r.name);
      if (!field) throw new LanguageError('UNKNOWN_FIELD', `Unknown field '${r.name}' in '${entity.fullName}'`, r.pos);
      if (field.kind === 'scalar') throw new LanguageError('INVALID_MUTATION', `'${r.name}' is not a relation: only relations can be deleted`, r.pos);
      for (const id of r.ids) params.add(id.name, 'Id', false, id.pos);
      return { field, ids: r.ids.map((id) => id.name) };
    });
    return { alias: node.alias ?? node.name, entity, id: node.id.name, relations, pos: node.pos };
  });
  const result: ResolvedDeletion = { kind: 'deletion', entities, parameters: params.uses };
  if (key !== undefined) remember(model, key, result);
  return result;
}
