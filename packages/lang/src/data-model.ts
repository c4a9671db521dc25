import type { DataModelNode, FieldNode, ScalarType } from './ast.js';
import { LRUCache } from 'lru-cache';
import { LanguageError, type Position } from './errors.js';
import { parseDataModelSyntax } from './parse.js';
import { literalFor, type JsonValue } from './values.js';

/** Fields every entity has. Users may not declare fields with these names. */
export const SYSTEM_FIELDS = {
  id: 'Id',
  room_id: 'Id',
  cdate: 'Integer',
  mdate: 'Integer',
  verifying_key: 'Base64',
  _json: 'Json',
  _binary: 'Base64',
  _signature: 'Base64',
  _entity: 'String',
} as const;
export type SystemFieldName = keyof typeof SYSTEM_FIELDS;

/** Short ids of user fields start here, leaving room below for system use. */
export const FIRST_FIELD_ID = 32;

export interface FieldDef {
  name: string;
  /** Stable key of the field in stored rows: its position, from FIRST_FIELD_ID. */
  shortId: string;
  kind: 'scalar' | 'entity' | 'array';
  /** For scalar fields. */
  scalar?: ScalarType;
  /** For relations: the full name of the target entity. */
  target?: string;
  nullable: boolean;
  /** The default value, already typed; undefined when none. */
  default?: JsonValue;
  deprecated: boolean;
  /**
   * Set on the virtual relations every entity has when the `sys` namespace is present:
   * `sys_peer` (the author's sys.Peer row, joined on verifying_key) and `sys_room` (the row's
   * sys.Room, joined on room_id). They are read-only and not stored as edges.
   */
  virtual?: 'peer' | 'room';
  pos: Position;
}

export interface EntityDef {
  namespace: string;
  name: string;
  /** `ns.Entity`, or `Entity` in the anonymous namespace. */
  fullName: string;
  /** Stable key of the entity in stored rows: `namespaceIndex.entityIndex`. */
  shortId: string;
  fields: FieldDef[];
  fieldsByName: Map<string, FieldDef>;
  fieldsByShortId: Map<string, FieldDef>;
  indexes: string[][];
  fullTextIndex: boolean;
  deprecated: boolean;
  /** True for entities of a built-in namespace such as `sys`. */
  builtin: boolean;
  pos: Position;
}

export interface NamespaceDef {
  name: string;
  index: number;
  entities: EntityDef[];
  builtin: boolean;
}

/** The JSON form of a data model, as `dataModel()` returns it. */
export interface DataModelJson {
  text: string;
  namespaces: {
    name: string;
    entities: {
      name: string;
      shortId: string;
      deprecated: boolean;
      fullTextIndex: boolean;
      indexes: string[][];
      fields: { name: string; shortId: string; type: string; nullable: boolean; default?: JsonValue; deprecated: boolean }[];
    }[];
  }[];
}

export interface DataModelOptions {
  /** Data model text of built-in namespaces (e.g. `sys`), placed first and reserved. */
  builtins?: DataModel;
  /** Marks this model's own namespaces as built-in (used to define `sys`). */
  builtin?: boolean;
}

const NAME = /^[\p{L}\p{N}_]+$/u;
/** Scalar type names, reserved for entities and fields in any case (as upstream). */
const SCALAR_NAMES = new Set(['integer', 'float', 'boolean', 'string', 'base64', 'json']);

/**
 * A parsed and checked data model: every relation resolves, every default is typed,
 * every entity and field has its stable short id.
 */
export class DataModel {
  readonly text: string;
  readonly namespaces: NamespaceDef[];
  readonly entities = new Map<string, EntityDef>();
  readonly entitiesByShortId = new Map<string, EntityDef>();
  /**
   * Validated requests of this model, keyed by text (filled by the validators). Bounded, least
   * recently used out: an app that builds request texts on the fly must not grow without end.
   */
  readonly cache = new LRUCache<string, object>({ max: 1000 });

  private constructor(text: string, namespaces: NamespaceDef[]) {
    this.text = text;
    this.namespaces = namespaces;
    for (const ns of namespaces) {
      for (const entity of ns.entities) {
        this.entities.set(entity.fullName, entity);
        this.entitiesByShortId.set(entity.shortId, entity);
      }
    }
  }

