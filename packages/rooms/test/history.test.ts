// A room definition received from a peer is judged as a history: rows grouped by (author, date)
// are replayed through applyRoomChange. Rows here are built the way a device writes them for a
// sys.Room mutation, including by writers who had no right to (as a modified peer would).
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import {
  applyRoomChange, replayRoomHistory, structureRecordName, type RoomState, type StructureEdge, type StructureNode, type UserAuthInput,
} from '@discret/rooms';

const ROOM = 'ROOM';
const owner = 'OWNER';
const helper = 'HELPER';
const stranger = 'STRANGER';

/** One sys.Room mutation as rows: what a device signs when it runs it. */
interface Step {
  writer: string;
  date: number;
  create?: boolean;
  admins?: UserAuthInput[];
  newAuthorisations?: { id: string; name: string; rights?: string[]; users?: UserAuthInput[]; userAdmins?: UserAuthInput[] }[];
  addUsers?: { authorisation: string; users: UserAuthInput[] }[];
  addRights?: { authorisation: string; entity: string }[];
  rename?: { authorisation: string; name: string }[];
}

class History {
  readonly nodes = new Map<string, StructureNode>();
  readonly edges: StructureEdge[] = [];
  private n = 0;

  write(step: Step): string[] {
    const names: string[] = [];
    const { writer: author, date } = step;
    const node = (kind: StructureNode['kind'], fields: Partial<StructureNode>, id = `${kind}${this.n++}`) => {
      const row: StructureNode = { id, kind, cdate: date, mdate: date, author, ...fields };
      this.nodes.set(id, row);
      names.push(id);
      return id;
    };
    const link = (src: string, label: StructureEdge['label'], dest: string) => {
      const edge = { src, label, dest, date, author };
      this.edges.push(edge);
      names.push(structureRecordName(edge));
    };
    const user = (u: UserAuthInput) => node('userAuth', { verifyingKey: u.verifyingKey, enabled: u.enabled });
    if (step.create) node('room', {}, ROOM);
    for (const a of step.admins ?? []) link(ROOM, 'admin', user(a));
    for (const a of step.newAuthorisations ?? []) {
      node('authorisation', { name: a.name }, a.id);
      link(ROOM, 'authorisations', a.id);
      for (const entity of a.rights ?? []) link(a.id, 'rights', node('entityRight', { entity, mutateSelf: true, mutateAll: false }));
      for (const u of a.users ?? []) link(a.id, 'users', user(u));
      for (const u of a.userAdmins ?? []) link(a.id, 'user_admin', user(u));
    }
    for (const a of step.addUsers ?? []) for (const u of a.users) link(a.authorisation, 'users', user(u));
    for (const r of step.addRights ?? []) link(r.authorisation, 'rights', node('entityRight', { entity: r.entity, mutateSelf: true, mutateAll: false }));
    for (const r of step.rename ?? []) {
      const row = this.nodes.get(r.authorisation)!;
      this.nodes.set(row.id, { ...row, name: r.name, mdate: date, author });
      names.push(row.id);
    }
    return names;
  }

  replay() {
    return replayRoomHistory(ROOM, [...this.nodes.values()], this.edges);
  }
}

const on = (verifyingKey: string, enabled = true): UserAuthInput => ({ verifyingKey, enabled });

function blog(): History {
  const h = new History();
  h.write({
    writer: owner, date: 10, create: true, admins: [on(owner)],
    newAuthorisations: [{ id: 'AUTHORS', name: 'authors', rights: ['blog.Article'], users: [on(owner)], userAdmins: [on(helper)] }],
  });
  return h;
}

