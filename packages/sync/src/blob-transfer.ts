import { blobKey, equalBytes, fromBase64url, leafHash, verifyRange } from '@discret/crypto';
import { type BlobGet, type BlobProof, decodeBlobGet, decodeBlobGroup, decodeBlobProof } from './blob-protocol.js';
import { SyncError } from './errors.js';
import type { AbortOptions } from './transport.js';
import type { MessageChannel, WireMessage } from './wire.js';

/** What this side serves of the blobs it holds whole (core reads them from its store). */
export interface BlobSource {
  /** Leaf hashes of the groups asked and the proof beside them; null when the blob is not held whole. */
  blobRange(get: BlobGet): Promise<BlobProof | null>;
  /** The bytes of one group of a blob held whole. */
  blobGroup(get: BlobGet, index: number): Promise<Uint8Array>;
}

/** A group received and verified against the blob's root. */
export interface VerifiedGroup {
  index: number;
  data: Uint8Array;
  leaf: Uint8Array;
}

/** What serving a blob stream needs of its session. */
export interface BlobServing {
  source: BlobSource | undefined;
  /** Resolves whether the remote was admitted and may read `room`. */
  mayRead(room: string): Promise<boolean>;
  /** How long an idle blob stream is kept, and how long the remote has to read each group. */
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Answers the `blobGet` requests of one blob stream, `first` being the message that opened it.
 * A remote that may not read the blob's room is told so before any byte of it is read; a
 * stream idle for the timeout is closed (the remote opens another when it wants more).
 */
export async function serveBlobStream(channel: MessageChannel, first: WireMessage, serving: BlobServing): Promise<void> {
  const send = (message: WireMessage) => channel.send(message, { signal: AbortSignal.any([AbortSignal.timeout(serving.timeoutMs), serving.signal]) });
  let message: WireMessage | null = first;
  while (message) {
    if (message.type !== 'blobGet') throw new SyncError('PROTOCOL', `Unexpected ${message.type} on a blob stream`);
    const get = decodeBlobGet(message.body);
    if (!(await serving.mayRead(get.room))) {
      await send({ type: 'error', body: { message: `room ${get.room} is not shared with this peer` } });
    } else {
      const range = await serving.source?.blobRange(get);
      if (!range) await send({ type: 'blobMissing', body: null });
      else {
        await send({ type: 'blobProof', body: range });
        for (let index = get.from; index < get.to; index++) {
          await send({ type: 'blobGroup', body: { index, data: await serving.source!.blobGroup(get, index) } });
        }
      }
    }
    try {
      message = await channel.receive({ timeoutMs: serving.timeoutMs, signal: serving.signal });
    } catch (error) {
      if (error instanceof SyncError && error.code === 'TIMEOUT') break;
      throw error;
    }
  }
  await channel.close().catch(() => {});
}

/**
 * This side's end of a blob stream: asks for ranges of groups and yields each one verified.
 * A range that does not verify (a leaf list that does not lead to the root, or a group that
 * does not match its leaf) throws INVALID_DATA at once: the caller drops that peer, having
 * lost at most the group being checked. `blobMissing` and `error` answers throw REFUSED.
 */
export class BlobStreamClient {
  constructor(
    private readonly channel: MessageChannel,
    private readonly timeoutMs: number,
  ) {}

  /** The groups of one request, verified. */
  get(get: BlobGet, options: AbortOptions = {}): AsyncGenerator<VerifiedGroup> {
    return this.getAll([get], options);
  }

  /**
   * The groups of several requests, in order, verified: the next request goes out as soon as
   * the answer to the one before it begins, so the remote never waits for a round trip and at
   * most two requests' groups are on their way (which bounds what other streams of the
   * connection wait behind).
   */
  async *getAll(gets: readonly BlobGet[], options: AbortOptions = {}): AsyncGenerator<VerifiedGroup> {
    if (!gets.length) return;
    await this.channel.send({ type: 'blobGet', body: gets[0] }, options);
    for (let i = 0; i < gets.length; i++) {
      const key = blobKey(fromBase64url(gets[i]!.room));
      const leaves = await this.proof(gets[i]!, key, options);
      if (i + 1 < gets.length) await this.channel.send({ type: 'blobGet', body: gets[i + 1] }, options);
      yield* this.groups(gets[i]!, key, leaves, options);
    }
  }

  /** The answer to a request up to its proof, checked: the leaves of its groups. */
  private async proof(get: BlobGet, key: Uint8Array, options: AbortOptions): Promise<Uint8Array[]> {
    const answer = await this.receive(options);
    if (answer.type === 'blobMissing') throw new SyncError('REFUSED', 'The remote does not hold this blob whole');
    if (answer.type === 'error') throw new SyncError('REFUSED', `The remote refused the blob: ${String((answer.body as { message?: unknown } | null)?.message)}`);
    if (answer.type !== 'blobProof') throw new SyncError('PROTOCOL', `Expected blobProof, got ${answer.type}`);
    const { leaves, proof } = decodeBlobProof(answer.body, get);
    if (!verifyRange(key, get.size, get.root, get.from, leaves, proof)) throw new SyncError('INVALID_DATA', 'The blob proof does not lead to the blob id');
    return leaves;
  }

  private async *groups(get: BlobGet, key: Uint8Array, leaves: Uint8Array[], options: AbortOptions): AsyncGenerator<VerifiedGroup> {
    for (let index = get.from; index < get.to; index++) {
      const message = await this.receive(options);
      if (message.type !== 'blobGroup') throw new SyncError('PROTOCOL', `Expected blobGroup, got ${message.type}`);
      const { data } = decodeBlobGroup(message.body, get, index);
      const leaf = leaves[index - get.from]!;
      if (!equalBytes(leafHash(key, index, data), leaf)) throw new SyncError('INVALID_DATA', `Group ${index} of the blob does not match its hash`);
      yield { index, data, leaf };
    }
  }

  close(): Promise<void> {
    return this.channel.close().catch(() => {});
  }

  private async receive(options: AbortOptions): Promise<WireMessage> {
    const message = await this.channel.receive({ timeoutMs: this.timeoutMs, signal: options.signal });
    if (message === null) throw new SyncError('CLOSED', 'The remote closed the blob stream');
    return message;
  }
}
