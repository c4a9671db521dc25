import type { FieldDef, JsonValue, ResolvedMutationEntity } from '@discret/lang';

/**
 * The stored JSON of a new row, and the text its full-text index holds, written straight from
 * the mutation's values. The row is keyed by field short ids, which are integers ("32"), and
 * V8 keeps such keys as array elements: filling an object with them and stringifying it took
 * about 2 µs a row, a tenth of a bulk insert's writer thread (measured, `--cpu-prof`). The
 * text here is byte for byte what `JSON.stringify` gives for that object: integer keys in
 * ascending order, a value that stringifies to nothing left out.
 */
export interface NewRowLayout {
  /** The stored fields, in ascending short id order. */
  fields: LaidOutField[];
}

interface LaidOutField {
  /** `"32":`, the key as it is written. */
  key: string;
  /** Index of the field's value among the mutation's values; -1: the field's default. */
  valueIndex: number;
  default: JsonValue | undefined;
  /** A String field: its text goes to the full-text index. */
  indexed: boolean;
}

const layouts = new WeakMap<ResolvedMutationEntity, NewRowLayout | null>();
const ARRAY_INDEX = /^(0|[1-9][0-9]{0,8})$/;

/**
 * The layout of the rows `m` inserts, kept per mutation; null when a short id is not a plain
 * integer (JSON.stringify's key order would then differ, and the caller uses it instead).
 */
export function newRowLayout(m: ResolvedMutationEntity): NewRowLayout | null {
  let layout = layouts.get(m);
  if (layout === undefined) {
    layout = makeLayout(m);
    layouts.set(m, layout);
  }
  return layout;
}

function makeLayout(m: ResolvedMutationEntity): NewRowLayout | null {
  const byId = new Map<string, { field: FieldDef; valueIndex: number }>();
  for (const field of m.entity.fields) if (field.default !== undefined) byId.set(field.shortId, { field, valueIndex: -1 });
  // A value replaces its field's default, as assigning it to the object would.
  m.values.forEach(({ field }, valueIndex) => {
    byId.set(field.shortId, { field, valueIndex });
  });
  const ids = [...byId.keys()];
  if (!ids.every((id) => ARRAY_INDEX.test(id))) return null;
  ids.sort((a, b) => Number(a) - Number(b));
  return {
    fields: ids.map((id) => {
      const { field, valueIndex } = byId.get(id)!;
      return { key: `${JSON.stringify(id)}:`, valueIndex, default: field.default, indexed: field.scalar === 'String' };
    }),
  };
}

/** The row's JSON text and its full-text (String fields joined by newlines, '' when none). */
export function newRowJson(layout: NewRowLayout, values: readonly JsonValue[]): { json: string; text: string } {
  let json = '';
  let text = '';
  for (const field of layout.fields) {
    const value = field.valueIndex < 0 ? field.default : values[field.valueIndex];
    const valueText = JSON.stringify(value) as string | undefined;
    if (valueText === undefined) continue;
    json = json ? `${json},${field.key}${valueText}` : field.key + valueText;
    if (field.indexed && typeof value === 'string') text = text ? `${text}\n${value}` : value;
  }
  return { json: `{${json}}`, text };
}
