import { CryptoError } from './errors.js';

/** base64url without padding: the text form of ids, keys and binary values. */
export function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/** Decodes base64url (padding and the standard alphabet are accepted too). */
export function fromBase64url(text: string): Uint8Array {
  if (!/^[A-Za-z0-9_\-+/]*={0,2}$/.test(text)) throw new CryptoError('INVALID_INPUT', `Not base64: ${JSON.stringify(text.slice(0, 30))}`);
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
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
