// @ts-nocheck
// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var kw_query: any;
declare var ident: any;
declare var lbrace: any;
declare var rbrace: any;
declare var comma: any;
declare var kw_fn: any;
declare var lparen: any;
declare var rparen: any;
declare var kw_search: any;
declare var kw_order_by: any;
declare var kw_first: any;
declare var kw_skip: any;
declare var kw_before: any;
declare var kw_after: any;
declare var kw_nullable: any;
declare var kw_asc: any;
declare var kw_desc: any;
declare var integer: any;
declare var variable: any;
declare var eq: any;
declare var neq: any;
declare var gt: any;
declare var gte: any;
declare var lt: any;
declare var lte: any;
declare var arrow: any;
declare var jsonpath: any;
declare var string: any;
declare var float: any;
declare var kw_true: any;
declare var kw_false: any;
declare var kw_null: any;
declare var colon: any;

import { createLexer, kw, pos, unquote } from '../lexer.js';
const lexer = createLexer();
const kw_true = kw('true'), kw_false = kw('false'), kw_null = kw('null');
const kw_query = kw('query'), kw_search = kw('search'), kw_order_by = kw('order_by');
const kw_first = kw('first'), kw_skip = kw('skip'), kw_before = kw('before'), kw_after = kw('after');
const kw_nullable = kw('nullable'), kw_asc = kw('asc'), kw_desc = kw('desc');
const kw_fn = { test: (t: any) => t.type === 'ident' && ['count', 'avg', 'min', 'max', 'sum'].includes(t.value.toLowerCase()) };
const list = (first: any, rest: any[]) => [first, ...rest.map((r: any) => r[1])];
const named = (t: any) => ({ name: t.value, pos: pos(t) });

interface NearleyToken {
  value: any;
  [key: string]: any;
};

interface NearleyLexer {
  reset: (chunk: string, info: any) => void;
  next: () => NearleyToken | undefined;
  save: () => any;
  formatError: (token: never) => string;
  has: (tokenType: string) => boolean;
};

interface NearleyRule {
  name: string;
  symbols: NearleySymbol[];
  postprocess?: (d: any[], loc?: number, reject?: {}) => any;
};

type NearleySymbol = string | { literal: any } | { test: (token: any) => boolean };

interface Grammar {
  Lexer: NearleyLexer | undefined;
  ParserRules: NearleyRule[];
  ParserStart: string;
};

