import type { RoomState } from './rights.js';
import { type AuthorisationChange, applyRoomChange, type RoomChange, type UserAuthInput } from './room-change.js';

/**
 * Judging a room definition received from a peer as a whole history.
 *
 * A room's definition is a set of signed rows: the `sys.Room` row, its `sys.Authorisation`s,
 * their `sys.EntityRight`s and `sys.UserAuth`s, and the relation links between them. Each
 * link carries its author and date, and the rows one mutation wrote share that author and
 * date. So the history is replayed as the mutations that made it: rows and links grouped by
 * (author, date), in date order, each group turned back into a `RoomChange` and judged by
 * `applyRoomChange` on the room as it stood before. A group that was not allowed (someone
 * making themselves admin, a user admin granting rights) is rejected whole, and so is every
 * row that no allowed group explains. A peer cannot forge an admin or a right: it can only
 * send rows that their authors were allowed to write at their dates.
 */

export type StructureKind = 'room' | 'authorisation' | 'userAuth' | 'entityRight';
export type StructureLabel = 'admin' | 'authorisations' | 'rights' | 'users' | 'user_admin';

/** A structure row, its fields decoded (only those of its kind are read). */
export interface StructureNode {
  id: string;
  kind: StructureKind;
  cdate: number;
  mdate: number;
  /** base64url verifying key of the author of this version. */
  author: string;
  name?: string;
  verifyingKey?: string;
  enabled?: boolean;
  entity?: string;
  mutateSelf?: boolean;
  mutateAll?: boolean;
}

/** A relation link between structure rows. */
export interface StructureEdge {
  src: string;
  label: StructureLabel;
  dest: string;
  date: number;
  author: string;
}

export interface HistoryVerdict {
  /** The room after every allowed change; undefined if its creation was not allowed or is missing. */
  room: RoomState | undefined;
  /** Why each refused row or link was refused, by `structureRecordName`. */
  rejected: Map<string, string>;
}

/** The name of a row (its id) or a link (`src:label:dest`) in a verdict. */
export function structureRecordName(record: StructureNode | StructureEdge): string {
  return 'label' in record ? `${record.src}:${record.label}:${record.dest}` : record.id;
}

interface Group {
  date: number;
  author: string;
  edges: StructureEdge[];
  renamed: StructureNode[];
  createsRoom: boolean;
}

class Refusal extends Error {}

/** Replays a room's whole structure history; see the module comment. */
export function replayRoomHistory(roomId: string, nodes: readonly StructureNode[], edges: readonly StructureEdge[]): HistoryVerdict {
  const rejected = new Map<string, string>();
  const byId = new Map<string, StructureNode>();
  for (const node of nodes) {
    const problem = shapeProblem(node, roomId);
    if (problem) rejected.set(node.id, problem);
    else byId.set(node.id, node);
  }
  const groups = new Map<string, Group>();
  const groupOf = (date: number, author: string): Group => {
    const key = `${date}|${author}`;
    const known = groups.get(key);
    if (known) return known;
    const group: Group = { date, author, edges: [], renamed: [], createsRoom: false };
    groups.set(key, group);
    return group;
  };
  const roomNode = byId.get(roomId);
  if (roomNode) groupOf(roomNode.cdate, roomNode.author).createsRoom = true;
  for (const edge of edges) groupOf(edge.date, edge.author).edges.push(edge);
  for (const node of byId.values()) {
    if (node.kind === 'authorisation' && node.mdate > node.cdate) groupOf(node.mdate, node.author).renamed.push(node);
  }

  let room: RoomState | undefined;
  const explained = new Set<string>();
  const ordered = [...groups.values()].sort((a, b) => a.date - b.date || (a.author < b.author ? -1 : a.author > b.author ? 1 : 0));
  for (const group of ordered) {
    const members = [...group.edges.map(structureRecordName), ...group.renamed.map((n) => n.id)];
    try {
      const { change, newAuthorisations, rows } = changeOf(group, room, roomId, byId);
      const decision = applyRoomChange(room, change, group.author, group.date);
      if (!decision.allowed) throw new Refusal(decision.reason);
      // applyRoomChange names new authorisations "(new n)" in the order given: give them their ids.
      let next = 0;
      const authorisations = decision.room.authorisations.map((a) => (a.id.startsWith('(new ') ? { ...a, id: newAuthorisations[next++]! } : a));
      room = { ...decision.room, id: roomId, authorisations };
      for (const name of [...members, ...rows]) explained.add(name);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      for (const name of members) rejected.set(name, error.message);
      if (group.createsRoom) rejected.set(roomId, error.message);
    }
  }
  for (const node of byId.values()) {
    if (!explained.has(node.id) && !rejected.has(node.id)) rejected.set(node.id, 'not part of any allowed change of the room');
  }
  return { room, rejected };
}

