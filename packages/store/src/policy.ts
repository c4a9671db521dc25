import type { EntityDef, FieldDef } from '@discret/lang';

/**
 * The questions the store asks before every write, local or imported, and the decision it
 * gets back. The policy decides; it has no side effects and reads nothing: everything it needs
 * is in the question (and in the grant the request was started with). Core's rooms implement
 * it; a store opened without a policy allows everything.
 */
export type WriteQuestion = RowInserted | RowUpdated | RowDeleted | EdgeChanged;

interface WriteFacts {
  /** Who signs the write (the author of a local write, the record's author for an import). */
  author: Uint8Array;
  /** The write's own date: now for local writes, the record's date for imports. */
  date: number;
  /** True when the write comes from a peer (`importRecords`), false for local requests. */
  imported: boolean;
  /** True when the row's room is a row that this same request inserted just before. */
  roomCreatedByRequest: boolean;
}

export interface RowInserted extends WriteFacts {
  kind: 'insert';
  id: Uint8Array;
  entity: EntityDef;
  /** Room of the new row; null for local data. */
  roomId: Uint8Array | null;
}

export interface RowUpdated extends WriteFacts {
  kind: 'update';
  id: Uint8Array;
  entity: EntityDef;
  /** Room after the update. */
  roomId: Uint8Array | null;
  /** Room before it (differs when the update moves the row). */
  previousRoomId: Uint8Array | null;
  /** Author of the row as it is before the update. */
  previousAuthor: Uint8Array;
}

export interface RowDeleted extends WriteFacts {
  kind: 'delete';
  id: Uint8Array;
  entity: EntityDef;
  roomId: Uint8Array | null;
  /** Author of the row deleted (for an imported deletion of a row we lack: the deleter). */
  previousAuthor: Uint8Array;
}

/** A relation link added to or removed from a row (its source). */
export interface EdgeChanged extends WriteFacts {
  kind: 'edgeAdded' | 'edgeRemoved';
  src: Uint8Array;
  /** Entity of the source row, and the relation field. */
  entity: EntityDef;
  field: FieldDef;
  dest: Uint8Array;
  /** Room of the source row. */
  roomId: Uint8Array | null;
  /** Author of the source row. */
  srcAuthor: Uint8Array;
}

export type WriteDecision = { allowed: true } | { allowed: false; reason: string };

export const ALLOWED: WriteDecision = Object.freeze({ allowed: true });

/**
 * Decides writes. `Grant` is whatever the caller judged before a request ran and passes with
 * it (`store.mutate(m, params, { grant })`); imports and requests without one get undefined.
 */
export interface WritePolicy<Grant = unknown> {
  /** May this write happen? */
  decide(question: WriteQuestion, grant: Grant | undefined): WriteDecision;
  /**
   * The room of a new row that names none, when it is not its parent's: core answers the
   * row's own id for a new `sys.Room` (a room is its own room). Undefined: the parent's room.
   */
  roomOfNewRow?(entity: EntityDef, id: Uint8Array): Uint8Array | undefined;
}

/** Allows every write. */
export const ALLOW_ALL: WritePolicy<never> = Object.freeze({ decide: () => ALLOWED });