  /** Parses and checks a data model. Throws a LanguageError with a position. */
  static parse(text: string, options: DataModelOptions = {}): DataModel {
    const ast = parseDataModelSyntax(text);
    const builtins = options.builtins?.namespaces ?? [];
    return new DataModel(text, buildNamespaces(ast, builtins, options.builtin ?? false));
  }

  /** The entity of that name, or undefined (no error). */
  findEntity(name: string): EntityDef | undefined {
    return this.entities.get(name) ?? this.entities.get(normaliseEntityName(name));
  }

  /** Finds an entity by `ns.Entity` (or `Entity` in the anonymous namespace). */
  entity(name: string, pos?: Position): EntityDef {
    const entity = this.entities.get(name) ?? this.entities.get(normaliseEntityName(name));
    if (entity) return entity;
    const dot = name.lastIndexOf('.');
    const namespace = dot < 0 ? '' : name.slice(0, dot);
    if (!this.namespaces.some((ns) => ns.name === namespace.toLowerCase())) {
      throw new LanguageError(
        dot < 0 ? 'UNKNOWN_ENTITY' : 'UNKNOWN_NAMESPACE',
        dot < 0 ? `Unknown entity '${name}'` : `Unknown namespace '${namespace}' in '${name}'`,
        pos,
      );
    }
    throw new LanguageError('UNKNOWN_ENTITY', `Unknown entity '${name}'`, pos);
  }

  /**
   * Checks that `text` is a safe update of this model and returns the new model.
   * Entities and fields may be added (new scalar fields need `nullable` or a default),
   * deprecated, or get new indexes; nothing may be removed, renamed, reordered or retyped.
   */
  update(text: string): DataModel {
    const next = DataModel.parse(text, { builtins: this.builtinModel() });
    checkUpdate(this, next);
    return next;
  }

  /** The JSON form: the text and the resolved model. */
  toJSON(): DataModelJson {
    return {
      text: this.text,
      namespaces: this.namespaces.map((ns) => ({
        name: ns.name,
        entities: ns.entities.map((e) => ({
          name: e.name,
          shortId: e.shortId,
          deprecated: e.deprecated,
          fullTextIndex: e.fullTextIndex,
          indexes: e.indexes,
          fields: e.fields.map((f) => ({
            name: f.name,
            shortId: f.shortId,
            type: f.kind === 'scalar' ? f.scalar! : f.kind === 'array' ? `[${f.target}]` : f.target!,
            nullable: f.nullable,
            ...(f.default !== undefined ? { default: f.default } : {}),
            deprecated: f.deprecated,
          })),
        })),
      })),
    };
  }

  private builtinModel(): DataModel {
    return new DataModel('', this.namespaces.filter((ns) => ns.builtin));
  }
}

