import { CryptoError } from './errors.js';

// Byte helpers that run on any runtime: the logic of every package takes and returns plain
// Uint8Array. The base64 codec picks the fastest one the runtime has (the ES2026
// `Uint8Array.prototype.toBase64` in browsers, Node's Buffer, else the portable code below),
// detected once; all three give the same text.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < 64; i++) DECODE[ALPHABET.charCodeAt(i)] = i;
DECODE['+'.charCodeAt(0)] = 62; // the standard alphabet is accepted too
DECODE['/'.charCodeAt(0)] = 63;

interface Base64Codec {
  encode(bytes: Uint8Array): string;
  decode(text: string): Uint8Array;
}

type StandardUint8Array = Uint8Array & { toBase64(options: { alphabet: string; omitPadding: boolean }): string };
type StandardUint8ArrayConstructor = { fromBase64(text: string, options: { alphabet: string; lastChunkHandling: string }): Uint8Array };
type NodeBuffer = { from(data: ArrayBufferLike | string, offsetOrEncoding?: number | string, length?: number): Uint8Array & { toString(encoding: string): string } };

const portableCodec: Base64Codec = {
  encode(bytes) {
    let text = '';
    const n = bytes.length;
    let i = 0;
    for (; i + 2 < n; i += 3) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      text += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]! + ALPHABET[v & 63]!;
    }
    if (n - i === 1) {
      const v = bytes[i]! << 16;
      text += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]!;
    } else if (n - i === 2) {
      const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
      text += ALPHABET[v >> 18]! + ALPHABET[(v >> 12) & 63]! + ALPHABET[(v >> 6) & 63]!;
    }
    return text;
  },
  decode(text) {
    let length = text.length;
    while (length > 0 && text.charCodeAt(length - 1) === 61) length--;
    const out = new Uint8Array((length * 3) >> 2);
    let at = 0;
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < length; i++) {
      const c = text.charCodeAt(i);
      const v = c < 128 ? DECODE[c]! : -1;
      if (v < 0) throw new CryptoError('INVALID_INPUT', `Not base64: ${JSON.stringify(text.slice(0, 30))}`);
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[at++] = (acc >> bits) & 255;
      }
    }
    return out;
  },
};

function pickCodec(): Base64Codec {
  if (typeof (Uint8Array.prototype as Partial<StandardUint8Array>).toBase64 === 'function') {
    const ctor = Uint8Array as unknown as StandardUint8ArrayConstructor;
    return {
      encode: (bytes) => (bytes as StandardUint8Array).toBase64({ alphabet: 'base64url', omitPadding: true }),
      decode: (text) => ctor.fromBase64(text.replace(/[+/]/g, (c) => (c === '+' ? '-' : '_')), { alphabet: 'base64url', lastChunkHandling: 'loose' }),
    };
  }
  const buffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
  if (buffer) {
    return {
      encode: (bytes) => buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url'),
      decode: (text) => new Uint8Array(buffer.from(text, 'base64url')),
    };
  }
  return portableCodec;
}

const codec = pickCodec();

/** base64url without padding: the text form of ids, keys and binary values. */
export function base64url(bytes: Uint8Array): string {
  return codec.encode(bytes);
}

/** Decodes base64url (padding and the standard alphabet are accepted too). */
export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(text)) throw new CryptoError('INVALID_INPUT', `Not base64: ${JSON.stringify(text.slice(0, 30))}`);
  return codec.decode(text);
}

/** The portable codec itself, so tests can hold the runtime's codec to it. */
export const portableBase64url = { encode: portableCodec.encode, decode: portableCodec.decode };

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Lower-case hexadecimal. */
export function hex(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) text += HEX[bytes[i]!]!;
  return text;
}

/** Reads hexadecimal (either case); throws INVALID_INPUT on anything else. */
export function fromHex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new CryptoError('INVALID_INPUT', `Not hexadecimal: ${JSON.stringify(text.slice(0, 30))}`);
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const encoder = new TextEncoder();

/**
 * A Uint8Array, also one made in another realm (an iframe, a vm context), where `instanceof`
 * is false: the check noble uses.
 */
export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array || (ArrayBuffer.isView(value) && value.constructor.name === 'Uint8Array');
}

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Length of a string in UTF-8 without encoding it. Lone surrogates count 3 bytes, as
 * TextEncoder writes them (U+FFFD).
 */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 2; // a pair: 2 UTF-16 units, 4 bytes
      i++;
    } else length += 2;
  }
  return length;
}

/**
 * The bytes as a string of one char per byte: a cheap exact Map key for short byte strings
 * (ids, reconciliation keys). Not a text encoding.
 */
export function bytesKey(bytes: Uint8Array): string {
  let key = '';
  for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i]!);
  return key;
}

/** Orders byte strings as SQLite and sorted keys do: byte by byte, then the shorter first. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The same bytes (two nulls are the same; a null and bytes are not). */
export function equalBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && compareBytes(a, b) === 0;
}