/** The RoomChange a group of rows and links stands for; throws Refusal when they make no sense together. */
function changeOf(group: Group, room: RoomState | undefined, roomId: string, byId: Map<string, StructureNode>) {
  const rows: string[] = [];
  const written = (id: string, kind: StructureKind): StructureNode => {
    const node = byId.get(id);
    if (!node || node.kind !== kind) throw new Refusal(`link to a missing or wrong ${kind} row ${id}`);
    // Immutable rows are written by the mutation that links them, at its date.
    if (node.kind !== 'authorisation' && (node.cdate !== group.date || node.author !== group.author)) throw new Refusal(`row ${id} was not written with its link`);
    if (node.kind === 'authorisation' && node.cdate !== group.date) throw new Refusal(`authorisation ${id} was not created with its link`);
    rows.push(id);
    return node;
  };
  const user = (id: string): UserAuthInput => {
    const node = written(id, 'userAuth');
    return { verifyingKey: node.verifyingKey!, enabled: node.enabled !== false };
  };
  if (!room && !group.createsRoom) throw new Refusal('a change before the room was created');
  if (room && group.createsRoom) throw new Refusal('the room is created twice');
  if (group.createsRoom) rows.push(roomId);

  const change: RoomChange = { roomId: room ? roomId : null, admins: [], authorisations: [] };
  const newAuthorisations: string[] = [];
  const touched = new Map<string, AuthorisationChange>();
  const authorisation = (id: string): AuthorisationChange => {
    let a = touched.get(id);
    if (a) return a;
    if (!room?.authorisations.some((x) => x.id === id)) throw new Refusal(`authorisation ${id} is not in room ${roomId}`);
    a = { id, rowChanged: false, rights: [], users: [], userAdmins: [] };
    touched.set(id, a);
    change.authorisations.push(a);
    return a;
  };
  // Rooms and new authorisations first: their own links come after them in the same group.
  for (const edge of group.edges) {
    if (edge.label === 'admin' || edge.label === 'authorisations') {
      if (edge.src !== roomId) throw new Refusal(`${edge.label} link from ${edge.src}, not from the room`);
      if (edge.label === 'admin') change.admins.push(user(edge.dest));
      else if (room?.authorisations.some((x) => x.id === edge.dest)) authorisation(edge.dest); // linked again: nothing new
      else {
        const node = written(edge.dest, 'authorisation');
        const a: AuthorisationChange = { id: null, rowChanged: true, name: node.name, rights: [], users: [], userAdmins: [] };
        touched.set(edge.dest, a);
        newAuthorisations.push(edge.dest);
        change.authorisations.push(a);
      }
    }
  }
  for (const node of group.renamed) {
    const a = authorisation(node.id);
    a.rowChanged = true;
    a.name = node.name;
  }
  for (const edge of group.edges) {
    if (edge.label === 'admin' || edge.label === 'authorisations') continue;
    const a = authorisation(edge.src);
    if (edge.label === 'rights') {
      const node = written(edge.dest, 'entityRight');
      a.rights.push({ entity: node.entity!, mutateSelf: node.mutateSelf === true, mutateAll: node.mutateAll === true });
    } else if (edge.label === 'users') a.users.push(user(edge.dest));
    else a.userAdmins.push(user(edge.dest));
  }
  return { change, newAuthorisations, rows };
}

/** What is wrong with a row on its own, if anything. */
function shapeProblem(node: StructureNode, roomId: string): string | undefined {
  switch (node.kind) {
    case 'room':
      return node.id === roomId ? undefined : 'a room row in another room';
    case 'authorisation':
      return undefined;
    case 'userAuth':
      if (typeof node.verifyingKey !== 'string' || !node.verifyingKey) return 'a user without a verifying key';
      return node.cdate === node.mdate ? undefined : 'user rows are immutable';
    case 'entityRight':
      if (typeof node.entity !== 'string' || !node.entity) return 'a right without an entity';
      return node.cdate === node.mdate ? undefined : 'right rows are immutable';
  }
}