function buildNamespaces(ast: DataModelNode, builtins: NamespaceDef[], builtin: boolean): NamespaceDef[] {
  const namespaces: NamespaceDef[] = [...builtins];
  const reserved = new Set(builtins.map((ns) => ns.name));
  const pending: { entity: EntityDef; fields: FieldNode[] }[] = [];

  for (const nsNode of ast.namespaces) {
    // namespace names are case-insensitive, as upstream: `Ns` and `ns` are one namespace
    const nsName = nsNode.name.toLowerCase();
    if (reserved.has(nsName)) {
      throw new LanguageError('INVALID_DATA_MODEL', `Namespace '${nsNode.name}' is reserved`, nsNode.pos);
    }
    if (namespaces.some((ns) => ns.name === nsName)) {
      throw new LanguageError('INVALID_DATA_MODEL', `Namespace '${nsNode.name}' is declared twice`, nsNode.pos);
    }
    if (nsNode.name !== '' && !NAME.test(nsNode.name)) {
      throw new LanguageError('INVALID_DATA_MODEL', `Invalid namespace name '${nsNode.name}'`, nsNode.pos);
    }
    const ns: NamespaceDef = { name: nsName, index: namespaces.length, entities: [], builtin };
    namespaces.push(ns);
    for (const entityNode of nsNode.entities) {
      if (!NAME.test(entityNode.name)) {
        throw new LanguageError('INVALID_DATA_MODEL', `Invalid entity name '${entityNode.name}'`, entityNode.pos);
      }
      if (ns.entities.some((e) => e.name === entityNode.name)) {
        throw new LanguageError('INVALID_DATA_MODEL', `Entity '${entityNode.name}' is declared twice`, entityNode.pos);
      }
      if (SCALAR_NAMES.has(entityNode.name.toLowerCase())) {
        throw new LanguageError('INVALID_DATA_MODEL', `'${entityNode.name}' is the name of a scalar type (in any case) and cannot name an entity`, entityNode.pos);
      }
      const entity: EntityDef = {
        namespace: ns.name,
        name: entityNode.name,
        fullName: ns.name === '' ? entityNode.name : `${ns.name}.${entityNode.name}`,
        shortId: `${ns.index}.${ns.entities.length}`,
        fields: [],
        fieldsByName: new Map(),
        fieldsByShortId: new Map(),
        indexes: [],
        fullTextIndex: !entityNode.noFullTextIndex,
        deprecated: entityNode.deprecated,
        builtin,
        pos: entityNode.pos,
      };
      ns.entities.push(entity);
      pending.push({ entity, fields: entityNode.fields });
      for (const index of entityNode.indexes) {
        entity.indexes.push(index.fields.map((f) => f.name));
      }
    }
  }

  const all = new Map<string, EntityDef>();
  for (const ns of namespaces) for (const e of ns.entities) all.set(e.fullName, e);
  for (const { entity, fields } of pending) {
    for (const node of fields) addField(entity, node, all);
    checkIndexes(entity, ast);
  }
  return namespaces;
}

/** `Ns.Person` -> `ns.Person`: namespaces are case-insensitive, entity names are not. */
function normaliseEntityName(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name : `${name.slice(0, dot).toLowerCase()}${name.slice(dot)}`;
}

function resolveTarget(from: EntityDef, target: string, all: Map<string, EntityDef>, pos: Position): string {
  const candidates = target.includes('.') ? [normaliseEntityName(target)] : [from.namespace ? `${from.namespace}.${target}` : target, target];
  for (const name of candidates) if (all.has(name)) return name;
  throw new LanguageError('UNKNOWN_ENTITY', `Field type '${target}' is neither a scalar type nor a known entity`, pos);
}

function addField(entity: EntityDef, node: FieldNode, all: Map<string, EntityDef>): void {
  if (!NAME.test(node.name)) throw new LanguageError('INVALID_DATA_MODEL', `Invalid field name '${node.name}'`, node.pos);
  if (node.name in SYSTEM_FIELDS) {
    throw new LanguageError('INVALID_DATA_MODEL', `'${node.name}' is a system field name and cannot be declared`, node.pos);
  }
  // as upstream: names starting with _ are the system's, and scalar type names are reserved
  if (node.name.startsWith('_')) throw new LanguageError('INVALID_DATA_MODEL', `Field '${node.name}': field names cannot start with _`, node.pos);
  if (SCALAR_NAMES.has(node.name.toLowerCase())) {
    throw new LanguageError('INVALID_DATA_MODEL', `'${node.name}' is the name of a scalar type (in any case) and cannot name a field`, node.pos);
  }
  if (entity.fieldsByName.has(node.name)) {
    throw new LanguageError('INVALID_DATA_MODEL', `Field '${node.name}' is declared twice in '${entity.fullName}'`, node.pos);
  }
  const type = node.type;
  const field: FieldDef = {
    name: node.name,
    shortId: String(FIRST_FIELD_ID + entity.fields.length),
    kind: type.kind,
    nullable: type.nullable,
    deprecated: node.deprecated,
    pos: node.pos,
  };
  if (type.kind === 'scalar') {
    field.scalar = type.scalar;
    if (type.default) {
      if (type.default.kind === 'null' || type.default.kind === 'variable') {
        throw new LanguageError('TYPE_MISMATCH', `The default of '${node.name}' cannot be ${type.default.kind}`, type.default.pos);
      }
      field.default = literalFor(type.scalar, type.default, `Field '${node.name}'`);
    }
  } else {
    if ('default' in type && (type as { default?: unknown }).default !== undefined) {
      throw new LanguageError('INVALID_DATA_MODEL', `Relation '${node.name}' cannot have a default value`, type.pos);
    }
    field.target = resolveTarget(entity, type.target, all, type.pos);
  }
  entity.fields.push(field);
  entity.fieldsByName.set(field.name, field);
  entity.fieldsByShortId.set(field.shortId, field);
}

