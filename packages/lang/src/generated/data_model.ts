// @ts-nocheck
// Generated automatically by nearley, version 2.20.1
// http://github.com/Hardmath123/nearley
// Bypasses TS6133. Allow declared but unused functions.
// @ts-ignore
function id(d: any[]): any { return d[0]; }
declare var ident: any;
declare var lbrace: any;
declare var rbrace: any;
declare var deprecatedAnnotation: any;
declare var lparen: any;
declare var rparen: any;
declare var kw_no_fti: any;
declare var comma: any;
declare var colon: any;
declare var kw_nullable: any;
declare var kw_default: any;
declare var lbrack: any;
declare var rbrack: any;
declare var kw_index: any;
declare var variable: any;
declare var string: any;
declare var float: any;
declare var integer: any;
declare var kw_true: any;
declare var kw_false: any;
declare var kw_null: any;

import { createLexer, kw, pos, unquote } from '../lexer.js';
const lexer = createLexer();
const kw_true = kw('true'), kw_false = kw('false'), kw_null = kw('null');
const kw_nullable = kw('nullable'), kw_default = kw('default'), kw_index = kw('index');
const kw_no_fti = kw('no_full_text_index');
const deprecatedAnnotation = { test: (t: any) => t.type === 'annotation' && t.value.toLowerCase() === '@deprecated' };
const SCALARS: Record<string, string> = { integer: 'Integer', float: 'Float', boolean: 'Boolean', string: 'String', base64: 'Base64', json: 'Json' };
function fieldType(name: any, nullable: any, dflt: any): any {
  const scalar = SCALARS[name.value.toLowerCase()];
  if (scalar) return { kind: 'scalar', scalar, nullable: !!nullable, default: dflt ?? undefined, pos: pos(name) };
  return { kind: 'entity', target: name.value, nullable: !!nullable, default: dflt ?? undefined, pos: pos(name) };
}

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
    {"name": "main$ebnf$1", "symbols": []},
    {"name": "main$ebnf$1", "symbols": ["main$ebnf$1", "namespace"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "main", "symbols": ["main$ebnf$1"], "postprocess": ([namespaces]) => ({ kind: 'dataModel', namespaces })},
    {"name": "namespace$ebnf$1", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": id},
    {"name": "namespace$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "namespace$ebnf$2", "symbols": []},
    {"name": "namespace$ebnf$2", "symbols": ["namespace$ebnf$2", "entity"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "namespace", "symbols": ["namespace$ebnf$1", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "namespace$ebnf$2", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess": ([n, l, entities]) => ({ name: n ? n.value : '', entities, pos: pos(n ?? l) })},
    {"name": "entity", "symbols": ["deprecated", (lexer.has("ident") ? {type: "ident"} : ident), "entityOptions", (lexer.has("lbrace") ? {type: "lbrace"} : lbrace), "entries", (lexer.has("rbrace") ? {type: "rbrace"} : rbrace)], "postprocess":  ([dep, n, opts, , entries]) => ({
        name: n.value, deprecated: dep, noFullTextIndex: opts,
        fields: entries.filter((e: any) => e.type), indexes: entries.filter((e: any) => !e.type), pos: pos(n) }) },
    {"name": "deprecated$ebnf$1", "symbols": [(lexer.has("deprecatedAnnotation") ? {type: "deprecatedAnnotation"} : deprecatedAnnotation)], "postprocess": id},
    {"name": "deprecated$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "deprecated", "symbols": ["deprecated$ebnf$1"], "postprocess": ([d]) => !!d},
    {"name": "entityOptions", "symbols": [], "postprocess": () => false},
    {"name": "entityOptions", "symbols": [(lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": () => false},
    {"name": "entityOptions$ebnf$1", "symbols": []},
    {"name": "entityOptions$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("kw_no_fti") ? {type: "kw_no_fti"} : kw_no_fti)]},
    {"name": "entityOptions$ebnf$1", "symbols": ["entityOptions$ebnf$1", "entityOptions$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "entityOptions$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "entityOptions$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "entityOptions", "symbols": [(lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("kw_no_fti") ? {type: "kw_no_fti"} : kw_no_fti), "entityOptions$ebnf$1", "entityOptions$ebnf$2", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": () => true},
    {"name": "entries", "symbols": [], "postprocess": () => []},
    {"name": "entries$ebnf$1", "symbols": []},
    {"name": "entries$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), "entry"]},
    {"name": "entries$ebnf$1", "symbols": ["entries$ebnf$1", "entries$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "entries$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "entries$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "entries", "symbols": ["entry", "entries$ebnf$1", "entries$ebnf$2"], "postprocess": ([first, rest]) => [first, ...rest.map((r: any) => r[1])]},
    {"name": "entry", "symbols": ["field"], "postprocess": id},
    {"name": "entry", "symbols": ["index"], "postprocess": id},
    {"name": "field", "symbols": ["deprecated", (lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("colon") ? {type: "colon"} : colon), "fieldType"], "postprocess": ([dep, n, , type]) => ({ name: n.value, deprecated: dep, type, pos: pos(n) })},
    {"name": "fieldType", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident)], "postprocess": ([t]) => fieldType(t, false, null)},
    {"name": "fieldType", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("kw_nullable") ? {type: "kw_nullable"} : kw_nullable)], "postprocess": ([t]) => fieldType(t, true, null)},
    {"name": "fieldType", "symbols": [(lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("kw_default") ? {type: "kw_default"} : kw_default), "literal"], "postprocess": ([t, , v]) => fieldType(t, false, v)},
    {"name": "fieldType$ebnf$1", "symbols": [(lexer.has("kw_nullable") ? {type: "kw_nullable"} : kw_nullable)], "postprocess": id},
    {"name": "fieldType$ebnf$1", "symbols": [], "postprocess": () => null},
    {"name": "fieldType", "symbols": [(lexer.has("lbrack") ? {type: "lbrack"} : lbrack), (lexer.has("ident") ? {type: "ident"} : ident), (lexer.has("rbrack") ? {type: "rbrack"} : rbrack), "fieldType$ebnf$1"], "postprocess": ([l, t, , n]) => ({ kind: 'array', target: t.value, nullable: !!n, pos: pos(t) })},
    {"name": "index$ebnf$1", "symbols": []},
    {"name": "index$ebnf$1$subexpression$1", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma), (lexer.has("ident") ? {type: "ident"} : ident)]},
    {"name": "index$ebnf$1", "symbols": ["index$ebnf$1", "index$ebnf$1$subexpression$1"], "postprocess": (d) => d[0].concat([d[1]])},
    {"name": "index$ebnf$2", "symbols": [(lexer.has("comma") ? {type: "comma"} : comma)], "postprocess": id},
    {"name": "index$ebnf$2", "symbols": [], "postprocess": () => null},
    {"name": "index", "symbols": [(lexer.has("kw_index") ? {type: "kw_index"} : kw_index), (lexer.has("lparen") ? {type: "lparen"} : lparen), (lexer.has("ident") ? {type: "ident"} : ident), "index$ebnf$1", "index$ebnf$2", (lexer.has("rparen") ? {type: "rparen"} : rparen)], "postprocess": ([i, , f, rest]) => ({ fields: [f, ...rest.map((r: any) => r[1])].map((t: any) => ({ name: t.value, pos: pos(t) })), pos: pos(i) })},
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
