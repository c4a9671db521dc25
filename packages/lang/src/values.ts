import type { ScalarType, ValueNode } from './ast.js';
import { LanguageError, type Position } from './errors.js';

/** A JSON-compatible value. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const BASE64 = /^[A-Za-z0-9_-]*={0,2}$|^[A-Za-z0-9+/]*={0,2}$/;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Base64 (url-safe or standard) as a strict decoder reads it, as upstream's does: a length
 * that leaves one character over, or a last character whose unused low bits are not zero
 * (`qsdgqzaddfq`), is not base64 even though a lenient decoder would read something.
 */
export function isBase64(text: string): boolean {
  if (!BASE64.test(text)) return false;
  const body = text.replace(/=+$/, '');
  const rest = body.length % 4;
  if (rest === 1) return false;
  if (rest === 0) return true;
  const last = body[body.length - 1]!;
  const value = ALPHABET.indexOf(last) >= 0 ? ALPHABET.indexOf(last) : last === '-' || last === '+' ? 62 : 63;
  return (value & (rest === 2 ? 0b1111 : 0b11)) === 0;
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks a literal written in a request or a data model against a scalar type and returns
 * the value as it is stored. Throws TYPE_MISMATCH with the literal's position.
 */
export function literalFor(type: ScalarType, node: Exclude<ValueNode, { kind: 'variable' }>, what: string): JsonValue {
  const fail = (): never => {
    throw new LanguageError('TYPE_MISMATCH', `${what} is ${type} but the value is ${describeLiteral(node)}`, node.pos);
  };
  if (node.kind === 'null') return null;
  switch (type) {
    case 'Integer':
      if (node.kind !== 'integer' || !Number.isSafeInteger(node.value)) fail();
      return (node as { value: number }).value;
    case 'Float':
      if (node.kind !== 'integer' && node.kind !== 'float') fail();
      return (node as { value: number }).value;
    case 'Boolean':
      if (node.kind !== 'boolean') fail();
      return (node as { value: boolean }).value;
    case 'String':
      if (node.kind !== 'string') fail();
      return (node as { value: string }).value;
    case 'Base64':
      if (node.kind !== 'string' || !isBase64(node.value)) fail();
      return (node as { value: string }).value;
    case 'Json':
      // A Json literal is written as a string holding JSON text; it is stored parsed.
      if (node.kind !== 'string' || !isJsonText(node.value)) fail();
      return JSON.parse((node as { value: string }).value) as JsonValue;
  }
}

export function describeLiteral(node: ValueNode): string {
  switch (node.kind) {
    case 'string':
      return `the string ${JSON.stringify(node.value)}`;
    case 'integer':
      return `the integer ${node.text}`;
    case 'float':
      return `the float ${node.value}`;
    case 'boolean':
      return `the boolean ${node.value}`;
    case 'null':
      return 'null';
    case 'variable':
      return `$${node.name}`;
  }
}

/** What a `$parameter` must hold. `Id` is a base64url id; `Scalar` is any JSON scalar. */
export type ParameterType = ScalarType | 'Id' | 'Scalar';

export interface ParameterUse {
  name: string;
  type: ParameterType;
  nullable: boolean;
  pos: Position;
}

/** Collects `$parameter` uses of one request and rejects a parameter used with two types. */
export class ParameterSet {
  readonly uses = new Map<string, ParameterUse>();

  add(name: string, type: ParameterType, nullable: boolean, pos: Position): void {
    const existing = this.uses.get(name);
    if (!existing) {
      this.uses.set(name, { name, type, nullable, pos });
      return;
    }
    const compatible = (a: ParameterType, b: ParameterType) =>
      a === b || ((a === 'Id' || a === 'Base64') && (b === 'Id' || b === 'Base64')) || a === 'Scalar' || b === 'Scalar';
    if (!compatible(existing.type, type)) {
      throw new LanguageError('TYPE_MISMATCH', `$${name} is used both as ${existing.type} and as ${type}`, pos);
    }
    if (existing.type === 'Scalar') existing.type = type;
    existing.nullable = existing.nullable && nullable;
  }
}

/** A value to be read at execution time: a literal fixed by the text or a parameter. */
export type Operand = { kind: 'value'; value: JsonValue } | { kind: 'parameter'; name: string };

/** Parameters as an app passes them: JSON-able values plus `Uint8Array` for binary. */
export type Parameters = Record<string, unknown>;

/**
 * Checks the parameters an app passes against what a validated request needs. Throws
 * MISSING_PARAMETER or TYPE_MISMATCH pointing at the first use of the parameter.
 */
export function checkParameters(uses: Map<string, ParameterUse>, params: Parameters | undefined): void {
  if (params !== undefined && params !== null && typeof params !== 'object') {
    throw new LanguageError('TYPE_MISMATCH', `Parameters must be an object, not ${typeof params}`);
  }
  for (const use of uses.values()) {
    let value: unknown;
    try {
      value = params !== undefined && params !== null && Object.hasOwn(params, use.name) ? params[use.name] : undefined;
    } catch (err) {
      // A getter that throws is the app's bug; say which parameter, never fail deeper down.
      throw new LanguageError('TYPE_MISMATCH', `Reading $${use.name} threw: ${(err as Error)?.message ?? String(err)}`, use.pos);
    }
    if (value === undefined) {
      throw new LanguageError('MISSING_PARAMETER', `Missing parameter $${use.name}`, use.pos);
    }
    if (value === null) {
      if (!use.nullable) throw new LanguageError('NOT_NULLABLE', `$${use.name} cannot be null`, use.pos);
      continue;
    }
    const problem = valueProblem(use.type, value);
    if (problem) throw new LanguageError('TYPE_MISMATCH', `$${use.name} must be ${describeType(use.type)} but ${problem}`, use.pos);
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const ID_BYTES = 16;

function describeType(type: ParameterType): string {
  if (type === 'Id') return `an id (${ID_BYTES} bytes, as base64url text or a Uint8Array)`;
  if (type === 'Scalar') return 'a string, a number or a boolean';
  return type;
}

/** Why `value` is not of `type`, or undefined when it is. Nothing is converted silently. */
function valueProblem(type: ParameterType, value: unknown): string | undefined {
  const problem = valueProblemOf(type, value);
  return problem === IS ? `is ${typeName(value)}` : problem;
}

/** Stands for "is <what the value is>", spelled out only when there is a problem (this runs per row). */
const IS = 'is';

function valueProblemOf(type: ParameterType, value: unknown): string | undefined {
  switch (type) {
    case 'Integer':
      if (typeof value === 'bigint') return value >= INT64_MIN && value <= INT64_MAX ? undefined : 'is beyond 64 bits';
      return typeof value === 'number' && Number.isSafeInteger(value) ? undefined : IS;
    case 'Float':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : IS;
    case 'Boolean':
      return typeof value === 'boolean' ? undefined : IS;
    case 'String':
      return typeof value === 'string' ? undefined : IS;
    case 'Base64':
      return value instanceof Uint8Array || (typeof value === 'string' && isBase64(value)) ? undefined : IS;
    case 'Id':
      if (value instanceof Uint8Array) return value.length === ID_BYTES ? undefined : `has ${value.length} bytes`;
      if (typeof value !== 'string') return IS;
      if (!isBase64(value)) return `is ${value.length > 40 ? `a ${value.length}-character string` : typeName(value)} that is not base64`;
      return base64Length(value) === ID_BYTES ? undefined : `decodes to ${base64Length(value)} bytes`;
    case 'Json':
      return jsonProblem(value, '', new Set(), 0);
    case 'Scalar':
      return ['string', 'number', 'boolean'].includes(typeof value) && (typeof value !== 'number' || Number.isFinite(value)) ? undefined : IS;
  }
}

function base64Length(text: string): number {
  const body = text.replace(/=+$/, '');
  return Math.floor((body.length * 3) / 4);
}

/**
 * Why `value` is not plain JSON (null, booleans, finite numbers, strings, arrays and plain
 * objects of those), or undefined. JSON.stringify would silently turn NaN into null, a
 * Uint8Array into {"0":...}, drop undefined, and throw on BigInt and cycles.
 */
function jsonProblem(value: unknown, path: string, seen: Set<object>, depth: number): string | undefined {
  const at = path ? ` at ${path}` : '';
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `holds ${value}${at}`;
  if (typeof value !== 'object') return `holds ${typeName(value)}${at}`;
  if (depth > 256) return `nests deeper than 256 levels${at}`;
  if (seen.has(value)) return `holds a cycle${at}`;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    return `holds ${value instanceof Uint8Array ? 'binary (pass it as base64 text)' : `a ${proto?.constructor?.name ?? 'non-plain'} object`}${at}`;
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const problem = jsonProblem(value[i], `${path}[${i}]`, seen, depth + 1);
        if (problem) return problem;
      }
      return undefined;
    }
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue; // absent, as JSON has it
      const problem = jsonProblem(v, path ? `${path}.${k}` : k, seen, depth + 1);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

function typeName(value: unknown): string {
  if (value instanceof Uint8Array) return 'binary';
  if (typeof value === 'bigint') return `the BigInt ${value}`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 40))}`;
  return typeof value;
}
