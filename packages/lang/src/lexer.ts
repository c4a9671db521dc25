import moo from 'moo';
import type { Position } from './errors.js';

/**
 * One lexer for the four languages. Keywords are not token types: they are identifiers that
 * the grammars match case-insensitively (see `kw`), so a field may still be named `first`.
 */
const rules: moo.Rules = {
  ws: { match: /[ \t\r\n]+/u, lineBreaks: true },
  comment: /\/\/[^\n]*/u,
  string: { match: /"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/u, lineBreaks: true },
  arrow: '->',
  neq: '!=',
  gte: '>=',
  lte: '<=',
  gt: '>',
  lt: '<',
  eq: '=',
  float: /-?(?:0|[1-9][0-9]*)\.[0-9]*(?:[eE][+-]?[0-9]+)?(?![\p{L}\p{N}_])/u,
  integer: /-?[0-9]+(?![\p{L}_.])/u,
  variable: /\$[\p{L}\p{N}_]+/u,
  jsonpath: /\$(?:\.[\p{L}\p{N}_]+(?:\[[0-9]+\])*)*/u,
  annotation: /@[\p{L}\p{N}_]+/u,
  ident: /[\p{L}\p{N}_]+(?:\.[\p{L}\p{N}_]+)*/u,
  lbrace: '{',
  rbrace: '}',
  lparen: '(',
  rparen: ')',
  lbrack: '[',
  rbrack: ']',
  colon: ':',
  comma: ',',
  error: moo.error,
};

const TOKEN_TYPES = new Set(Object.keys(rules));
const SKIPPED = new Set(['ws', 'comment']);

export type Token = moo.Token;

/** The lexer handed to nearley: moo without whitespace and comments. */
export function createLexer() {
  const inner = moo.compile(rules);
  return {
    reset(chunk: string, info?: moo.LexerState) {
      inner.reset(chunk, info);
    },
    next(): moo.Token | undefined {
      for (;;) {
        const token = inner.next();
        if (token === undefined || !SKIPPED.has(token.type ?? '')) return token;
      }
    },
    save: () => inner.save(),
    formatError: (token: moo.Token, message?: string) => inner.formatError(token, message),
    // nearley asks `has(name)` to tell token types from JS matchers such as `kw(...)`.
    has: (name: string) => TOKEN_TYPES.has(name),
  };
}

/** A nearley token matcher for a case-insensitive keyword. */
export function kw(word: string) {
  return { test: (t: moo.Token) => t.type === 'ident' && t.value.toLowerCase() === word };
}

export function pos(t: { line: number; col: number }): Position {
  return { line: t.line, column: t.col };
}

/** Decodes a string token's JSON escapes; raw newlines are kept as written. */
export function unquote(text: string): string {
  return JSON.parse(text.replace(/[\n\r\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'))) as string;
}
