// Blob streams (blob-transfer.ts) over the in-memory transport: a member gets verified groups;
// a tampered group or a lying proof is caught at that group and the sender can be dropped; a
// peer that may not read the room is refused before anything of the blob is read.
import { describe, expect, test } from '@jest/globals';
import { BLOB_GROUP_BYTES, blobKey, blobRoot, fromBase64url, groupBytes, leafHash, rangeProof } from '@discret/crypto';
import { type BlobGet, type BlobProof, SyncError } from '@discret/sync';
import { hostPair, MapHost, ROOM } from './map-host.js';

const SIZE = 4 * BLOB_GROUP_BYTES + 1000;
const bytes = Uint8Array.from({ length: SIZE }, (_, i) => (i * 7) & 0xff);
const key = blobKey(fromBase64url(ROOM));
const groupOf = (index: number) => bytes.subarray(index * BLOB_GROUP_BYTES, index * BLOB_GROUP_BYTES + groupBytes(SIZE, index));
const leaves = Array.from({ length: 5 }, (_, i) => leafHash(key, i, groupOf(i)));
const root = blobRoot(key, SIZE, leaves);

/** A map host that serves one blob, possibly lying about it. */
class BlobHost extends MapHost {
  reads = 0;
  tamperGroup = -1;
  lieInProof = false;

  async blobRange(get: BlobGet): Promise<BlobProof | null> {
    this.reads++;
    const range = leaves.slice(get.from, get.to);
    if (this.lieInProof) range[0] = leafHash(key, get.from, new Uint8Array(3));
    return { leaves: range, proof: rangeProof(key, leaves, get.from, get.to) };
  }

  async blobGroup(_get: BlobGet, index: number): Promise<Uint8Array> {
    this.reads++;
    const data = groupOf(index).slice();
    if (index === this.tamperGroup) data[10] = data[10]! ^ 1;
    return data;
  }
}

async function pair() {
  const hosts = await hostPair((user) => new BlobHost(user));
  expect(await hosts.b.service.connect('memory:a')).not.toBeNull();
  return hosts;
}

const ask = (from: number, to: number): BlobGet => ({ room: ROOM, root, size: SIZE, from, to });

describe('blob streams', () => {
  test('a member gets every group verified, in windows, on one stream', async () => {
    const { b, stop } = await pair();
    try {
      const [peer] = await b.service.blobPeers(ROOM);
      const client = await peer!.open();
      const got: number[] = [];
      for (const [from, to] of [[0, 2], [2, 5]] as const) {
        for await (const group of client.get(ask(from, to))) {
          expect(group.data).toEqual(groupOf(group.index));
          got.push(group.index);
        }
      }
      await client.close();
      expect(got).toEqual([0, 1, 2, 3, 4]);
      expect(await b.service.blobPeers('OTHER')).toEqual([]);
    } finally {
      await stop();
    }
  });

  test('a tampered group is caught at that group, and dropping the sender closes its connection', async () => {
    const { a, b, stop } = await pair();
    try {
      a.tamperGroup = 2;
      const [peer] = await b.service.blobPeers(ROOM);
      const client = await peer!.open();
      const got: number[] = [];
      const failure = await (async () => {
        for await (const group of client.get(ask(0, 5))) got.push(group.index);
      })().catch((error) => error);
      expect(failure).toBeInstanceOf(SyncError);
      expect((failure as SyncError).code).toBe('INVALID_DATA');
      expect(got).toEqual([0, 1]);
      peer!.drop(failure);
      expect(b.service.peers()).toEqual([]);
    } finally {
      await stop();
    }
  });

  test('a proof that does not lead to the id is refused before any group is taken', async () => {
    const { a, b, stop } = await pair();
    try {
      a.lieInProof = true;
      const [peer] = await b.service.blobPeers(ROOM);
      const client = await peer!.open();
      await expect(client.get(ask(1, 3)).next()).rejects.toMatchObject({ code: 'INVALID_DATA' });
    } finally {
      await stop();
    }
  });

  test('a peer that may not read the room is refused before the blob is read', async () => {
    const { a, b, stop } = await pair();
    try {
      a.shared = []; // a does not share ROOM with b (b still thinks a is a member, and asks)
      const [peer] = await b.service.blobPeers(ROOM);
      const client = await peer!.open();
      await expect(client.get(ask(0, 5)).next()).rejects.toMatchObject({ code: 'REFUSED' });
      expect(a.reads).toBe(0);
    } finally {
      await stop();
    }
  });
});
