import { BLOB_GROUP_BYTES } from '@discret/crypto';
import { DiscretError } from './errors.js';

/**
 * What `putBlob` takes: bytes, a web stream, any async iterable of bytes (a Node stream is
 * one), or on Node a file path.
 */
export type BlobInput = Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | string;

/** The input as an async iterable of byte chunks (of any length). */
export function toChunks(data: BlobInput, readFile?: (path: string) => AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
  if (data instanceof Uint8Array) return (async function* () {
    yield data;
  })();
  if (typeof data === 'string') {
    if (!readFile) throw new DiscretError('INVALID_ARGUMENT', 'This runtime has no files: give putBlob bytes or a stream');
    return readFile(data);
  }
  if (data && typeof (data as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') return data as AsyncIterable<Uint8Array>;
  if (data && typeof (data as ReadableStream<Uint8Array>).getReader === 'function') return readStream(data as ReadableStream<Uint8Array>);
  throw new DiscretError('INVALID_ARGUMENT', 'putBlob takes a Uint8Array, a ReadableStream, an AsyncIterable of Uint8Array or a file path');
}

async function* readStream(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * Cuts chunks of any length into groups of exactly BLOB_GROUP_BYTES (the last one shorter):
 * at most one group is held at a time, whatever the input's size.
 */
export async function* regroup(chunks: AsyncIterable<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  let group = new Uint8Array(BLOB_GROUP_BYTES);
  let filled = 0;
  for await (const chunk of chunks) {
    if (signal?.aborted) throw new DiscretError('ABORTED', 'putBlob was aborted', { cause: signal.reason });
    if (!(chunk instanceof Uint8Array)) throw new DiscretError('INVALID_ARGUMENT', 'A blob stream yields Uint8Array chunks');
    let at = 0;
    while (at < chunk.length) {
      const take = Math.min(BLOB_GROUP_BYTES - filled, chunk.length - at);
      group.set(chunk.subarray(at, at + take), filled);
      filled += take;
      at += take;
      if (filled === BLOB_GROUP_BYTES) {
        yield group;
        group = new Uint8Array(BLOB_GROUP_BYTES);
        filled = 0;
      }
    }
  }
  if (filled) yield group.subarray(0, filled);
}
