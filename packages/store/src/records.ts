import {
  edgeDeletionSigningBytes, edgeSigningBytes, nodeDeletionSigningBytes, nodeSigningBytes,
} from '@discret/crypto';
import type { Row } from './driver.js';

/**
 * Records: the signed rows of the store in the form peers exchange. A record carries its
 * author's verifying key and signature, so whoever receives it can check it without trusting
 * the sender. Entities are named by short id (`1.0`) and fields inside `json` by short id too,
 * exactly as they are stored and signed.
 */
export interface NodeRecord {
  id: Uint8Array;
  roomId: Uint8Array | null;
  entity: string;
  cdate: number;
  mdate: number;
  json: string | null;
  binary: Uint8Array | null;
  verifyingKey: Uint8Array;
  signature: Uint8Array;
}

export interface EdgeRecord {
  src: Uint8Array;
  srcEntity: string;
  label: string;
  dest: Uint8Array;
  cdate: number;
  verifyingKey: Uint8Array;
  signature: Uint8Array;
}

export interface NodeDeletionRecord {
  roomId: Uint8Array;
  id: Uint8Array;
  entity: string;
  deletionDate: number;
  verifyingKey: Uint8Array;
  signature: Uint8Array;
}

export interface EdgeDeletionRecord {
  roomId: Uint8Array;
  src: Uint8Array;
  label: string;
  dest: Uint8Array;
  deletionDate: number;
  verifyingKey: Uint8Array;
  signature: Uint8Array;
}

/** A set of records to import (any part may be missing). */
export interface RecordBatch {
  nodes?: NodeRecord[];
  edges?: EdgeRecord[];
  nodeDeletions?: NodeDeletionRecord[];
  edgeDeletions?: EdgeDeletionRecord[];
}

export const nodeBytes = (r: Omit<NodeRecord, 'signature'>) => nodeSigningBytes(r);
export const edgeBytes = (r: Omit<EdgeRecord, 'signature'>) => edgeSigningBytes(r);
export const nodeDeletionBytes = (r: Omit<NodeDeletionRecord, 'signature'>) => nodeDeletionSigningBytes(r);
export const edgeDeletionBytes = (r: Omit<EdgeDeletionRecord, 'signature'>) => edgeDeletionSigningBytes(r);

const bytes = (v: unknown) => v as Uint8Array;
const nullableBytes = (v: unknown) => (v as Uint8Array | null) ?? null;

export function nodeRecord(row: Row): NodeRecord {
  return {
    id: bytes(row.id),
    roomId: nullableBytes(row.room_id),
    entity: String(row._entity),
    cdate: Number(row.cdate),
    mdate: Number(row.mdate),
    json: (row._json as string | null) ?? null,
    binary: nullableBytes(row._binary),
    verifyingKey: bytes(row.verifying_key),
    signature: bytes(row._signature),
  };
}

export function edgeRecord(row: Row): EdgeRecord {
  return {
    src: bytes(row.src),
    srcEntity: String(row.src_entity),
    label: String(row.label),
    dest: bytes(row.dest),
    cdate: Number(row.cdate),
    verifyingKey: bytes(row.verifying_key),
    signature: bytes(row._signature),
  };
}

export function nodeDeletionRecord(row: Row): NodeDeletionRecord {
  return {
    roomId: bytes(row.room_id),
    id: bytes(row.id),
    entity: String(row.entity),
    deletionDate: Number(row.deletion_date),
    verifyingKey: bytes(row.verifying_key),
    signature: bytes(row._signature),
  };
}

export function edgeDeletionRecord(row: Row): EdgeDeletionRecord {
  return {
    roomId: bytes(row.room_id),
    src: bytes(row.src),
    label: String(row.label),
    dest: bytes(row.dest),
    deletionDate: Number(row.deletion_date),
    verifyingKey: bytes(row.verifying_key),
    signature: bytes(row._signature),
  };
}
