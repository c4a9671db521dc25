import { base64url, edgeSigningBytes, nodeSigningBytes, verify } from '@discret/crypto';
import type { NodeRecord, RecordBatch, StoreError } from '@discret/store';
import { SyncError } from '@discret/sync';

/** What the host of a sync session decides about peers, by the user's settings. */
export interface PeerRules {
  /** Another install of the same user synchronises at once; otherwise it waits as pending hardware. */
  autoAcceptLocalDevice: boolean;
  /** A stranger who shares a room with us is allowed at once; otherwise recorded as a pending peer. */
  autoAllowNewPeers: boolean;
}

/** A node row's signature verifies (a malformed row does not). */
export function safeVerify(r: NodeRecord): boolean {
  try {
    return verify(r.verifyingKey, nodeSigningBytes(r), r.signature);
  } catch {
    return false;
  }
}

/** Every signature of a batch verifies; else INVALID_DATA naming the first that does not. */
export function checkSignatures(batch: Required<RecordBatch>): void {
  for (const r of batch.nodes) if (!safeVerify(r)) throw new SyncError('INVALID_DATA', `A room definition row with a bad signature (${base64url(r.id)})`);
  for (const r of batch.edges) {
    let ok = false;
    try {
      ok = verify(r.verifyingKey, edgeSigningBytes(r), r.signature);
    } catch {
      ok = false;
    }
    if (!ok) throw new SyncError('INVALID_DATA', `A room definition link with a bad signature (${base64url(r.src)}:${r.label})`);
  }
}

/** A store import whose bad signatures or shapes are the remote's fault: INVALID_DATA, the peer is dropped. */
export async function strictImport<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    const code = (error as StoreError).code;
    if (code === 'INVALID_SIGNATURE' || code === 'INVALID_RECORD') throw new SyncError('INVALID_DATA', (error as Error).message, { cause: error });
    throw error;
  }
}
