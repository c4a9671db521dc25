import { type Authorisation, memberAt, type RoomState } from './rights.js';

/** A UserAuth row being added (rows are never changed: a change is a new row). */
export interface UserAuthInput {
  verifyingKey: string;
  enabled: boolean;
}

/** An EntityRight row being added. */
export interface EntityRightInput {
  entity: string;
  mutateSelf: boolean;
  mutateAll: boolean;
}

/** What one `sys.Room` mutation does to one authorisation. */
export interface AuthorisationChange {
  /** Id of an existing authorisation of the room; null for a new one. */
  id: string | null;
  /** The authorisation row itself is written (a new one, or its name changes). */
  rowChanged: boolean;
  name?: string;
  rights: EntityRightInput[];
  users: UserAuthInput[];
  userAdmins: UserAuthInput[];
}

/** What one `sys.Room` mutation does to one room. */
export interface RoomChange {
  /** Id of an existing room; null for a new one. */
  roomId: string | null;
  admins: UserAuthInput[];
  authorisations: AuthorisationChange[];
}

export type RoomChangeDecision = { allowed: true; room: RoomState; needsAdmin: boolean } | { allowed: false; reason: string };

/**
 * May `writer` make this change to the room at `date`, and what is the room afterwards?
 * Upstream's rules, made explicit:
 * - a new room needs an admin, and its writer must be one of them (usually: themselves);
 * - adding admins or authorisations, changing an authorisation's name, adding rights or user
 *   admins: room admins only;
 * - adding users to an existing authorisation: room admins, or that authorisation's user admins
 *   (a change made only of such additions is the one thing a non-admin may do);
 * - the authorisation must belong to the room.
 * Admin status is judged on the room as it stood before the change, except for a new room,
 * whose creator must appear among the admins it is created with.
 */
export function applyRoomChange(current: RoomState | undefined, change: RoomChange, writer: string, date: number): RoomChangeDecision {
  if (change.roomId !== null && !current) return { allowed: false, reason: `unknown room ${change.roomId}` };
  const room: RoomState = current
    ? { id: current.id, admins: [...current.admins], authorisations: current.authorisations.map(copyAuthorisation) }
    : { id: '(new)', admins: [], authorisations: [] };
  // A change that adds nothing still rewrites nothing but is not a user admin's to make.
  const addsOnlyUsers = change.admins.length === 0 && change.authorisations.length > 0
    && change.authorisations.every((a) => a.id !== null && !a.rowChanged && a.rights.length === 0 && a.userAdmins.length === 0 && a.users.length > 0);
  let needsAdmin = current === undefined || !addsOnlyUsers;
  const stamp = (u: UserAuthInput) => ({ verifyingKey: u.verifyingKey, enabled: u.enabled, date });

  if (change.admins.length) {
    needsAdmin = true;
    room.admins.push(...change.admins.map(stamp));
  }
  for (const a of change.authorisations) {
    let auth: Authorisation | undefined;
    if (a.id === null) {
      auth = { id: `(new ${room.authorisations.length})`, name: a.name ?? '', rights: [], users: [], userAdmins: [] };
      room.authorisations.push(auth);
      needsAdmin = true;
    } else {
      auth = room.authorisations.find((x) => x.id === a.id);
      if (!auth) return { allowed: false, reason: `authorisation ${a.id} is not in room ${room.id}` };
      if (a.rowChanged) needsAdmin = true;
    }
    if (a.name !== undefined) auth.name = a.name;
    if (a.rights.length || a.userAdmins.length) needsAdmin = true;
    // Users may be added by the authorisation's user admins as it stood before this change.
    if (a.users.length && !memberAt(auth.userAdmins, writer, date)) needsAdmin = true;
    auth.rights.push(...a.rights.map((r) => ({ ...r, date })));
    auth.users.push(...a.users.map(stamp));
    auth.userAdmins.push(...a.userAdmins.map(stamp));
  }
  // An existing room is judged as it stood (nobody makes themselves admin); a new one as it
  // will be (its creator names themselves).
  if (needsAdmin && !memberAt((current ?? room).admins, writer, date)) {
    return { allowed: false, reason: current ? `only admins of room ${room.id} may change it this way` : 'the creator of a room must be one of its admins' };
  }
  return { allowed: true, room, needsAdmin };
}

function copyAuthorisation(a: Authorisation): Authorisation {
  return { ...a, rights: [...a.rights], users: [...a.users], userAdmins: [...a.userAdmins] };
}