function checkIndexes(entity: EntityDef, ast: DataModelNode): void {
  const nodes = ast.namespaces.find((ns) => ns.name.toLowerCase() === entity.namespace)?.entities.find((e) => e.name === entity.name)?.indexes ?? [];
  const seen = new Set<string>();
  for (const index of nodes) {
    const names = index.fields.map((f) => f.name);
    const repeated = index.fields.find((f, i) => names.indexOf(f.name) !== i);
    if (repeated) throw new LanguageError('INVALID_DATA_MODEL', `Field '${repeated.name}' is twice in the same index`, repeated.pos);
    for (const f of index.fields) {
      const field = entity.fieldsByName.get(f.name);
      const system = f.name in SYSTEM_FIELDS;
      if (!field && !system) throw new LanguageError('UNKNOWN_FIELD', `Index on unknown field '${f.name}' of '${entity.fullName}'`, f.pos);
      if (field && field.kind !== 'scalar') {
        throw new LanguageError('INVALID_DATA_MODEL', `Index on relation '${f.name}' is not possible`, f.pos);
      }
    }
    const key = index.fields.map((f) => f.name).join(',');
    if (seen.has(key)) throw new LanguageError('INVALID_DATA_MODEL', `Index (${key}) is declared twice`, index.pos);
    seen.add(key);
  }
}

function fail(message: string, pos: Position): never {
  throw new LanguageError('DATA_MODEL_UPDATE', message, pos);
}

function checkUpdate(previous: DataModel, next: DataModel): void {
  for (const oldNs of previous.namespaces) {
    const newNs = next.namespaces.find((ns) => ns.name === oldNs.name);
    if (!newNs) fail(`Namespace '${oldNs.name}' cannot be removed`, { line: 1, column: 1 });
    if (newNs.index !== oldNs.index) {
      fail(`Namespace '${oldNs.name}' moved from position ${oldNs.index} to ${newNs.index}; namespaces cannot be reordered`, newNs.entities[0]?.pos ?? { line: 1, column: 1 });
    }
    for (const oldEntity of oldNs.entities) {
      const newEntity = newNs.entities.find((e) => e.name === oldEntity.name);
      if (!newEntity) fail(`Entity '${oldEntity.fullName}' cannot be removed (deprecate it instead)`, newNs.entities[0]?.pos ?? { line: 1, column: 1 });
      if (newEntity.shortId !== oldEntity.shortId) {
        fail(`Entity '${oldEntity.fullName}' cannot be moved: entities keep their order`, newEntity.pos);
      }
      for (const oldField of oldEntity.fields) {
        const newField = newEntity.fieldsByName.get(oldField.name);
        if (!newField) fail(`Field '${oldField.name}' of '${oldEntity.fullName}' cannot be removed (deprecate it instead)`, newEntity.pos);
        if (newField.shortId !== oldField.shortId) {
          fail(`Field '${oldField.name}' of '${oldEntity.fullName}' cannot be moved: fields keep their order`, newField.pos);
        }
        if (newField.kind !== oldField.kind || newField.scalar !== oldField.scalar || newField.target !== oldField.target) {
          fail(`Field '${oldField.name}' of '${oldEntity.fullName}' cannot change its type`, newField.pos);
        }
        if (oldField.kind === 'scalar' && oldField.nullable && !newField.nullable && newField.default === undefined) {
          fail(`Field '${oldField.name}' becomes non nullable: it needs a default value`, newField.pos);
        }
      }
      for (const newField of newEntity.fields.slice(oldEntity.fields.length)) {
        if (newField.kind === 'scalar' && !newField.nullable && newField.default === undefined) {
          fail(`New field '${newField.name}' of '${newEntity.fullName}' must be nullable or have a default value`, newField.pos);
        }
      }
    }
  }
}
