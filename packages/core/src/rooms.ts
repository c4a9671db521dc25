import { base64url } from '@discret/crypto';
import type { Operand, Parameters, ResolvedMutation, ResolvedMutationEntity } from '@discret/lang';
import {
  applyRoomChange, decideWrite, ROOM_ENTITY, ROOM_STRUCTURE, type Authorisation, type AuthorisationChange, type RoomChange, type RoomState, type UserAuth,
} from '@discret/rooms';
import { StoreError, type Store, type WriteCheck } from '@discret/store';
import { DiscretError } from './errors.js';

/**
 * Attached to a mutation that changes rooms (the store hands it back to `authorize`): the
 * room changes were already judged as a whole, so their rows may be written.
 */
export interface RoomMutation {
  kind: 'room-mutation';
  /** Ids of existing rooms this mutation may change. */
  rooms: Set<string>;
  /** How many new rooms it creates; each new sys.Room row is its own room. */
  newRooms: number;
  /** Ids of the new rooms, learned as their rows are written. */
  created: Set<string>;
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
 * store after every change to a room's definition. It answers the store's `authorize` hook.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, RoomState>();

  constructor(
    private readonly privateRoom: string,
    private readonly owner: string,
  ) {}

  get(id: string): RoomState | undefined {
    return this.rooms.get(id);
  }

  async loadAll(store: Store): Promise<void> {
    const { r } = (await store.query(LOAD_ALL_ROOMS)) as { r: RoomRow[] };
    for (const row of r) this.rooms.set(row.id, roomFromRow(row));
  }

  async reload(store: Store, id: string): Promise<void> {
    const { r } = (await store.query(LOAD_ROOMS, { id })) as { r: RoomRow[] };
    if (r[0]) this.rooms.set(id, roomFromRow(r[0]));
  }

  /**
   * The store's rights hook. Local data (no room) is always writable; the private room is its
   * owner's; room definitions are written only by a judged `sys.Room` mutation; everything
   * else needs a right in the room at the write's date (@discret/rooms `decideWrite`).
   */
  authorize(check: WriteCheck): void {
    const entity = check.entity.fullName;
    const key = base64url(check.verifyingKey);
    const deny = (reason: string): never => {
      throw new StoreError('AUTHORISATION_DENIED', reason);
    };
    if (ROOM_STRUCTURE.has(entity)) {
      if (check.action === 'delete') deny(`${entity} rows cannot be deleted`);
      const context = check.context as RoomMutation | undefined;
      if (context?.kind !== 'room-mutation' || check.roomId === null) deny(`${entity} is written only through a sys.Room mutation`);
      const room = base64url(check.roomId!);
      if (context!.rooms.has(room) || context!.created.has(room)) return;
      if (entity === ROOM_ENTITY && check.action === 'insert' && context!.created.size < context!.newRooms && Buffer.compare(Buffer.from(check.id), Buffer.from(check.roomId!)) === 0) {
        context!.created.add(room);
        return;
      }
      deny(`${entity} cannot be written in room ${room} by this mutation`);
    }
    for (const roomId of new Set([check.roomId, check.previousRoomId ?? null].map((r) => (r ? base64url(r) : null)))) {
      if (roomId === null) continue;
      if (roomId === this.privateRoom) {
        if (key !== this.owner) deny(`Only its owner writes in the private room`);
        continue;
      }
      const room = this.rooms.get(roomId);
      if (!room) deny(`Unknown room ${roomId}`);
      const decision = decideWrite(room!, {
        action: check.action,
        entity,
        verifyingKey: key,
        date: check.date,
        author: check.previousAuthor ? base64url(check.previousAuthor) : undefined,
      });
      if (!decision.allowed) deny(decision.reason);
    }
  }

  /**
   * Judges the room changes of a mutation before it runs. Returns the context to run it with,
   * or undefined when it does not touch room definitions. Throws INVALID_MUTATION for what a
   * room never allows (explicit room ids, removals, changing immutable rows, structure written
   * outside a sys.Room) and AUTHORISATION_DENIED for what this user may not do.
   */
  planMutation(mutation: ResolvedMutation, params: Parameters | undefined, writer: string, date: number): RoomMutation | undefined {
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

    const plan: RoomMutation = { kind: 'room-mutation', rooms: new Set(), newRooms: 0, created: new Set() };
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
