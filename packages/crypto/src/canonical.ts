import { utf8Length } from './encoding.js';
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

/** A signed record that a node was deleted (goes into the room's deletion log). */
export interface NodeDeletionSignable {
  roomId: Uint8Array; // 16 bytes
  id: Uint8Array; // 16 bytes
  entity: string;
  deletionDate: number;
  verifyingKey: Uint8Array; // 32 bytes
}

/** A signed record that one relation link was removed. */
export interface EdgeDeletionSignable {
  roomId: Uint8Array; // 16 bytes
  src: Uint8Array; // 16 bytes
  label: string;
  dest: Uint8Array; // 16 bytes
  deletionDate: number;
  verifyingKey: Uint8Array; // 32 bytes
}

const encoder = new TextEncoder();

// Signing bytes are built for every row written, so allocation is on the hot path: small
// arrays are cut from a shared 16 KiB slab (as Node's Buffer pool does) instead of each getting
// an ArrayBuffer of its own. A slab is freed when the last array cut from it is.
const SLAB_SIZE = 16 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

function allocate(size: number): Uint8Array {
  if (size > SLAB_SIZE / 4) return new Uint8Array(size);
  if (slabUsed + size > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += (size + 7) & ~7; // 8-byte aligned, like Node's pool
  return out;
}

/**
 * Writes fixed-layout fields into an array allocated once at its exact size (the callers
 * compute it); every byte of it is written.
 */
class Writer {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private at = 0;

  constructor(size: number) {
    this.buf = allocate(size);
    this.view = new DataView(this.buf.buffer, this.buf.byteOffset, size);
  }
  byte(v: number) {
    this.buf[this.at++] = v;
  }
  fixed(bytes: Uint8Array, length: number, what: string) {
    if (bytes.length !== length) throw new CryptoError('INVALID_INPUT', `${what} must have ${length} bytes, got ${bytes.length}`);
    this.buf.set(bytes, this.at);
    this.at += length;
  }
  int64(v: number) {
    if (!Number.isSafeInteger(v)) throw new CryptoError('INVALID_INPUT', `Not an integer date: ${v}`);
    // Two's complement big-endian, as setBigInt64 would write, without a BigInt per call.
    const high = Math.floor(v / 2 ** 32);
    this.view.setInt32(this.at, high);
    this.view.setUint32(this.at + 4, v - high * 2 ** 32);
    this.at += 8;
  }
  bytes(bytes: Uint8Array) {
    this.view.setUint32(this.at, bytes.length);
    this.buf.set(bytes, this.at + 4);
    this.at += 4 + bytes.length;
  }
  text(text: string, length: number) {
    this.view.setUint32(this.at, length);
    if (length > 0) encoder.encodeInto(text, this.buf.subarray(this.at + 4, this.at + 4 + length));
    this.at += 4 + length;
  }
  done(): Uint8Array {
    if (this.at !== this.buf.length) throw new CryptoError('INVALID_INPUT', 'Canonical size mismatch');
    return this.buf;
  }
}

/**
 * Canonical bytes of a node, version 1 (see the package README for the layout):
 * 'N' 0x01 | id[16] | room flag[1] (+ room[16]) | entity len[4]+utf8 | cdate i64 BE |
 * mdate i64 BE | json flag (+ len[4] utf8) | binary flag (+ len[4] bytes) | verifying key[32]
 */
export function nodeSigningBytes(node: NodeSignable): Uint8Array {
  const entityLength = utf8Length(node.entity);
  const jsonLength = node.json === null ? -1 : utf8Length(node.json);
  const size = 2 + 16 + 1 + (node.roomId === null ? 0 : 16) + 4 + entityLength + 16
    + 1 + (jsonLength < 0 ? 0 : 4 + jsonLength) + 1 + (node.binary === null ? 0 : 4 + node.binary.length) + 32;
  const w = new Writer(size);
  w.byte(0x4e);
  w.byte(1);
  w.fixed(node.id, 16, 'id');
  w.byte(node.roomId === null ? 0 : 1);
  if (node.roomId !== null) w.fixed(node.roomId, 16, 'room id');
  w.text(node.entity, entityLength);
  w.int64(node.cdate);
  w.int64(node.mdate);
  w.byte(node.json === null ? 0 : 1);
  if (node.json !== null) w.text(node.json, jsonLength);
  w.byte(node.binary === null ? 0 : 1);
  if (node.binary !== null) w.bytes(node.binary);
  w.fixed(node.verifyingKey, 32, 'verifying key');
  return w.done();
}

/**
 * Canonical bytes of an edge, version 1:
 * 'E' 0x01 | src[16] | src entity len[4]+utf8 | label len[4]+utf8 | dest[16] | cdate i64 BE | verifying key[32]
 */
export function edgeSigningBytes(edge: EdgeSignable): Uint8Array {
  const entityLength = utf8Length(edge.srcEntity);
  const labelLength = utf8Length(edge.label);
  const w = new Writer(2 + 16 + 4 + entityLength + 4 + labelLength + 16 + 8 + 32);
  w.byte(0x45);
  w.byte(1);
  w.fixed(edge.src, 16, 'src');
  w.text(edge.srcEntity, entityLength);
  w.text(edge.label, labelLength);
  w.fixed(edge.dest, 16, 'dest');
  w.int64(edge.cdate);
  w.fixed(edge.verifyingKey, 32, 'verifying key');
  return w.done();
}

/**
 * Canonical bytes of a node deletion, version 1. Its own tag ('n'), so a deletion's signature
 * can never pass for a node's (or the reverse):
 * 'n' 0x01 | room[16] | id[16] | entity len[4]+utf8 | deletion date i64 BE | verifying key[32]
 */
export function nodeDeletionSigningBytes(d: NodeDeletionSignable): Uint8Array {
  const entityLength = utf8Length(d.entity);
  const w = new Writer(2 + 16 + 16 + 4 + entityLength + 8 + 32);
  w.byte(0x6e);
  w.byte(1);
  w.fixed(d.roomId, 16, 'room id');
  w.fixed(d.id, 16, 'id');
  w.text(d.entity, entityLength);
  w.int64(d.deletionDate);
  w.fixed(d.verifyingKey, 32, 'verifying key');
  return w.done();
}

/**
 * Canonical bytes of an edge deletion, version 1 (tag 'e'):
 * 'e' 0x01 | room[16] | src[16] | label len[4]+utf8 | dest[16] | deletion date i64 BE | verifying key[32]
 */
export function edgeDeletionSigningBytes(d: EdgeDeletionSignable): Uint8Array {
  const labelLength = utf8Length(d.label);
  const w = new Writer(2 + 16 + 16 + 4 + labelLength + 16 + 8 + 32);
  w.byte(0x65);
  w.byte(1);
  w.fixed(d.roomId, 16, 'room id');
  w.fixed(d.src, 16, 'src');
  w.text(d.label, labelLength);
  w.fixed(d.dest, 16, 'dest');
  w.int64(d.deletionDate);
  w.fixed(d.verifyingKey, 32, 'verifying key');
  return w.done();
}
