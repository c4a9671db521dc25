import { base64url, equalBytes } from '@discret/crypto';
import type { Operand, Parameters, ResolvedMutation, ResolvedMutationEntity } from '@discret/lang';
import {
  applyRoomChange, decideWrite, memberAt, ROOM_ENTITY, ROOM_STRUCTURE, type Authorisation, type AuthorisationChange, type RoomChange, type RoomState, type UserAuth,
} from '@discret/rooms';
import { ALLOWED, type Store, type WriteDecision, type WritePolicy, type WriteQuestion } from '@discret/store';
import type { EntityDef } from '@discret/lang';
import { DiscretError } from './errors.js';

/**
 * The grant of a mutation that changes rooms, judged as a whole before it runs (planMutation):
 * the store hands it to the policy with every question, so the room rows it writes may be
 * written. Immutable: deciding has no side effects.
 */
export interface RoomGrant {
  /** Ids of existing rooms whose definition this mutation may change. */
  readonly rooms: ReadonlySet<string>;
  /** How many new rooms it creates; each new sys.Room row is its own room. */
  readonly newRooms: number;
}

const LOAD_ROOMS = `query {
  r: sys.Room(id = $id, nullable(admin, authorisations)) {
    id
    admin { verif_key enabled mdate }
    authorisations(nullable(rights, users, user_admin)) {
      id name
      rights { entity mutate_self mutate_all mdate }
      users { verif_key enabled mdate }
      user_admin { verif_key enabled mdate }
    }
  }
}`;
const LOAD_ALL_ROOMS = LOAD_ROOMS.replace('id = $id, ', '');

interface UserRow { verif_key: string; enabled: boolean; mdate: number }
interface RoomRow {
  id: string;
  admin: UserRow[];
  authorisations: { id: string; name: string; rights: { entity: string; mutate_self: boolean; mutate_all: boolean; mdate: number }[]; users: UserRow[]; user_admin: UserRow[] }[];
}

const users = (rows: UserRow[]): UserAuth[] => rows.map((u) => ({ verifyingKey: u.verif_key, enabled: u.enabled, date: u.mdate }));

function roomFromRow(row: RoomRow): RoomState {
  const authorisations: Authorisation[] = row.authorisations.map((a) => ({
    id: a.id,
    name: a.name,
    rights: a.rights.map((r) => ({ entity: r.entity, mutateSelf: r.mutate_self, mutateAll: r.mutate_all, date: r.mdate })),
    users: users(a.users),
    userAdmins: users(a.user_admin),
  }));
  return { id: row.id, admins: users(row.admin), authorisations };
}

/**
 * The rooms this user knows, kept in memory (apps have tens or hundreds) and reloaded from the
 * store after every change to a room's definition. It is the store's write policy.
 */
export class RoomRegistry implements WritePolicy<RoomGrant> {
  private readonly rooms = new Map<string, RoomState>();

  constructor(
    private readonly privateRoom: string,
    private readonly owner: string,
  ) {}

  get(id: string): RoomState | undefined {
    return this.rooms.get(id);
  }

  /** Ids of every room this install knows. */
  ids(): string[] {
    return [...this.rooms.keys()];
  }

  /** Verifying keys of everyone who is, now, a member of the room (admins, users, user admins). */
  membersOf(id: string, date = Date.now()): string[] {
    const room = this.rooms.get(id);
    if (!room) return [];
    const keys = new Set<string>();
    for (const u of room.admins) keys.add(u.verifyingKey);
    for (const a of room.authorisations) for (const u of [...a.users, ...a.userAdmins]) keys.add(u.verifyingKey);
    return [...keys].filter((key) => isMember(room, key, date));
  }

  /** The rooms `user` belongs to now (admin, user or user admin of an authorisation): those a peer may read. */
  roomsOf(user: string, date = Date.now()): string[] {
    return [...this.rooms.values()].filter((room) => isMember(room, user, date)).map((room) => room.id);
  }

  async loadAll(store: Store): Promise<void> {
    const { r } = (await store.query(LOAD_ALL_ROOMS)) as { r: RoomRow[] };
    for (const row of r) this.rooms.set(row.id, roomFromRow(row));
  }

