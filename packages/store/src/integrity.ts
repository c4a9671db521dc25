import { base64url, edgeDeletionSigningBytes, edgeSigningBytes, nodeDeletionSigningBytes, nodeSigningBytes, verify } from '@discret/crypto';
import type { Row, SqlConnection } from './driver.js';
import { edgeDeletionRecord, edgeRecord, nodeDeletionRecord, nodeRecord } from './records.js';

/** Verifies a stored node row's signature against its own verifying key. */
export function verifyNodeRow(row: Row): boolean {
  const r = nodeRecord(row);
  return verify(r.verifyingKey, nodeSigningBytes(r), r.signature);
}

/** Verifies a stored edge row's signature. */
export function verifyEdgeRow(row: Row): boolean {
  const r = edgeRecord(row);
  return verify(r.verifyingKey, edgeSigningBytes(r), r.signature);
}

/**
 * Every stored node, edge and deletion record whose signature does not verify: node ids;
 * `src:label` for edges; `room:id` / `room:src:label` for deletions.
 */
export async function badSignatures(db: SqlConnection): Promise<{ nodes: string[]; edges: string[]; deletions: string[] }> {
  const nodes = (await db.all('SELECT * FROM _node')).filter((row) => !verifyNodeRow(row)).map((row) => base64url(row.id as Uint8Array));
  const edges = (await db.all('SELECT * FROM _edge')).filter((row) => !verifyEdgeRow(row)).map((row) => `${base64url(row.src as Uint8Array)}:${row.label}`);
  const deletions = [
    ...(await db.all('SELECT * FROM _node_deletion_log')).map(nodeDeletionRecord)
      .filter((r) => !verify(r.verifyingKey, nodeDeletionSigningBytes(r), r.signature))
      .map((r) => `${base64url(r.roomId)}:${base64url(r.id)}`),
    ...(await db.all('SELECT * FROM _edge_deletion_log')).map(edgeDeletionRecord)
      .filter((r) => !verify(r.verifyingKey, edgeDeletionSigningBytes(r), r.signature))
      .map((r) => `${base64url(r.roomId)}:${base64url(r.src)}:${r.label}`),
  ];
  return { nodes, edges, deletions };
}
