import type { Position } from './errors.js';

/** A literal value or a `$parameter` as written in a request. */
export type ValueNode =
  | { kind: 'string'; value: string; pos: Position }
  | { kind: 'integer'; value: number; text: string; pos: Position }
  | { kind: 'float'; value: number; pos: Position }
  | { kind: 'boolean'; value: boolean; pos: Position }
  | { kind: 'null'; pos: Position }
  | { kind: 'variable'; name: string; pos: Position };

export type ScalarType = 'Integer' | 'Float' | 'Boolean' | 'String' | 'Base64' | 'Json';

// ---------------------------------------------------------------- data model
export interface DataModelNode {
  kind: 'dataModel';
  namespaces: NamespaceNode[];
}
export interface NamespaceNode {
  /** '' for the anonymous namespace. */
  name: string;
  entities: EntityNode[];
  pos: Position;
}
export interface EntityNode {
  name: string;
  deprecated: boolean;
  noFullTextIndex: boolean;
  fields: FieldNode[];
  indexes: IndexNode[];
  pos: Position;
}
export type FieldTypeNode =
  | { kind: 'scalar'; scalar: ScalarType; nullable: boolean; default?: ValueNode; pos: Position }
  | { kind: 'entity'; target: string; nullable: boolean; pos: Position }
  | { kind: 'array'; target: string; nullable: boolean; pos: Position };
export interface FieldNode {
  name: string;
  deprecated: boolean;
  type: FieldTypeNode;
  pos: Position;
}
export interface IndexNode {
  fields: { name: string; pos: Position }[];
  pos: Position;
}

// ---------------------------------------------------------------- query
export type ComparisonOperator = '=' | '!=' | '>' | '>=' | '<' | '<=';
export type AggregateFunction = 'count' | 'avg' | 'min' | 'max' | 'sum';

export interface QueryNode {
  kind: 'query';
  name?: string;
  entities: QueryEntityNode[];
}
export interface QueryEntityNode {
  alias?: string;
  /** `ns.Entity` at the top level, a relation field name when nested. */
  name: string;
  params: QueryParamNode[];
  fields: ProjectionNode[];
  pos: Position;
}
export type ProjectionNode =
  | { kind: 'field'; alias?: string; name: string; pos: Position }
  | { kind: 'entity'; entity: QueryEntityNode; pos: Position }
  | { kind: 'json'; alias: string; field: string; path: string; pos: Position }
  | { kind: 'function'; alias: string; fn: AggregateFunction; field?: string; fieldPos?: Position; pos: Position };
export type QueryParamNode =
  | { kind: 'search'; value: ValueNode; pos: Position }
  | { kind: 'orderBy'; fields: { name: string; direction: 'asc' | 'desc'; pos: Position }[]; pos: Position }
  | { kind: 'first' | 'skip'; value: ValueNode; pos: Position }
  | { kind: 'before' | 'after'; values: ValueNode[]; pos: Position }
  | { kind: 'nullable'; fields: { name: string; pos: Position }[]; pos: Position }
  | { kind: 'filter'; field: string; jsonPath?: string; operator: ComparisonOperator; value: ValueNode; pos: Position };

// ---------------------------------------------------------------- mutation
export interface MutationNode {
  kind: 'mutation';
  name?: string;
  entities: MutationEntityNode[];
}
export interface MutationEntityNode {
  alias?: string;
  name: string;
  fields: MutationFieldNode[];
  pos: Position;
}
export interface MutationFieldNode {
  name: string;
  value: MutationValueNode;
  pos: Position;
}
export interface MutationObjectNode {
  kind: 'object';
  fields: MutationFieldNode[];
  pos: Position;
}
export type MutationValueNode = ValueNode | MutationObjectNode | { kind: 'array'; items: MutationObjectNode[]; pos: Position };

// ---------------------------------------------------------------- deletion
export interface DeletionNode {
  kind: 'deletion';
  name?: string;
  entities: DeletionEntityNode[];
}
export interface DeletionEntityNode {
  alias?: string;
  name: string;
  id: { name: string; pos: Position };
  relations: { name: string; ids: { name: string; pos: Position }[]; pos: Position }[];
  pos: Position;
}
