@preprocessor typescript
@{%
import { createLexer, kw, pos, unquote } from '../lexer.js';
const lexer = createLexer();
const kw_true = kw('true'), kw_false = kw('false'), kw_null = kw('null'), kw_delete = kw('delete');
const named = (t: any) => ({ name: t.value.slice(1), pos: pos(t) });
%}
@lexer lexer

main -> %kw_delete %ident:? %lbrace deletionEntity:+ %rbrace
  {% ([, n, , entities]) => ({ kind: 'deletion', name: n ? n.value : undefined, entities }) %}
deletionEntity -> alias:? %ident %lbrace %variable (%comma:? relation):* %comma:? %rbrace
  {% ([alias, n, , v, rest]) => ({ alias: alias ?? undefined, name: n.value, id: named(v), relations: rest.map((r: any) => r[1]), pos: pos(n) }) %}
relation -> %ident %lbrack %variable (%comma %variable):* %comma:? %rbrack
  {% ([n, , first, rest]) => ({ name: n.value, ids: [first, ...rest.map((r: any) => r[1])].map(named), pos: pos(n) }) %}
@include "common.ne"
