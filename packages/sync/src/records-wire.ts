import type { EdgeDeletionRecord, EdgeRecord, NodeDeletionRecord, NodeRecord, RecordBatch, RecordRef, RoomItem } from '@discret/store';
import { utf8Length } from '@discret/crypto';
import { SyncError } from './errors.js';

/** What a peer sent does not have the shape of the protocol: the peer is dropped. */
const malformed = (message: string) => new SyncError('PROTOCOL', message);

/**
 * Records on the wire: each a CBOR array in a fixed order (a map would spell every field name
 * in every record). Decoding checks shapes and types only; lengths and signatures are the
 * store's import to check (it verifies every record before writing anything).
 */
type WireRecord =
  | [0, Uint8Array, Uint8Array | null, string, number, number, string | null, Uint8Array | null, Uint8Array, Uint8Array]
  | [1, Uint8Array, string, string, Uint8Array, number, Uint8Array, Uint8Array]
  | [2, Uint8Array, Uint8Array, string, number, Uint8Array, Uint8Array]
  | [3, Uint8Array, Uint8Array, string, Uint8Array, number, Uint8Array, Uint8Array];

export function batchToWire(batch: RecordBatch): WireRecord[] {
  const out: WireRecord[] = [];
  for (const r of batch.nodes ?? []) out.push([0, r.id, r.roomId, r.entity, r.cdate, r.mdate, r.json, r.binary, r.verifyingKey, r.signature]);
  for (const r of batch.edges ?? []) out.push([1, r.src, r.srcEntity, r.label, r.dest, r.cdate, r.verifyingKey, r.signature]);
  for (const r of batch.nodeDeletions ?? []) out.push([2, r.roomId, r.id, r.entity, r.deletionDate, r.verifyingKey, r.signature]);
  for (const r of batch.edgeDeletions ?? []) out.push([3, r.roomId, r.src, r.label, r.dest, r.deletionDate, r.verifyingKey, r.signature]);
  return out;
}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isDate = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isText = (v: unknown): v is string => typeof v === 'string';

/** Reads records back; throws SyncError PROTOCOL for anything that is not a record (the peer is then dropped). */
export function batchFromWire(value: unknown, maxRecords: number): Required<RecordBatch> {
  if (!Array.isArray(value) || value.length > maxRecords) throw malformed('A batch is a bounded list of records');
  const batch: Required<RecordBatch> = { nodes: [], edges: [], nodeDeletions: [], edgeDeletions: [] };
  for (const r of value as unknown[]) {
    if (!Array.isArray(r)) throw malformed('A record is an array');
    const ok = (n: number, ...checks: ((v: unknown) => boolean)[]) => r.length === n && checks.every((check, i) => check(r[i + 1]));
    switch (r[0]) {
      case 0:
        if (!ok(10, isBytes, (v) => v === null || isBytes(v), isText, isDate, isDate, (v) => v === null || isText(v), (v) => v === null || isBytes(v), isBytes, isBytes)) throw malformed('Malformed node record');
        batch.nodes.push({ id: r[1], roomId: r[2], entity: r[3], cdate: r[4], mdate: r[5], json: r[6], binary: r[7], verifyingKey: r[8], signature: r[9] } as NodeRecord);
        break;
      case 1:
        if (!ok(8, isBytes, isText, isText, isBytes, isDate, isBytes, isBytes)) throw malformed('Malformed edge record');
        batch.edges.push({ src: r[1], srcEntity: r[2], label: r[3], dest: r[4], cdate: r[5], verifyingKey: r[6], signature: r[7] } as EdgeRecord);
        break;
      case 2:
        if (!ok(7, isBytes, isBytes, isText, isDate, isBytes, isBytes)) throw malformed('Malformed node deletion record');
        batch.nodeDeletions.push({ roomId: r[1], id: r[2], entity: r[3], deletionDate: r[4], verifyingKey: r[5], signature: r[6] } as NodeDeletionRecord);
        break;
      case 3:
        if (!ok(8, isBytes, isBytes, isText, isBytes, isDate, isBytes, isBytes)) throw malformed('Malformed edge deletion record');
        batch.edgeDeletions.push({ roomId: r[1], src: r[2], label: r[3], dest: r[4], deletionDate: r[5], verifyingKey: r[6], signature: r[7] } as EdgeDeletionRecord);
        break;
      default:
        throw malformed('Unknown record kind');
    }
  }
  return batch;
}

/** A rough size of a record on the wire, to cut batches under the frame limit. */
export function recordWireSize(record: NodeRecord | EdgeRecord | NodeDeletionRecord | EdgeDeletionRecord): number {
  let size = 200;
  // UTF-8 bytes of the JSON (measured, not guessed: a budget of 3 bytes per character turned
  // every 256 KiB object into an answer of its own).
  if ('json' in record) size += (record.json ? utf8Length(record.json) : 0) + (record.binary?.length ?? 0);
  if ('label' in record) size += record.label.length;
  return size;
}

type WireRef = [0, Uint8Array] | [1, Uint8Array, string, Uint8Array] | [2, Uint8Array, number] | [3, Uint8Array, string, Uint8Array, number];

export function refToWire(ref: RecordRef): WireRef {
  switch (ref.kind) {
    case 'node':
      return [0, ref.id];
    case 'edge':
      return [1, ref.src, ref.label, ref.dest];
    case 'nodeDeletion':
      return [2, ref.id, ref.deletionDate];
    case 'edgeDeletion':
      return [3, ref.src, ref.label, ref.dest, ref.deletionDate];
  }
}

export function refFromWire(value: unknown): RecordRef {
  if (!Array.isArray(value)) throw malformed('A record reference is an array');
  const [kind, a, b, c, d] = value as [unknown, unknown, unknown, unknown, unknown];
  if (kind === 0 && value.length === 2 && isBytes(a)) return { kind: 'node', id: a };
  if (kind === 1 && value.length === 4 && isBytes(a) && isText(b) && isBytes(c)) return { kind: 'edge', src: a, label: b, dest: c };
  if (kind === 2 && value.length === 3 && isBytes(a) && isDate(b)) return { kind: 'nodeDeletion', id: a, deletionDate: b };
  if (kind === 3 && value.length === 5 && isBytes(a) && isText(b) && isBytes(c) && isDate(d)) return { kind: 'edgeDeletion', src: a, label: b, dest: c, deletionDate: d };
  throw malformed('Malformed record reference');
}

/** A room item as announced in `changed`: `[ref, entity, date, signature]`. */
export function itemToWire(item: RoomItem): unknown[] {
  return [refToWire(item.ref), item.entity, item.date, item.signature];
}

export function itemFromWire(value: unknown): RoomItem {
  if (!Array.isArray(value) || value.length !== 4) throw malformed('An item is [ref, entity, date, signature]');
  const [ref, entity, date, signature] = value as [unknown, unknown, unknown, unknown];
  if (!isText(entity) || !isDate(date) || !isBytes(signature) || signature.length !== 64) throw malformed('Malformed item');
  const r = refFromWire(ref);
  return { ref: r, kind: r.kind, entity, date, signature };
}