  async reload(store: Store, id: string): Promise<void> {
    const { r } = (await store.query(LOAD_ROOMS, { id })) as { r: RoomRow[] };
    if (r[0]) this.rooms.set(id, roomFromRow(r[0]));
  }

  /** A new sys.Room row is its own room: its id is the room id, and its sub-rows inherit it. */
  roomOfNewRow(entity: EntityDef, id: Uint8Array): Uint8Array | undefined {
    return entity.fullName === ROOM_ENTITY ? id : undefined;
  }

  /**
   * The store's write policy. Local data (no room) is always writable; the private room is its
   * owner's; room definitions are written only under the grant of a judged `sys.Room` mutation;
   * everything else needs a right in the room at the write's date (@discret/rooms
   * `decideWrite`). Adding or removing a relation link is a change of its source row.
   */
  decide(q: WriteQuestion, grant: RoomGrant | undefined): WriteDecision {
    const entity = q.entity.fullName;
    if (ROOM_STRUCTURE.has(entity)) return this.decideStructure(q, grant);
    const { action, previousAuthor } = asRowWrite(q);
    const rooms = new Set([q.roomId, q.kind === 'update' ? q.previousRoomId : null].map((r) => (r ? base64url(r) : null)));
    const key = base64url(q.author);
    for (const roomId of rooms) {
      if (roomId === null) continue;
      if (roomId === this.privateRoom) {
        if (key !== this.owner) return deny('Only its owner writes in the private room');
        continue;
      }
      const room = this.rooms.get(roomId);
      if (!room) return deny(`Unknown room ${roomId}`);
      const decision = decideWrite(room, {
        action, entity, verifyingKey: key, date: q.date, author: previousAuthor ? base64url(previousAuthor) : undefined,
      });
      if (!decision.allowed) return decision;
    }
    return ALLOWED;
  }

  private decideStructure(q: WriteQuestion, grant: RoomGrant | undefined): WriteDecision {
    const entity = q.entity.fullName;
    if (q.kind === 'delete') return deny(`${entity} rows cannot be deleted`);
    if (q.kind === 'edgeRemoved') return deny(`${entity} links cannot be removed`);
    if (!grant || q.roomId === null) return deny(`${entity} is written only through a sys.Room mutation`);
    const room = base64url(q.roomId);
    if (grant.rooms.has(room) || q.roomCreatedByRequest) return ALLOWED;
    // The sys.Room row of a room this mutation creates: its id is its room.
    if (entity === ROOM_ENTITY && q.kind === 'insert' && grant.newRooms > 0 && equalBytes(q.id, q.roomId)) return ALLOWED;
    return deny(`${entity} cannot be written in room ${room} by this mutation`);
  }

