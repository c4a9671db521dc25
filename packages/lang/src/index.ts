/**
 * @discret/lang — the Discret data language: parse and validate data models, queries,
 * mutations and deletions. Pure functions, no I/O.
 *
 * @example
 * import { DataModel, parseDataModel, validateQuery } from '@discret/lang';
 * const model = parseDataModel('shop { Item { name: String, price: Integer } }');
 * const q = validateQuery(model, 'query { r: shop.Item(price > 2) { name } }');
 */
export * from './errors.js';
export type * from './ast.js';
export type * from './resolved.js';
export { LIMITS, parseDataModelSyntax, parseQuery, parseMutation, parseDeletion } from './parse.js';
export { DataModel, SYSTEM_FIELDS, FIRST_FIELD_ID } from './data-model.js';
export type { DataModelJson, DataModelOptions, EntityDef, FieldDef, NamespaceDef, SystemFieldName } from './data-model.js';
export { validateQuery, lookupField, refType } from './validate-query.js';
export { validateMutation, validateDeletion } from './validate-mutation.js';
export { checkParameters, isBase64 } from './values.js';
export type { JsonValue, Operand, Parameters, ParameterType, ParameterUse } from './values.js';

import { DataModel, type DataModelOptions } from './data-model.js';
/** Parses and checks a data model text; same as `DataModel.parse`. */
export function parseDataModel(text: string, options?: DataModelOptions): DataModel {
  return DataModel.parse(text, options);
}
export { generateTypeScript, splitNamedQueries, typeName, type GenerateOptions, type NamedQuery } from './codegen.js';
