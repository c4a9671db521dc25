@preprocessor typescript
@{%
import { createLexer, kw, pos, unquote } from '../lexer.js';
const lexer = createLexer();
const kw_true = kw('true'), kw_false = kw('false'), kw_null = kw('null'), kw_mutate = kw('mutate');
%}
@lexer lexer

main -> %kw_mutate %ident:? %lbrace mutationEntity:+ %rbrace
  {% ([, n, , entities]) => ({ kind: 'mutation', name: n ? n.value : undefined, entities }) %}
mutationEntity -> alias:? %ident %lbrace fields %rbrace
  {% ([alias, n, , fields]) => ({ alias: alias ?? undefined, name: n.value, fields, pos: pos(n) }) %}
fields -> null {% () => [] %}
  | field (%comma:? field):* %comma:? {% ([first, rest]) => [first, ...rest.map((r: any) => r[1])] %}
field -> %ident %colon fieldValue {% ([n, , value]) => ({ name: n.value, value, pos: pos(n) }) %}
fieldValue -> value {% id %}
  | object {% id %}
  | %lbrack object (%comma:? object):* %comma:? %rbrack
    {% ([l, first, rest]) => ({ kind: 'array', items: [first, ...rest.map((r: any) => r[1])], pos: pos(l) }) %}
object -> %lbrace fields %rbrace {% ([l, fields]) => ({ kind: 'object', fields, pos: pos(l) }) %}
@include "common.ne"
