import type { Parameters } from '@discret/lang';

/** Most writes of a mutation stream handed to the store as one bulk write. */
const STREAM_BULK = 4096;

/** Writes many mutations without awaiting each; they share transactions and resolve in order. */
export interface MutationStream {
  write<T = Record<string, Record<string, unknown>>>(text: string, params?: Parameters): Promise<T>;
  /** Waits for every write issued so far to be settled (each write's own promise tells how it ended). */
  flush(): Promise<void>;
}

/** How a stream writes: one mutation, or one mutation once per parameter set in one transaction. */
export interface StreamWriter {
  mutate(text: string, params?: Parameters): Promise<unknown>;
  mutateMany(text: string, paramSets: readonly Parameters[]): Promise<unknown[]>;
}

/**
 * A bulk writer: writes issued together (in one turn of the event loop) are handed over in bulk,
 * consecutive writes of the same text as one `mutateMany`; each still succeeds or fails on its
 * own: when a bulk fails, its writes are retried one by one, so only the bad ones are rejected.
 */
export function createMutationStream(writer: StreamWriter): MutationStream {
  interface Write { text: string; params: Parameters | undefined; resolve: (value: unknown) => void; reject: (error: unknown) => void }
  let waiting: Write[] = [];
  const single = (w: Write) => writer.mutate(w.text, w.params).then(w.resolve, w.reject);
  const bulk = async (group: Write[]) => {
    try {
      const results = await writer.mutateMany(group[0]!.text, group.map((w) => w.params ?? {}));
      for (const [i, w] of group.entries()) w.resolve(results[i]);
    } catch {
      await Promise.all(group.map(single));
    }
  };
  const drain = () => {
    const writes = waiting;
    waiting = [];
    for (let first = 0; first < writes.length; ) {
      let end = first + 1;
      while (end < writes.length && end - first < STREAM_BULK && writes[end]!.text === writes[first]!.text) end++;
      const group = writes.slice(first, end);
      void (group.length === 1 ? single(group[0]!) : bulk(group));
      first = end;
    }
  };
  const all: Promise<unknown>[] = [];
  return {
    write: <T>(text: string, params?: Parameters) => {
      const result = new Promise<T>((resolve, reject) => {
        if (!waiting.length) queueMicrotask(drain);
        waiting.push({ text, params, resolve: resolve as (value: unknown) => void, reject });
      });
      all.push(result.catch(() => {}));
      return result;
    },
    flush: async () => {
      const issued = all.splice(0);
      await Promise.all(issued);
    },
  };
}
