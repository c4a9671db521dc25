/** A user's membership as of `date`; later rows for the same key supersede earlier ones. */
export interface UserAuth {
  verifyingKey: string;
  enabled: boolean;
  date: number;
}

/** What an authorisation lets its users do with one entity (`*` for all). */
export interface EntityRight {
  entity: string;
  mutateSelf: boolean;
  mutateAll: boolean;
  date: number;
}

export interface Authorisation {
  id: string;
  name: string;
  rights: EntityRight[];
  users: UserAuth[];
  userAdmins: UserAuth[];
}

/** Everything known about one room: its admins and authorisations, with their history. */
export interface RoomState {
  id: string;
  admins: UserAuth[];
  authorisations: Authorisation[];
}

export interface WriteRequest {
  action: 'insert' | 'update' | 'delete';
  /** Full entity name, e.g. `blog.Article` or `sys.Authorisation`. */
  entity: string;
  verifyingKey: string;
  /** Date of the write: rights are judged as they stood then. */
  date: number;
  /** Author of the row being updated or deleted. */
  author?: string;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

/** The state of `key` in a list of membership rows at `date` (the latest row not after it). */
export function memberAt(rows: UserAuth[], key: string, date: number): boolean {
  let latest: UserAuth | undefined;
  for (const row of rows) {
    if (row.verifyingKey !== key || row.date > date) continue;
    if (!latest || row.date >= latest.date) latest = row;
  }
  return latest?.enabled ?? false;
}

/** Entity names compared as the data model does: the namespace in any case (`Ns.X` is `ns.X`). */
function sameEntity(a: string, b: string): boolean {
  if (a === b) return true;
  const dotA = a.lastIndexOf('.');
  const dotB = b.lastIndexOf('.');
  return dotA === dotB && dotA > 0 && a.slice(dotA) === b.slice(dotB) && a.slice(0, dotA).toLowerCase() === b.slice(0, dotB).toLowerCase();
}

/** The right on `entity` in force at `date` (the latest one not after it, exact name before `*`). */
export function rightAt(rights: EntityRight[], entity: string, date: number): EntityRight | undefined {
  const pick = (name: string) => {
    let latest: EntityRight | undefined;
    for (const r of rights) if (sameEntity(r.entity, name) && r.date <= date && (!latest || r.date >= latest.date)) latest = r;
    return latest;
  };
  return pick(entity) ?? pick('*');
}

/** The entities that make up a room's definition (and its root entity, whose rows are rooms). */
export const ROOM_ENTITY = 'sys.Room';
export const ROOM_STRUCTURE: ReadonlySet<string> = new Set([ROOM_ENTITY, 'sys.Authorisation', 'sys.UserAuth', 'sys.EntityRight']);

/**
 * May `request.verifyingKey` perform this write in this room? Pure: the caller gives the
 * room's whole history. Room structure (the room, its authorisations, user and right rows)
 * is written by admins only, and is never deleted; user admins may add users to their
 * authorisation. Other entities need a right in an authorisation that holds the writer at
 * the write's date: inserting and changing one's own rows needs `mutate_self` or
 * `mutate_all`; changing other people's rows needs `mutate_all`. As upstream's `Room::can`,
 * an authorisation holds its users, its user admins, and every room admin: an admin still
 * needs some authorisation of the room to grant the right, but need not be listed in it.
 */
export function decideWrite(room: RoomState, request: WriteRequest): Decision {
  const { verifyingKey: key, date } = request;
  const isAdmin = memberAt(room.admins, key, date);
  if (ROOM_STRUCTURE.has(request.entity)) {
    if (request.action === 'delete') return { allowed: false, reason: `${request.entity} rows cannot be deleted` };
    if (isAdmin) return { allowed: true };
    if (request.entity === 'sys.UserAuth' && room.authorisations.some((a) => memberAt(a.userAdmins, key, date))) {
      return { allowed: true };
    }
    return { allowed: false, reason: `only room admins may change ${request.entity}` };
  }
  const own = request.action === 'insert' || request.author === undefined || request.author === key;
  for (const auth of room.authorisations) {
    if (!isAdmin && !memberAt(auth.users, key, date) && !memberAt(auth.userAdmins, key, date)) continue;
    const right = rightAt(auth.rights, request.entity, date);
    if (!right) continue;
    if (right.mutateAll || (own && right.mutateSelf)) return { allowed: true };
  }
  return { allowed: false, reason: `no right to ${request.action} ${request.entity} in room ${room.id}` };
}
