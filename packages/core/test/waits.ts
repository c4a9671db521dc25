// Bounded waits shared by the network tests: each resolves or fails by itself within `ms`.
import type { Discret, DiscretEvent } from '@discret/core';

/** Resolves with the first event of `type` matching, or rejects after `ms`. */
export function nextEvent<T extends DiscretEvent['type']>(app: Discret, type: T, match: (e: Extract<DiscretEvent, { type: T }>) => boolean = () => true, ms = 5000) {
  return new Promise<Extract<DiscretEvent, { type: T }>>((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${type} within ${ms} ms`));
    }, ms);
    const stop = app.on(type, (e) => {
      if (!match(e as Extract<DiscretEvent, { type: T }>)) return;
      clearTimeout(timer);
      stop();
      resolve(e as Extract<DiscretEvent, { type: T }>);
    });
  });
}

/** Reads until `ok` or `ms` have passed (polls every 20 ms); returns the last value read. */
export async function readUntil<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  let value = await read();
  while (!ok(value) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    value = await read();
  }
  return value;
}

/** `promise`, or a rejection with `message` after `ms`; the timer is cleared either way (a leftover timer kept jest's worker alive). */
export async function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(message)), ms); })]);
  } finally {
    clearTimeout(timer);
  }
}