  /**
   * Judges the room changes of a mutation before it runs. Returns the grant to run it with,
   * or undefined when it does not touch room definitions. Throws INVALID_MUTATION for what a
   * room never allows (explicit room ids, removals, changing immutable rows, structure written
   * outside a sys.Room) and AUTHORISATION_DENIED for what this user may not do.
   */
  planMutation(mutation: ResolvedMutation, params: Parameters | undefined, writer: string, date: number): RoomGrant | undefined {
    const read = (op: Operand) => (op.kind === 'value' ? op.value : params?.[op.name]);
    const text = (op: Operand | undefined) => {
      const v = op ? read(op) : undefined;
      return v instanceof Uint8Array ? base64url(v) : v === undefined || v === null ? undefined : String(v);
    };
    const invalid = (m: ResolvedMutationEntity, why: string): never => {
      throw new DiscretError('INVALID_MUTATION', `${m.entity.fullName}: ${why}`, { line: m.pos.line, column: m.pos.column });
    };
    const value = (m: ResolvedMutationEntity, field: string) => {
      const v = m.values.find((x) => x.field.name === field);
      return v ? read(v.operand) : undefined;
    };
    const children = (m: ResolvedMutationEntity, field: string): ResolvedMutationEntity[] => {
      const rel = m.relations.find((r) => r.field.name === field);
      if (!rel) return [];
      if (rel.value === null) invalid(m, `${field} cannot be removed from a room`);
      return Array.isArray(rel.value) ? rel.value : [rel.value!];
    };
    const newRow = (m: ResolvedMutationEntity) => {
      if (m.id) invalid(m, 'rows are immutable: add a new one instead');
      if (m.roomId) invalid(m, 'room_id is set by the room');
      return m;
    };
    const user = (m: ResolvedMutationEntity) => {
      newRow(m);
      const key = value(m, 'verif_key');
      return { verifyingKey: key instanceof Uint8Array ? base64url(key) : String(key), enabled: value(m, 'enabled') !== false };
    };
    const right = (m: ResolvedMutationEntity) => {
      newRow(m);
      return { entity: String(value(m, 'entity')), mutateSelf: value(m, 'mutate_self') === true, mutateAll: value(m, 'mutate_all') === true };
    };

    const plan = { rooms: new Set<string>(), newRooms: 0 };
    let touched = false;
    const visit = (m: ResolvedMutationEntity, insideRoom: boolean) => {
      const name = m.entity.fullName;
      if (name === ROOM_ENTITY) {
        if (insideRoom) invalid(m, 'rooms do not nest');
        touched = true;
        if (m.roomId) invalid(m, 'a room is its own room: room_id cannot be set');
        const roomId = m.id ? text(m.id)! : null;
        const change: RoomChange = {
          roomId,
          admins: children(m, 'admin').map(user),
          authorisations: children(m, 'authorisations').map((a): AuthorisationChange => {
            if (a.roomId) invalid(a, 'room_id is set by the room');
            const name = value(a, 'name');
            return {
              id: a.id ? text(a.id)! : null,
              rowChanged: !a.id || a.values.length > 0,
              name: name === undefined ? undefined : String(name),
              rights: children(a, 'rights').map(right),
              users: children(a, 'users').map(user),
              userAdmins: children(a, 'user_admin').map(user),
            };
          }),
        };
        const decision = applyRoomChange(roomId ? this.rooms.get(roomId) : undefined, change, writer, date);
        if (!decision.allowed) throw new DiscretError('AUTHORISATION_DENIED', decision.reason);
        if (roomId) plan.rooms.add(roomId);
        else plan.newRooms++;
        return;
      }
      if (ROOM_STRUCTURE.has(name)) invalid(m, 'room definitions change only through a sys.Room mutation');
      for (const rel of m.relations) {
        if (rel.value === null) continue;
        for (const child of Array.isArray(rel.value) ? rel.value : [rel.value]) visit(child, insideRoom);
      }
    };
    for (const m of mutation.entities) visit(m, false);
    return touched ? plan : undefined;
  }
}

/** True when `user` is, at `date`, an admin of the room or in one of its authorisations. */
export function isMember(room: RoomState, user: string, date: number): boolean {
  return memberAt(room.admins, user, date)
    || room.authorisations.some((a) => memberAt(a.users, user, date) || memberAt(a.userAdmins, user, date));
}

function deny(reason: string): WriteDecision {
  return { allowed: false, reason };
}

/** A question as @discret/rooms sees it: a relation link added or removed changes its source row. */
function asRowWrite(q: WriteQuestion): { action: 'insert' | 'update' | 'delete'; previousAuthor?: Uint8Array } {
  switch (q.kind) {
    case 'insert':
      return { action: 'insert' };
    case 'update':
    case 'delete':
      return { action: q.kind, previousAuthor: q.previousAuthor };
    default:
      return { action: 'update', previousAuthor: q.srcAuthor };
  }
}

/** Ids of the rooms a mutation created: the new sys.Room rows, wherever they are in its tree. */
export function newRoomIds(entities: ResolvedMutationEntity[], result: Record<string, unknown>): string[] {
  const ids: string[] = [];
  const visit = (m: ResolvedMutationEntity, written: Record<string, unknown> | undefined) => {
    if (!written) return;
    if (m.entity.fullName === ROOM_ENTITY && !m.id) ids.push(String(written.id));
    for (const rel of m.relations) {
      if (rel.value === null) continue;
      const children = Array.isArray(rel.value) ? rel.value : [rel.value];
      const out = written[rel.field.name];
      const outs = (Array.isArray(out) ? out : [out]) as (Record<string, unknown> | undefined)[];
      for (const [i, child] of children.entries()) visit(child, outs[i]);
    }
  };
  for (const m of entities) visit(m, result[m.alias] as Record<string, unknown> | undefined);
  return ids;
}