describe('replayRoomHistory', () => {
  test('an honest history gives the room as its creator made it, with nothing refused', () => {
    const h = blog();
    h.write({ writer: helper, date: 20, addUsers: [{ authorisation: 'AUTHORS', users: [on(stranger)] }] });
    h.write({ writer: owner, date: 30, rename: [{ authorisation: 'AUTHORS', name: 'writers' }] });
    const { room, rejected } = h.replay();
    expect(rejected).toEqual(new Map());
    expect(room!.id).toBe(ROOM);
    expect(room!.admins).toEqual([{ verifyingKey: owner, enabled: true, date: 10 }]);
    expect(room!.authorisations).toEqual([{
      id: 'AUTHORS', name: 'writers',
      rights: [{ entity: 'blog.Article', mutateSelf: true, mutateAll: false, date: 10 }],
      users: [{ verifyingKey: owner, enabled: true, date: 10 }, { verifyingKey: stranger, enabled: true, date: 20 }],
      userAdmins: [{ verifyingKey: helper, enabled: true, date: 10 }],
    }]);
  });

  test('a non-admin who makes themselves admin is refused, with every row of that change', () => {
    const h = blog();
    const forged = h.write({ writer: stranger, date: 20, admins: [on(stranger)] });
    const { room, rejected } = h.replay();
    expect([...rejected.keys()].sort()).toEqual([...forged].sort());
    expect(room!.admins.map((a) => a.verifyingKey)).toEqual([owner]);
  });

  test('a user admin may add users but not rights; the refused right stays out', () => {
    const h = blog();
    h.write({ writer: helper, date: 20, addUsers: [{ authorisation: 'AUTHORS', users: [on(stranger)] }] });
    const forged = h.write({ writer: helper, date: 21, addRights: [{ authorisation: 'AUTHORS', entity: '*' }] });
    const { room, rejected } = h.replay();
    expect([...rejected.keys()].sort()).toEqual([...forged].sort());
    expect(room!.authorisations[0]!.rights.map((r) => r.entity)).toEqual(['blog.Article']);
    expect(room!.authorisations[0]!.users.map((u) => u.verifyingKey)).toEqual([owner, stranger]);
  });

  test('a creator who is not among the admins creates nothing', () => {
    const h = new History();
    h.write({ writer: stranger, date: 10, create: true, admins: [on(owner)] });
    const { room, rejected } = h.replay();
    expect(room).toBeUndefined();
    expect(rejected.has(ROOM)).toBe(true);
  });

  test('orphan rows, rows whose link has another date, and changes before the creation are refused', () => {
    const h = blog();
    h.nodes.set('orphan', { id: 'orphan', kind: 'userAuth', cdate: 40, mdate: 40, author: owner, verifyingKey: stranger, enabled: true });
    // a user row written at another date than the link that adds it (spliced from elsewhere)
    h.nodes.set('spliced', { id: 'spliced', kind: 'userAuth', cdate: 5, mdate: 5, author: owner, verifyingKey: stranger, enabled: true });
    h.edges.push({ src: 'AUTHORS', label: 'users', dest: 'spliced', date: 50, author: owner });
    h.edges.push({ src: ROOM, label: 'admin', dest: 'orphan', date: 1, author: owner });
    // a user row edited after the fact (they are immutable)
    h.nodes.set('edited', { id: 'edited', kind: 'userAuth', cdate: 60, mdate: 61, author: owner, verifyingKey: stranger, enabled: true });
    const { room, rejected } = h.replay();
    expect(rejected.get('orphan')).toBeDefined();
    expect(rejected.get('spliced')).toBeDefined();
    expect(rejected.get('AUTHORS:users:spliced')).toMatch(/not written with its link/);
    expect(rejected.get('ROOM:admin:orphan')).toMatch(/before the room was created/);
    expect(rejected.get('edited')).toMatch(/immutable/);
    expect(room!.authorisations[0]!.users.map((u) => u.verifyingKey)).toEqual([owner]);
  });

  test('property: replaying everything anyone wrote gives the room that judging each change in turn gives', () => {
    const writers = [owner, helper, stranger];
    const step = fc.record({
      writer: fc.constantFrom(...writers),
      kind: fc.constantFrom('admin', 'authorisation', 'users', 'rights', 'userAdmins', 'rename'),
      who: fc.constantFrom(...writers),
      enabled: fc.boolean(),
      pick: fc.nat(),
    });
    fc.assert(fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
      const h = blog();
      let expected: RoomState = replayOrThrow(h);
      let date = 10;
      let made = 0;
      for (const s of steps) {
        date += 1 + (s.pick % 3);
        const auths = expected.authorisations.map((a) => a.id);
        const auth = auths[s.pick % auths.length]!;
        const u = on(s.who, s.enabled);
        const input: Step = { writer: s.writer, date };
        if (s.kind === 'admin') input.admins = [u];
        else if (s.kind === 'authorisation') input.newAuthorisations = [{ id: `A${made++}`, name: 'x', users: [u] }];
        else if (s.kind === 'users') input.addUsers = [{ authorisation: auth, users: [u] }];
        else if (s.kind === 'rights') input.addRights = [{ authorisation: auth, entity: 'blog.Article' }];
        else if (s.kind === 'userAdmins') input.newAuthorisations = [{ id: `A${made++}`, name: 'y', userAdmins: [u] }];
        else input.rename = [{ authorisation: auth, name: `n${date}` }];
        // The same change judged directly, on the room as it stands.
        const decision = applyRoomChange(expected, {
          roomId: ROOM,
          admins: input.admins ?? [],
          authorisations: [
            ...(input.newAuthorisations ?? []).map((a) => ({ id: null, rowChanged: true, name: a.name, rights: [], users: a.users ?? [], userAdmins: a.userAdmins ?? [] })),
            ...(input.addUsers ?? []).map((a) => ({ id: a.authorisation, rowChanged: false, rights: [], users: a.users, userAdmins: [] })),
            ...(input.addRights ?? []).map((r) => ({ id: r.authorisation, rowChanged: false, rights: [{ entity: r.entity, mutateSelf: true, mutateAll: false }], users: [], userAdmins: [] })),
            ...(input.rename ?? []).map((r) => ({ id: r.authorisation, rowChanged: true, name: r.name, rights: [], users: [], userAdmins: [] })),
          ],
        }, s.writer, date);
        // A refused rename must not overwrite the row the history keeps: a modified peer's
        // rewrite of an authorisation replaces it, so only honest renames are written here.
        if (!decision.allowed && input.rename) continue;
        const names = h.write(input);
        if (decision.allowed) {
          const fresh = (input.newAuthorisations ?? []).map((a) => a.id);
          expected = { ...decision.room, id: ROOM, authorisations: decision.room.authorisations.map((a) => (a.id.startsWith('(new ') ? { ...a, id: fresh.shift()! } : a)) };
        }
        const { room, rejected } = h.replay();
        // exactly the refused change's rows are refused
        expect(names.every((n) => rejected.has(n))).toBe(!decision.allowed);
        expect(sorted(room!)).toEqual(sorted(expected));
        expect(room!.admins.filter((a) => a.verifyingKey !== owner).every((a) => a.date > 10)).toBe(true);
      }
    }), { numRuns: 150 });
  });
});

function replayOrThrow(h: History): RoomState {
  const { room, rejected } = h.replay();
  if (!room || rejected.size) throw new Error(`honest history refused: ${[...rejected.values()].join(', ')}`);
  return room;
}

/** Rooms compare regardless of the order authorisations were listed in. */
function sorted(room: RoomState) {
  return { ...room, authorisations: [...room.authorisations].sort((a, b) => (a.id < b.id ? -1 : 1)) };
}
