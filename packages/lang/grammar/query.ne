@preprocessor typescript
@{%
import { createLexer, kw, pos, unquote } from '../lexer.js';
const lexer = createLexer();
const kw_true = kw('true'), kw_false = kw('false'), kw_null = kw('null');
const kw_query = kw('query'), kw_search = kw('search'), kw_order_by = kw('order_by');
const kw_first = kw('first'), kw_skip = kw('skip'), kw_before = kw('before'), kw_after = kw('after');
const kw_nullable = kw('nullable'), kw_asc = kw('asc'), kw_desc = kw('desc');
const kw_fn = { test: (t: any) => t.type === 'ident' && ['count', 'avg', 'min', 'max', 'sum'].includes(t.value.toLowerCase()) };
const list = (first: any, rest: any[]) => [first, ...rest.map((r: any) => r[1])];
const named = (t: any) => ({ name: t.value, pos: pos(t) });
%}
@lexer lexer

main -> %kw_query %ident:? %lbrace queryEntity:+ %rbrace
  {% ([, n, , entities]) => ({ kind: 'query', name: n ? n.value : undefined, entities }) %}
queryEntity -> alias:? %ident params %lbrace projections %rbrace
  {% ([alias, n, params, , fields]) => ({ alias: alias ?? undefined, name: n.value, params, fields, pos: pos(n) }) %}
projections -> projection (%comma:? projection):* %comma:? {% ([first, rest]) => list(first, rest) %}
projection -> %ident {% ([t]) => ({ kind: 'field', name: t.value, pos: pos(t) }) %}
  | alias %ident {% ([a, t]) => ({ kind: 'field', alias: a, name: t.value, pos: pos(t) }) %}
  | queryEntityWithBody {% id %}
  | alias jsonSelector {% ([a, s]) => ({ kind: 'json', alias: a, field: s.field, path: s.path, pos: s.pos }) %}
  | alias %kw_fn %lparen %ident:? %rparen
    {% ([a, f, , arg]) => ({ kind: 'function', alias: a, fn: f.value.toLowerCase(), field: arg ? arg.value : undefined, fieldPos: arg ? pos(arg) : undefined, pos: pos(f) }) %}
queryEntityWithBody -> alias:? %ident params %lbrace projections %rbrace
  {% ([alias, n, params, , fields]) => ({ kind: 'entity', pos: pos(n), entity: { alias: alias ?? undefined, name: n.value, params, fields, pos: pos(n) } }) %}
params -> null {% () => [] %}
  | %lparen %rparen {% () => [] %}
  | %lparen param (%comma param):* %comma:? %rparen {% ([, first, rest]) => list(first, rest) %}
param -> %kw_search %lparen value %rparen {% ([k, , value]) => ({ kind: 'search', value, pos: pos(k) }) %}
  | %kw_order_by %lparen orderField (%comma orderField):* %comma:? %rparen
    {% ([k, , first, rest]) => ({ kind: 'orderBy', fields: list(first, rest), pos: pos(k) }) %}
  | %kw_first limit {% ([k, value]) => ({ kind: 'first', value, pos: pos(k) }) %}
  | %kw_skip limit {% ([k, value]) => ({ kind: 'skip', value, pos: pos(k) }) %}
  | %kw_before %lparen value (%comma value):* %comma:? %rparen {% ([k, , first, rest]) => ({ kind: 'before', values: list(first, rest), pos: pos(k) }) %}
  | %kw_after %lparen value (%comma value):* %comma:? %rparen {% ([k, , first, rest]) => ({ kind: 'after', values: list(first, rest), pos: pos(k) }) %}
  | %kw_nullable %lparen %ident (%comma %ident):* %comma:? %rparen
    {% ([k, , first, rest]) => ({ kind: 'nullable', fields: list(first, rest).map(named), pos: pos(k) }) %}
  | %ident operator value {% ([f, operator, value]) => ({ kind: 'filter', field: f.value, operator, value, pos: pos(f) }) %}
  | jsonSelector operator value {% ([s, operator, value]) => ({ kind: 'filter', field: s.field, jsonPath: s.path, operator, value, pos: s.pos }) %}
orderField -> %ident (%kw_asc | %kw_desc)
  {% ([f, [d]]) => ({ name: f.value, direction: d.value.toLowerCase(), pos: pos(f) }) %}
limit -> %integer {% ([t]) => ({ kind: 'integer', value: Number(t.value), text: t.value, pos: pos(t) }) %}
  | %variable {% ([t]) => ({ kind: 'variable', name: t.value.slice(1), pos: pos(t) }) %}
operator -> (%eq | %neq | %gt | %gte | %lt | %lte) {% ([[t]]) => t.value %}
jsonSelector -> %ident %arrow (%jsonpath | %integer)
  {% ([f, , [p]]) => ({ field: f.value, path: p.type === 'integer' ? '$[' + p.value + ']' : p.value, pos: pos(f) }) %}
@include "common.ne"
