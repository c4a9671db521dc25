import type { RecordRef } from '@discret/store';
import { RECORD_PARTS } from './fetcher.js';
import type { RoomSource } from './host.js';
import type { Records } from './protocol.js';
import { recordWireSize } from './records-wire.js';

/**
 * Reads records by reference in order until `budget` bytes; says how many references it covered
 * (a null reference is a key we no longer hold: covered, nothing read). Reads 128 at a time; a
 * chunk that would overflow the budget (large objects) is read again one record at a time, so an
 * answer stays under the frame limit (at least one record).
 */
export async function readWithin(host: Pick<RoomSource, 'read'>, room: string, refs: readonly (RecordRef | null)[], budget: number): Promise<{ records: Records; served: number }> {
  const out: Records = { nodes: [], edges: [], nodeDeletions: [], edgeDeletions: [] };
  let bytes = 0;
  let used = 0;
  const read = (chunk: readonly (RecordRef | null)[]) => host.read(room, chunk.filter((r): r is RecordRef => r !== null));
  const append = (batch: Records) => {
    for (const part of RECORD_PARTS) (out[part] as unknown[]).push(...batch[part]);
  };
  while (used < refs.length && bytes < budget) {
    const chunk = refs.slice(used, used + 128);
    const batch = await read(chunk);
    const size = sizeOf(batch);
    if (bytes + size <= budget || chunk.length === 1) {
      append(batch);
      bytes += size;
      used += chunk.length;
      continue;
    }
    for (const ref of chunk) {
      const one = await read([ref]);
      const oneSize = sizeOf(one);
      if (used > 0 && bytes + oneSize > budget) return { records: out, served: used };
      append(one);
      bytes += oneSize;
      used++;
    }
  }
  return { records: out, served: used };
}

function sizeOf(batch: Records): number {
  let size = 0;
  for (const part of RECORD_PARTS) for (const record of batch[part]) size += recordWireSize(record);
  return size;
}
