// @ts-nocheck
// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var kw_mutate: any;
declare var ident: any;
declare var lbrace: any;
declare var rbrace: any;
declare var comma: any;
declare var colon: any;
declare var lbrack: any;
declare var rbrack: any;
declare var variable: any;
declare var string: any;
declare var float: any;
declare var integer: any;
declare var kw_true: any;
declare var kw_false: any;
declare var kw_null: any;

import { createLexer, kw, pos, unquote } from '../lexer.js';
const lexer = createLexer();
const kw_true = kw('true'), kw_false = kw('false'), kw_null = kw('null'), kw_mutate = kw('mutate');

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
    {"name": "main$ebnf$2", "symbols": ["mutationEntity"]},
    {"name": "main$ebnf$2", "symbols": ["main$ebnf$2", "mutationEntity"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "main", "symbols": [(lexer.has("kw_mutate") ? {type: "kw_mutate"} : kw_mutate), "main$ebnf$1", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "main$ebnf$2", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([, n, , entities]) => ({ kind: 'mutation', name: n ? n.value : undefined, entities })},
    {"name": "mutationEntity$ebnf$1", "symbols": ["alias"], "postprocess": id},
    {"name": "mutationEntity$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "mutationEntity", "symbols": ["mutationEntity$ebnf$1", (lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "fields", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([alias, n, , fields]) => ({ alias: alias ?? undefined, name: n.value, fields, pos: pos(n) })},
    {"name": "fields", "symbols": [], "postprocess": () => []},
    {"name": "fields$ebnf$1", "symbols": []},
    {"name": "fields$ebnf$1$subexpression$1$ebnf$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "fields$ebnf$1$subexpression$1$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "fields$ebnf$1$subexpression$1", "symbols": ["fields$ebnf$1$subexpression$1$ebnf$1", "field"]},
    {"name": "fields$ebnf$1", "symbols": ["fields$ebnf$1", "fields$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "fields$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "fields$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "fields", "symbols": ["field", "fields$ebnf$1", "fields$ebnf$2"], "postprocess": ([first, rest]) => [first, ...rest.map((r: any) => r[1])]},
    {"name": "field", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("colon") ? {type: "colon"} : colon), "fieldValue"], "postprocess": ([n, , value]) => ({ name: n.value, value, pos: pos(n) })},
    {"name": "fieldValue", "symbols": ["value"], "postprocess": id},
    {"name": "fieldValue", "symbols": ["object"], "postprocess": id},
    {"name": "fieldValue$ebnf$1", "symbols": []},
    {"name": "fieldValue$ebnf$1$subexpression$1$ebnf$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "fieldValue$ebnf$1$subexpression$1$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "fieldValue$ebnf$1$subexpression$1", "symbols": ["fieldValue$ebnf$1$subexpression$1$ebnf$1", "object"]},
    {"name": "fieldValue$ebnf$1", "symbols": ["fieldValue$ebnf$1", "fieldValue$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "fieldValue$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "fieldValue$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "fieldValue", "symbols": [(lexer.has("lbrack") ? {type: "lbrack"} : lbrack), "object", "fieldValue$ebnf$1", "fieldValue$ebnf$2", (lexer.has("rbrack") ? {type: "rbrack"} : rbrack)], "postprocess": ([l, first, rest]) => ({ kind: 'array', items: [first, ...rest.map((r: any) => r[1])], pos: pos(l) })},
    {"name": "object", "symbols": [(lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "fields", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([l, fields]) => ({ kind: 'object', fields, pos: pos(l) })},
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
