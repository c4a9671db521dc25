import nearley from 'nearley';
import type { DataModelNode, DeletionNode, MutationNode, QueryNode } from './ast.js';
import { LanguageError, type Position } from './errors.js';
import dataModelGrammar from './generated/data_model.js';
import deletionGrammar from './generated/deletion.js';
import mutationGrammar from './generated/mutation.js';
import queryGrammar from './generated/query.js';

const compiled = {
  dataModel: nearley.Grammar.fromCompiled(dataModelGrammar as nearley.CompiledRules),
  query: nearley.Grammar.fromCompiled(queryGrammar as nearley.CompiledRules),
  mutation: nearley.Grammar.fromCompiled(mutationGrammar as nearley.CompiledRules),
  deletion: nearley.Grammar.fromCompiled(deletionGrammar as nearley.CompiledRules),
};

function endOf(text: string): Position {
  const lines = text.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1] ?? '').length + 1 };
}

function describe(token: { type?: string; value: string }): string {
  if (token.type === 'error') return `unexpected character '${token.value.slice(0, 1)}'`;
  return `unexpected '${token.value}'`;
}

/** Runs one grammar over `text`; any failure becomes a PARSE_ERROR with a position. */
function run<T>(grammar: nearley.Grammar, text: string, what: string): T {
  if (typeof text !== 'string') throw new LanguageError('PARSE_ERROR', `${what} must be a string`);
  const parser = new nearley.Parser(grammar);
  try {
    parser.feed(text);
  } catch (err) {
    const token = (err as { token?: { type?: string; value: string; line: number; col: number } }).token;
    if (token) {
      throw new LanguageError('PARSE_ERROR', `Invalid ${what}: ${describe(token)}`, { line: token.line, column: token.col });
    }
    // moo reports characters it cannot tokenize through its error token; anything else is ours.
    throw new LanguageError('PARSE_ERROR', `Invalid ${what}: ${(err as Error).message.split('\n')[0]}`, endOf(text));
  }
  const [result] = parser.results as T[];
  if (result === undefined) throw new LanguageError('PARSE_ERROR', `Invalid ${what}: unexpected end of input`, endOf(text));
  return result;
}

/** Parses a data model text into its syntax tree (no name resolution; see `DataModel.parse`). */
export function parseDataModelSyntax(text: string): DataModelNode {
  return run<DataModelNode>(compiled.dataModel, text, 'data model');
}

/**
 * Parses a query into its syntax tree. Validate it against a data model with
 * `validateQuery` to get the resolved form that the store executes.
 *
 * @example
 * const ast = parseQuery('query { r: shop.Item(price > 3) { name } }');
 */
export function parseQuery(text: string): QueryNode {
  return run<QueryNode>(compiled.query, text, 'query');
}

/** Parses a mutation into its syntax tree. */
export function parseMutation(text: string): MutationNode {
  return run<MutationNode>(compiled.mutation, text, 'mutation');
}

/** Parses a deletion into its syntax tree. */
export function parseDeletion(text: string): DeletionNode {
  return run<DeletionNode>(compiled.deletion, text, 'deletion');
}
