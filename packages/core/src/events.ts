/** Events of a Discret instance, discriminated on `type`. */
export type DiscretEvent =
  | { type: 'DataChanged'; rooms: Record<string, Record<string, number[]>> }
  | { type: 'RoomModified'; room: string }
  | { type: 'PeerConnected'; verifyingKey: string; date: number; connectionId: string }
  | { type: 'PeerDisconnected'; verifyingKey: string; date: number; connectionId: string }
  | { type: 'RoomSynchronized'; room: string }
  | { type: 'PendingPeer' }
  | { type: 'PendingHardware' };

export type DiscretEventType = DiscretEvent['type'];
export type EventOf<T extends DiscretEventType> = Extract<DiscretEvent, { type: T }>;

/** Fan-out of events to listeners and to async iterators (each iterator has its own queue). */
export class EventHub {
  private listeners = new Set<(event: DiscretEvent) => void>();
  private closed = false;

  emit(event: DiscretEvent): void {
    for (const listener of [...this.listeners]) listener(event);
  }

  on<T extends DiscretEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    const wrapped = (event: DiscretEvent) => {
      if (event.type === type) listener(event as EventOf<T>);
    };
    this.listeners.add(wrapped);
    return () => this.listeners.delete(wrapped);
  }

  iterate(): AsyncIterableIterator<DiscretEvent> {
    const queue: DiscretEvent[] = [];
    let wake: (() => void) | null = null;
    let done = this.closed;
    const listener = (event: DiscretEvent) => {
      queue.push(event);
      wake?.();
    };
    const stop = () => {
      done = true;
      this.listeners.delete(listener);
      this.stoppers.delete(stop);
      wake?.();
    };
    this.listeners.add(listener);
    this.stoppers.add(stop);
    const iterator: AsyncIterableIterator<DiscretEvent> = {
      async next() {
        while (!queue.length && !done) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
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

  private stoppers = new Set<() => void>();

  /** Ends every iterator. */
  close(): void {
    this.closed = true;
    for (const stop of [...this.stoppers]) stop();
    this.listeners.clear();
  }
}
