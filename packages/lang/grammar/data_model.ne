@preprocessor typescript
@{%
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
%}
@lexer lexer

main -> namespace:* {% ([namespaces]) => ({ kind: 'dataModel', namespaces }) %}
namespace -> %ident:? %lbrace entity:* %rbrace
  {% ([n, l, entities]) => ({ name: n ? n.value : '', entities, pos: pos(n ?? l) }) %}
entity -> deprecated %ident entityOptions %lbrace entries %rbrace
  {% ([dep, n, opts, , entries]) => ({
      name: n.value, deprecated: dep, noFullTextIndex: opts,
      fields: entries.filter((e: any) => e.type), indexes: entries.filter((e: any) => !e.type), pos: pos(n) }) %}
deprecated -> %deprecatedAnnotation:? {% ([d]) => !!d %}
entityOptions -> null {% () => false %}
  | %lparen %rparen {% () => false %}
  | %lparen %kw_no_fti (%comma %kw_no_fti):* %comma:? %rparen {% () => true %}
entries -> null {% () => [] %}
  | entry (%comma entry):* %comma:? {% ([first, rest]) => [first, ...rest.map((r: any) => r[1])] %}
entry -> field {% id %} | index {% id %}
field -> deprecated %ident %colon fieldType
  {% ([dep, n, , type]) => ({ name: n.value, deprecated: dep, type, pos: pos(n) }) %}
fieldType -> %ident {% ([t]) => fieldType(t, false, null) %}
  | %ident %kw_nullable {% ([t]) => fieldType(t, true, null) %}
  | %ident %kw_default literal {% ([t, , v]) => fieldType(t, false, v) %}
  | %lbrack %ident %rbrack %kw_nullable:?
    {% ([l, t, , n]) => ({ kind: 'array', target: t.value, nullable: !!n, pos: pos(t) }) %}
index -> %kw_index %lparen %ident (%comma %ident):* %comma:? %rparen
  {% ([i, , f, rest]) => ({ fields: [f, ...rest.map((r: any) => r[1])].map((t: any) => ({ name: t.value, pos: pos(t) })), pos: pos(i) }) %}
@include "common.ne"