const grammar: Grammar = {
  Lexer: lexer,
  ParserRules: [
    {"name": "main$ebnf$1", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": id},
    {"name": "main$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "main$ebnf$2", "symbols": ["queryEntity"]},
    {"name": "main$ebnf$2", "symbols": ["main$ebnf$2", "queryEntity"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "main", "symbols": [(lexer.has("kw_query") ? {type: "kw_query"} : kw_query), "main$ebnf$1", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "main$ebnf$2", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([, n, , entities]) => ({ kind: 'query', name: n ? n.value : undefined, entities })},
    {"name": "queryEntity$ebnf$1", "symbols": ["alias"], "postprocess": id},
    {"name": "queryEntity$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "queryEntity", "symbols": ["queryEntity$ebnf$1", (lexer.has("ident") ? {type: "ident"} : ident), "params", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "projections", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([alias, n, params, , fields]) => ({ alias: alias ?? undefined, name: n.value, params, fields, pos: pos(n) })},
    {"name": "projections$ebnf$1", "symbols": []},
    {"name": "projections$ebnf$1$subexpression$1$ebnf$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "projections$ebnf$1$subexpression$1$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "projections$ebnf$1$subexpression$1", "symbols": ["projections$ebnf$1$subexpression$1$ebnf$1", "projection"]},
    {"name": "projections$ebnf$1", "symbols": ["projections$ebnf$1", "projections$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "projections$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "projections$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "projections", "symbols": ["projection", "projections$ebnf$1", "projections$ebnf$2"], "postprocess": ([first, rest]) => list(first, rest)},
    {"name": "projection", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": ([t]) => ({ kind: 'field', name: t.value, pos: pos(t) })},
    {"name": "projection", "symbols": ["alias", (lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": ([a, t]) => ({ kind: 'field', alias: a, name: t.value, pos: pos(t) })},
    {"name": "projection", "symbols": ["queryEntityWithBody"], "postprocess": id},
    {"name": "projection", "symbols": ["alias", "jsonSelector"], "postprocess": ([a, s]) => ({ kind: 'json', alias: a, field: s.field, path: s.path, pos: s.pos })},
    {"name": "projection$ebnf$1", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": id},
    {"name": "projection$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "projection", "symbols": ["alias", (lexer.has("kw_fn") ? {type: "kw_fn"} : kw_fn), (lexer.has("lparen") ? {type: "lparen"} : lparen), "projection$ebnf$1", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": ([a, f, , arg]) => ({ kind: 'function', alias: a, fn: f.value.toLowerCase(), field: arg ? arg.value : undefined, fieldPos: arg ? pos(arg) : undefined, pos: pos(f) })},
    {"name": "queryEntityWithBody$ebnf$1", "symbols": ["alias"], "postprocess": id},
    {"name": "queryEntityWithBody$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "queryEntityWithBody", "symbols": ["queryEntityWithBody$ebnf$1", (lexer.has("ident") ? {type: "ident"} : ident), "params", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "projections", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([alias, n, params, , fields]) => ({ kind: 'entity', pos: pos(n), entity: { alias: alias ?? undefined, name: n.value, params, fields, pos: pos(n) } })},
    {"name": "params", "symbols": [], "postprocess": () => []},
    {"name": "params", "symbols": [(lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": () => []},
    {"name": "params$ebnf$1", "symbols": []},
    {"name": "params$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "param"]},
    {"name": "params$ebnf$1", "symbols": ["params$ebnf$1", "params$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "params$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "params$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "params", "symbols": [(lexer.has("lparen") ? {type: "lparen"} : lparen), "param", "params$ebnf$1", "params$ebnf$2", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": ([, first, rest]) => list(first, rest)},
    {"name": "param", "symbols": [(lexer.has("kw_search") ? {type: "kw_search"} : kw_search), (lexer.has("lparen") ? {type: "lparen"} : lparen), "value", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": ([k, , value]) => ({ kind: 'search', value, pos: pos(k) })},
    {"name": "param$ebnf$1", "symbols": []},
    {"name": "param$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "orderField"]},
    {"name": "param$ebnf$1", "symbols": ["param$ebnf$1", "param$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "param$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "param$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "param", "symbols": [(lexer.has("kw_order_by") ? {type: "kw_order_by"} : kw_order_by), (lexer.has("lparen") ? {type: "lparen"} : lparen), "orderField", "param$ebnf$1", "param$ebnf$2", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": ([k, , first, rest]) => ({ kind: 'orderBy', fields: list(first, rest), pos: pos(k) })},
    {"name": "param", "symbols": [(lexer.has("kw_first") ? {type: "kw_first"} : kw_first), "limit"], "postprocess": ([k, value]) => ({ kind: 'first', value, pos: pos(k) })},
    {"name": "param", "symbols": [(lexer.has("kw_skip") ? {type: "kw_skip"} : kw_skip), "limit"], "postprocess": ([k, value]) => ({ kind: 'skip', value, pos: pos(k) })},
    {"name": "param$ebnf$3", "symbols": []},
    {"name": "param$ebnf$3$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "value"]},
    {"name": "param$ebnf$3", "symbols": ["param$ebnf$3", "param$ebnf$3$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "param$ebnf$4", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "param$ebnf$4", "symbols": [], "postprocess": () => null},
    {"name": "param", "symbols": [(lexer.has("kw_before") ? {type: "kw_before"} : kw_before), (lexer.has("lparen") ? {type: "lparen"} : lparen), "value", "param$ebnf$3", "param$ebnf$4", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": ([k, , first, rest]) => ({ kind: 'before', values: list(first, rest), pos: pos(k) })},
    {"name": "param$ebnf$5", "symbols": []},
    {"name": "param$ebnf$5$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "value"]},
    {"name": "param$ebnf$5", "symbols": ["param$ebnf$5", "param$ebnf$5$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "param$ebnf$6", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "param$ebnf$6", "symbols": [], "postprocess": () => null},
    {"name": "param", "symbols": [(lexer.has("kw_after") ? {type: "kw_after"} : kw_after), (lexer.has("lparen") ? {type: "lparen"} : lparen), "value", "param$ebnf$5", "param$ebnf$6", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": ([k, , first, rest]) => ({ kind: 'after', values: list(first, rest), pos: pos(k) })},
    {"name": "param$ebnf$7", "symbols": []},
    {"name": "param$ebnf$7$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("ident") ? {type: "ident"} : ident)]},
    {"name": "param$ebnf$7", "symbols": ["param$ebnf$7", "param$ebnf$7$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "param$ebnf$8", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "param$ebnf$8", "symbols": [], "postprocess": () => null},
    {"name": "param", "symbols": [(lexer.has("kw_nullable") ? {type: "kw_nullable"} : kw_nullable), (lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("ident") ? {type: "ident"} : ident), "param$ebnf$7", "param$ebnf$8", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": ([k, , first, rest]) => ({ kind: 'nullable', fields: list(first, rest).map(named), pos: pos(k) })},
    {"name": "param", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), "operator", "value"], "postprocess": ([f, operator, value]) => ({ kind: 'filter', field: f.value, operator, value, pos: pos(f) })},
    {"name": "param", "symbols": ["jsonSelector", "operator", "value"], "postprocess": ([s, operator, value]) => ({ kind: 'filter', field: s.field, jsonPath: s.path, operator, value, pos: s.pos })},
    {"name": "orderField$subexpression$1", "symbols": [(lexer.has("kw_asc") ? {type: "kw_asc"} : kw_asc)]},
    {"name": "orderField$subexpression$1", "symbols": [(lexer.has("kw_desc") ? {type: "kw_desc"} : kw_desc)]},
    {"name": "orderField", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), "orderField$subexpression$1"], "postprocess": ([f, [d]]) => ({ name: f.value, direction: d.value.toLowerCase(), pos: pos(f) })},
    {"name": "limit", "symbols": [(lexer.has("integer") ? {type: "integer"} : integer)], "postprocess": ([t]) => ({ kind: 'integer', value: Number(t.value), text: t.value, pos: pos(t) })},
    {"name": "limit", "symbols": [(lexer.has("variable") ? {type: "variable"} : variable)], "postprocess": ([t]) => ({ kind: 'variable', name: t.value.slice(1), pos: pos(t) })},
    {"name": "operator$subexpression$1", "symbols": [(lexer.has("eq") ? {type: "eq"} : eq)]},
    {"name": "operator$subexpression$1", "symbols": [(lexer.has("neq") ? {type: "neq"} : neq)]},
    {"name": "operator$subexpression$1", "symbols": [(lexer.has("gt") ? {type: "gt"} : gt)]},
    {"name": "operator$subexpression$1", "symbols": [(lexer.has("gte") ? {type: "gte"} : gte)]},
    {"name": "operator$subexpression$1", "symbols": [(lexer.has("lt") ? {type: "lt"} : lt)]},
    {"name": "operator$subexpression$1", "symbols": [(lexer.has("lte") ? {type: "lte"} : lte)]},
    {"name": "operator", "symbols": ["operator$subexpression$1"], "postprocess": ([[t]]) => t.value},
    {"name": "jsonSelector$subexpression$1", "symbols": [(lexer.has("jsonpath") ? {type: "jsonpath"} : jsonpath)]},
    {"name": "jsonSelector$subexpression$1", "symbols": [(lexer.has("integer") ? {type: "integer"} : integer)]},
    {"name": "jsonSelector", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("arrow") ? {type: "arrow"} : arrow), "jsonSelector$subexpression$1"], "postprocess": ([f, , [p]]) => ({ field: f.value, path: p.type === 'integer' ? '$[' + p.value + ']' : p.value, pos: pos(f) })},
    {"name": "value", "symbols": [(lexer.has("variable") ? {type: "variable"} : variable)], "postprocess": ([t]) => ({ kind: 'variable', name: t.value.slice(1), pos: pos(t) })},
    {"name": "value", "symbols": ["literal"], "postprocess": id},
    {"name": "literal", "symbols": [(lexer.has("string") ? {type: "string"} : string)], "postprocess": ([t]) => ({ kind: 'string', value: unquote(t.value), pos: pos(t) })},
    {"name": "literal", "symbols": [(lexer.has("float") ? {type: "float"} : float)], "postprocess": ([t]) => ({ kind: 'float', value: Number(t.value), pos: pos(t) })},
    {"name": "literal", "symbols": [(lexer.has("integer") ? {type: "integer"} : integer)], "postprocess": ([t]) => ({ kind: 'integer', value: Number(t.value), text: t.value, pos: pos(t) })},
    {"name": "literal", "symbols": [(lexer.has("kw_true") ? {type: "kw_true"} : kw_true)], "postprocess": ([t]) => ({ kind: 'boolean', value: true, pos: pos(t) })},
    {"name": "literal", "symbols": [(lexer.has("kw_false") ? {type: "kw_false"} : kw_false)], "postprocess": ([t]) => ({ kind: 'boolean', value: false, pos: pos(t) })},
    {"name": "literal", "symbols": [(lexer.has("kw_null") ? {type: "kw_null"} : kw_null)], "postprocess": ([t]) => ({ kind: 'null', pos: pos(t) })},
    {"name": "alias", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("colon") ? {type: "colon"} : colon)], "postprocess": ([t]) => t.value}
  ],
  ParserStart: "main",
};

export default grammar;
