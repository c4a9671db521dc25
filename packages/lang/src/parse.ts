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

/**
 * Bounds every request and data model before any parsing, so that a hostile or runaway text
 * fails in milliseconds with a position instead of costing seconds and memory further down
 * (a query nested 1,000 relations deep took 34 s and 450 MB before it failed in SQLite).
 */
export const LIMITS = {
  /** Characters of one text. */
  textLength: 1 << 20,
  /** Brackets open at once: `{`, `(` and `[` (a relation nested in a query is one `{`). */
  nesting: 64,
  /**
   * Filters in one query, all blocks together. SQLite caps the depth of an expression tree at
   * 1,000; the store joins filters as a balanced tree, so 500 of them add 9 levels.
   */
  filters: 500,
  /**
   * Relation blocks nested inside one another in a query. Each is a level of subqueries, about
   * 45 levels of SQLite's expression tree: 22 was the most that ran (measured).
   */
  relationDepth: 16,
} as const;

/** Checks the size and nesting of `text` with one pass over its characters. */
function checkLimits(text: string, what: string): void {
  if (text.length > LIMITS.textLength) {
    throw new LanguageError('TOO_COMPLEX', `The ${what} is ${text.length} characters long; the limit is ${LIMITS.textLength}`);
  }
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 /* \n */) {
      line++;
      lineStart = i + 1;
    } else if (c === 34 /* " */) {
      // Skip the string (escapes included); newlines inside it still count as lines.
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) {
        if (text.charCodeAt(i) === 92 /* \ */) i++;
        else if (text.charCodeAt(i) === 10) {
          line++;
          lineStart = i + 1;
        }
      }
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10) i++;
    } else if (c === 123 || c === 40 || c === 91 /* { ( [ */) {
      if (++depth > LIMITS.nesting) {
        throw new LanguageError('TOO_COMPLEX', `The ${what} nests deeper than ${LIMITS.nesting} brackets`, { line, column: i - lineStart + 1 });
      }
    } else if (c === 125 || c === 41 || c === 93 /* } ) ] */) {
      depth--;
    }
  }
}

/** Runs one grammar over `text`; any failure becomes a PARSE_ERROR with a position. */
function run<T>(grammar: nearley.Grammar, text: string, what: string): T {
  if (typeof text !== 'string') throw new LanguageError('PARSE_ERROR', `The ${what} must be a string, not ${text === null ? 'null' : typeof text}`);
  checkLimits(text, what);
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
