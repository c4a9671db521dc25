import { CryptoError } from './errors.js';

/** The fields of a node that its signature covers. */
export interface NodeSignable {
  id: Uint8Array; // 16 bytes
  roomId: Uint8Array | null; // 16 bytes
  entity: string; // entity short id
  cdate: number;
  mdate: number;
  json: string | null;
  binary: Uint8Array | null;
  verifyingKey: Uint8Array; // 32 bytes
}

/** The fields of an edge (one relation link) that its signature covers. */
export interface EdgeSignable {
  src: Uint8Array; // 16 bytes
  srcEntity: string;
  label: string; // field short id
  dest: Uint8Array; // 16 bytes
  cdate: number;
  verifyingKey: Uint8Array; // 32 bytes
}

const encoder = new TextEncoder();

/** Appends fixed-layout fields to a growing buffer. */
class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  private at = 0;

  private room(n: number) {
    if (this.at + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.at + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  byte(v: number) {
    this.room(1);
    this.buf[this.at++] = v;
  }
  fixed(bytes: Uint8Array, length: number, what: string) {
    if (bytes.length !== length) throw new CryptoError('INVALID_INPUT', `${what} must have ${length} bytes, got ${bytes.length}`);
    this.room(length);
    this.buf.set(bytes, this.at);
    this.at += length;
  }
  int64(v: number) {
    if (!Number.isSafeInteger(v)) throw new CryptoError('INVALID_INPUT', `Not an integer date: ${v}`);
    this.room(8);
    this.view.setBigInt64(this.at, BigInt(v));
    this.at += 8;
  }
  bytes(bytes: Uint8Array) {
    this.room(4 + bytes.length);
    this.view.setUint32(this.at, bytes.length);
    this.buf.set(bytes, this.at + 4);
    this.at += 4 + bytes.length;
  }
  optional(bytes: Uint8Array | null) {
    this.byte(bytes === null ? 0 : 1);
    if (bytes !== null) this.bytes(bytes);
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.at);
  }
}

/**
 * Canonical bytes of a node, version 1 (see the package README for the layout):
 * 'N' 0x01 | id[16] | room flag[1] (+ room[16]) | entity len[4]+utf8 | cdate i64 BE |
 * mdate i64 BE | json flag (+ len[4] utf8) | binary flag (+ len[4] bytes) | verifying key[32]
 */
export function nodeSigningBytes(node: NodeSignable): Uint8Array {
  const w = new Writer();
  w.byte(0x4e);
  w.byte(1);
  w.fixed(node.id, 16, 'id');
  w.byte(node.roomId === null ? 0 : 1);
  if (node.roomId !== null) w.fixed(node.roomId, 16, 'room id');
  w.bytes(encoder.encode(node.entity));
  w.int64(node.cdate);
  w.int64(node.mdate);
  w.optional(node.json === null ? null : encoder.encode(node.json));
  w.optional(node.binary);
  w.fixed(node.verifyingKey, 32, 'verifying key');
  return w.done();
}

/**
 * Canonical bytes of an edge, version 1:
 * 'E' 0x01 | src[16] | src entity len[4]+utf8 | label len[4]+utf8 | dest[16] | cdate i64 BE | verifying key[32]
 */
export function edgeSigningBytes(edge: EdgeSignable): Uint8Array {
  const w = new Writer();
  w.byte(0x45);
  w.byte(1);
  w.fixed(edge.src, 16, 'src');
  w.bytes(encoder.encode(edge.srcEntity));
  w.bytes(encoder.encode(edge.label));
  w.fixed(edge.dest, 16, 'dest');
  w.int64(edge.cdate);
  w.fixed(edge.verifyingKey, 32, 'verifying key');
  return w.done();
}
