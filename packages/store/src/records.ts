import type { EdgeDeletionSignable, EdgeSignable, NodeDeletionSignable, NodeSignable } from '@discret/crypto';
import type { Row } from './driver.js';

/** The four kinds of signed record a room holds. */
export type RecordKind = 'node' | 'edge' | 'nodeDeletion' | 'edgeDeletion';

/**
 * Records: the signed rows of the store in the form peers exchange, that is the fields their
 * canonical bytes cover (from @discret/crypto) plus the author's signature over them, so
 * whoever receives one can check it without trusting the sender. Entities are named by short
 * id (`1.0`) and fields inside `json` by short id too, exactly as they are stored and signed.
 */
type Signed<T> = T & { signature: Uint8Array };
export type NodeRecord = Signed<NodeSignable>;
export type EdgeRecord = Signed<EdgeSignable>;
export type NodeDeletionRecord = Signed<NodeDeletionSignable>;
export type EdgeDeletionRecord = Signed<EdgeDeletionSignable>;

/** A set of records to import (any part may be missing). */
export interface RecordBatch {
  nodes?: NodeRecord[];
  edges?: EdgeRecord[];
  nodeDeletions?: NodeDeletionRecord[];
  edgeDeletions?: EdgeDeletionRecord[];
}

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
