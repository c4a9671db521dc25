import type { Logger } from '@discret/log';
import type { ChangedDays } from '@discret/store';

/** Events of a Discret instance, discriminated on `type`. */
export type DiscretEvent =
  | { type: 'DataChanged'; rooms: Record<string, Record<string, number[]>> }
  | { type: 'RoomModified'; room: string }
  | { type: 'PeerConnected'; verifyingKey: string; date: number; connectionId: string }
  | { type: 'PeerDisconnected'; verifyingKey: string; date: number; connectionId: string }
  | { type: 'RoomSynchronized'; room: string }
  | { type: 'PendingPeer' }
  | { type: 'PendingHardware' }
  /** Bytes of a blob held so far while it is fetched from peers (about one event per MiB). */
  | { type: 'BlobProgress'; id: string; bytes: number; size: number }
  /** A blob is now held whole here (put, or fetched). */
  | { type: 'BlobAvailable'; id: string; size: number }
  /** Only from `events()`: this iterator's reader fell behind and `count` older events were dropped. */
  | { type: 'EventsDropped'; count: number };

export type DiscretEventType = DiscretEvent['type'];

/** Every event type, to refuse a misspelt one in `on()` at once rather than never calling it. */
export const EVENT_TYPES: ReadonlySet<string> = new Set<DiscretEventType>([
  'DataChanged', 'RoomModified', 'PeerConnected', 'PeerDisconnected', 'RoomSynchronized', 'PendingPeer', 'PendingHardware', 'BlobProgress', 'BlobAvailable', 'EventsDropped',
]);
export type EventOf<T extends DiscretEventType> = Extract<DiscretEvent, { type: T }>;

/**
 * Fan-out of events to listeners and to async iterators.
 *
 * - A listener that throws is logged and the others still run: an app's bug in a listener
 *   never fails the write that emitted the event (it was already committed).
 * - Each iterator has its own queue of at most `queueLength` events. When a reader falls
 *   behind, the oldest events are dropped and the reader's next event is an `EventsDropped`
 *   with how many were lost, so memory stays bounded and the reader knows to re-query.
 */
export class EventHub {
  private readonly listeners = new Set<(event: DiscretEvent) => void>();
  private readonly stoppers = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly log: Logger,
    private readonly queueLength = 1024,
  ) {}

  emit(event: DiscretEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.log.error({ err: error, event: event.type }, 'an event listener threw; the event was still delivered to the others');
      }
    }
  }

  on<T extends DiscretEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    const wrapped = (event: DiscretEvent) => {
      if (event.type === type) listener(event as EventOf<T>);
    };
    this.listeners.add(wrapped);
    return () => {
      this.listeners.delete(wrapped);
    };
  }

  iterate(): AsyncIterableIterator<DiscretEvent> {
    const queue: DiscretEvent[] = [];
    let dropped = 0;
    let wake: (() => void) | null = null;
    let done = this.closed;
    const limit = this.queueLength;
    const listener = (event: DiscretEvent) => {
      if (queue.length >= limit) {
        queue.shift();
        dropped++;
      }
      queue.push(event);
      wake?.();
    };
    const stop = () => {
      done = true;
      this.listeners.delete(listener);
      this.stoppers.delete(stop);
      wake?.();
    };
    if (!done) {
      this.listeners.add(listener);
      this.stoppers.add(stop);
    }
    const iterator: AsyncIterableIterator<DiscretEvent> = {
      async next() {
        while (!queue.length && !done) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (dropped) {
          const count = dropped;
          dropped = 0;
          return { value: { type: 'EventsDropped', count }, done: false };
        }
        if (queue.length) return { value: queue.shift()!, done: false };
        return { value: undefined, done: true };
      },
      async return() {
        stop();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  /** Ends every iterator (after they drain what they hold) and drops every listener. */
  close(): void {
    this.closed = true;
    for (const stop of [...this.stoppers]) stop();
    this.listeners.clear();
  }
}

/** A store's changes as the DataChanged event tells them: days sorted, per entity, per room. */
export function changedDays(changes: ChangedDays): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [room, entities] of changes) {
    out[room] = {};
    for (const [entity, days] of entities) out[room][entity] = [...days].sort((a, b) => a - b);
  }
  return out;
}
