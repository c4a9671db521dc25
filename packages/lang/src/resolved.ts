import type { AggregateFunction, ComparisonOperator } from './ast.js';
import type { EntityDef, FieldDef, SystemFieldName } from './data-model.js';
import type { Position } from './errors.js';
import type { Operand, ParameterUse } from './values.js';

/** A field a query can read: a user field of the entity or one of its system fields. */
export type FieldRef = { kind: 'user'; field: FieldDef } | { kind: 'system'; name: SystemFieldName };

/**
 * What a filter or an order_by may name: a field of the entity, or (by its alias) a value the
 * projection computes: a JSON selector or an aggregate.
 */
export type ValueRef =
  | FieldRef
  | { kind: 'json'; field: FieldDef; path: string }
  | { kind: 'aggregate'; fn: AggregateFunction; field?: FieldRef };

export type ResolvedProjection =
  | { kind: 'field'; alias: string; field: FieldRef }
  | { kind: 'json'; alias: string; field: FieldDef; path: string }
  | { kind: 'aggregate'; alias: string; fn: AggregateFunction; field?: FieldRef }
  | { kind: 'relation'; alias: string; query: ResolvedQueryEntity };

export type ResolvedFilter =
  | { kind: 'compare'; field: FieldRef; jsonPath?: string; operator: ComparisonOperator; operand: Operand }
  | { kind: 'null'; field: FieldRef; jsonPath?: string; negated: boolean }
  /**
   * `rel = null` / `rel != null`. When the relation is selected (`alias` is its key in the
   * result) it tests that selection, nested filters included; otherwise any edge.
   */
  | { kind: 'relationNull'; field: FieldDef; alias?: string; negated: boolean }
  /** A filter on an aggregate alias (`count > 2`): applies to the groups (SQL HAVING). */
  | { kind: 'aggregate'; value: Extract<ValueRef, { kind: 'aggregate' }>; operator: ComparisonOperator; operand: Operand };

export interface ResolvedQueryEntity {
  /** Key of this result in its parent object. */
  alias: string;
  entity: EntityDef;
  /** Set when this block reads a relation of its parent. */
  relation?: FieldDef;
  projection: ResolvedProjection[];
  filters: ResolvedFilter[];
  orderBy: { field: ValueRef; direction: 'asc' | 'desc' }[];
  first?: Operand;
  skip?: Operand;
  before?: Operand[];
  after?: Operand[];
  search?: Operand;
  /** Aliases of selected relations whose absence keeps the parent (`nullable(...)`). */
  nullable: Set<string>;
  /** True when the projection has aggregate functions: the result is grouped. */
  aggregate: boolean;
  pos: Position;
}

export interface ResolvedQuery {
  kind: 'query';
  entities: ResolvedQueryEntity[];
  parameters: Map<string, ParameterUse>;
}

export interface ResolvedMutationEntity {
  alias: string;
  entity: EntityDef;
  /** Present for an update or a reference; absent for an insert. */
  id?: Operand;
  roomId?: Operand;
  binary?: Operand;
  /** Scalar values to write, in the order written. */
  values: { field: FieldDef; operand: Operand }[];
  /** Relations to write: null clears, one entity sets, a list adds. */
  relations: { field: FieldDef; value: null | ResolvedMutationEntity | ResolvedMutationEntity[] }[];
  /** True when the block names only an id: it points at an existing entity. */
  reference: boolean;
  pos: Position;
}

export interface ResolvedMutation {
  kind: 'mutation';
  entities: ResolvedMutationEntity[];
  parameters: Map<string, ParameterUse>;
}

export interface ResolvedDeletionEntity {
  alias: string;
  entity: EntityDef;
  id: string;
  /** Edges to remove; when empty the entity itself is deleted. */
  relations: { field: FieldDef; ids: string[] }[];
  pos: Position;
}

export interface ResolvedDeletion {
  kind: 'deletion';
  entities: ResolvedDeletionEntity[];
  parameters: Map<string, ParameterUse>;
}
