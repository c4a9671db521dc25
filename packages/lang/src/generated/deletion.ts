// @ts-nocheck
// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var kw_delete: any;
declare var ident: any;
declare var lbrace: any;
declare var rbrace: any;
declare var variable: any;
declare var comma: any;
declare var lbrack: any;
declare var rbrack: any;
declare var string: any;
declare var float: any;
declare var integer: any;
declare var kw_true: any;
declare var kw_false: any;
declare var kw_null: any;
declare var colon: any;

import { createLexer, kw, pos, unquote } from '../lexer.js';
const lexer = createLexer();
const kw_true = kw('true'), kw_false = kw('false'), kw_null = kw('null'), kw_delete = kw('delete');
const named = (t: any) => ({ name: t.value.slice(1), pos: pos(t) });

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
    {"name": "main$ebnf$2", "symbols": ["deletionEntity"]},
    {"name": "main$ebnf$2", "symbols": ["main$ebnf$2", "deletionEntity"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "main", "symbols": [(lexer.has("kw_delete") ? {type: "kw_delete"} : kw_delete), "main$ebnf$1", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "main$ebnf$2", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([, n, , entities]) => ({ kind: 'deletion', name: n ? n.value : undefined, entities })},
    {"name": "deletionEntity$ebnf$1", "symbols": ["alias"], "postprocess": id},
    {"name": "deletionEntity$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "deletionEntity$ebnf$2", "symbols": []},
    {"name": "deletionEntity$ebnf$2$subexpression$1$ebnf$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "deletionEntity$ebnf$2$subexpression$1$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "deletionEntity$ebnf$2$subexpression$1", "symbols": ["deletionEntity$ebnf$2$subexpression$1$ebnf$1", "relation"]},
    {"name": "deletionEntity$ebnf$2", "symbols": ["deletionEntity$ebnf$2", "deletionEntity$ebnf$2$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "deletionEntity$ebnf$3", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "deletionEntity$ebnf$3", "symbols": [], "postprocess": () => null},
    {"name": "deletionEntity", "symbols": ["deletionEntity$ebnf$1", (lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), (lexer.has("variable") ? {type: "variable"} : variable), "deletionEntity$ebnf$2", "deletionEntity$ebnf$3", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([alias, n, , v, rest]) => ({ alias: alias ?? undefined, name: n.value, id: named(v), relations: rest.map((r: any) => r[1]), pos: pos(n) })},
    {"name": "relation$ebnf$1", "symbols": []},
    {"name": "relation$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("variable") ? {type: "variable"} : variable)]},
    {"name": "relation$ebnf$1", "symbols": ["relation$ebnf$1", "relation$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "relation$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "relation$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "relation", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("lbrack") ? {type: "lbrack"} : lbrack), (lexer.has("variable") ? {type: "variable"} : variable), "relation$ebnf$1", "relation$ebnf$2", (lexer.has("rbrack") ? {type: "rbrack"} : rbrack)], "postprocess": ([n, , first, rest]) => ({ name: n.value, ids: [first, ...rest.map((r: any) => r[1])].map(named), pos: pos(n) })},
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
