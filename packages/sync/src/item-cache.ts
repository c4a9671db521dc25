import type { RecordRef } from '@discret/store';
import type { SyncHost, SyncPhase } from './host.js';
import { keyText, reconcileItem } from './items.js';
import { ItemSet } from './reconcile.js';

/** A room phase's items, sorted for reconciliation, with each key's record reference. */
export interface RoomView {
  set: ItemSet;
  refs: Map<string, RecordRef>;
}

/**
 * The item sets of the rooms being synchronised, shared by every connection and kept until the
 * room changes (`forget`, called on every commit that touches it). Building one lists and
 * hashes the whole room, so without this each pull of a large room paid it again on both
 * sides. Bounded: the least recently used room is dropped past `maxRooms`.
 */
export class ItemSetCache {
  private readonly views = new Map<string, { generation: number; view: Promise<RoomView> }>();
  private readonly generations = new Map<string, number>();

  constructor(
    private readonly host: SyncHost,
    private readonly maxRooms = 8,
  ) {}

  get(room: string, phase: SyncPhase): Promise<RoomView> {
    const key = `${phase}:${room}`;
    const generation = this.generations.get(room) ?? 0;
    const cached = this.views.get(key);
    if (cached && cached.generation === generation) {
      this.views.delete(key); // most recently used last
      this.views.set(key, cached);
      return cached.view;
    }
    const view = this.build(room, phase);
    view.catch(() => this.views.delete(key));
    this.views.set(key, { generation, view });
    while (this.views.size > this.maxRooms) this.views.delete(this.views.keys().next().value!);
    return view;
  }

  /** The room changed: its sets are rebuilt when next needed. */
  forget(room: string): void {
    this.generations.set(room, (this.generations.get(room) ?? 0) + 1);
    this.views.delete(`definition:${room}`);
    this.views.delete(`data:${room}`);
  }

  private async build(room: string, phase: SyncPhase): Promise<RoomView> {
    const items = await this.host.items(room, phase);
    const refs = new Map<string, RecordRef>();
    const set = new ItemSet(items.map((it) => {
      const item = reconcileItem(it.kind, it.date, it.signature);
      refs.set(keyText(item.key), it.ref);
      return item;
    }));
    return { set, refs };
  }
}
