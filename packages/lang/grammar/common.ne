# Pieces shared by the four grammars (included by each).
value -> %variable {% ([t]) => ({ kind: 'variable', name: t.value.slice(1), pos: pos(t) }) %}
  | literal {% id %}
literal -> %string {% ([t]) => ({ kind: 'string', value: unquote(t.value), pos: pos(t) }) %}
  | %float {% ([t]) => ({ kind: 'float', value: Number(t.value), pos: pos(t) }) %}
  | %integer {% ([t]) => ({ kind: 'integer', value: Number(t.value), text: t.value, pos: pos(t) }) %}
  | %kw_true {% ([t]) => ({ kind: 'boolean', value: true, pos: pos(t) }) %}
  | %kw_false {% ([t]) => ({ kind: 'boolean', value: false, pos: pos(t) }) %}
  | %kw_null {% ([t]) => ({ kind: 'null', pos: pos(t) }) %}
alias -> %ident %colon {% ([t]) => t.value %}
