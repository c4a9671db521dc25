import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { applyRoomChange, decideWrite, memberAt, type RoomChange, type RoomState } from '@discret/rooms';

const T = 1_000;
const owner = 'OWNER';
const helper = 'HELPER';
const stranger = 'STRANGER';

const newBlog: RoomChange = {
  roomId: null,
  admins: [{ verifyingKey: owner, enabled: true }],
  authorisations: [{
    id: null, rowChanged: true, name: 'authors',
    rights: [{ entity: 'blog.Article', mutateSelf: true, mutateAll: true }],
    users: [{ verifyingKey: owner, enabled: true }],
    userAdmins: [{ verifyingKey: helper, enabled: true }],
  }],
};

function created(): RoomState {
  const d = applyRoomChange(undefined, newBlog, owner, T);
  if (!d.allowed) throw new Error(d.reason);
  return { ...d.room, id: 'R', authorisations: d.room.authorisations.map((a) => ({ ...a, id: 'A' })) };
}

describe('applyRoomChange', () => {
  test('a creator who names themselves admin creates the room, and its rights apply', () => {
    const room = created();
    expect(decideWrite(room, { action: 'insert', entity: 'blog.Article', verifyingKey: owner, date: T + 1 })).toEqual({ allowed: true });
    expect(decideWrite(room, { action: 'insert', entity: 'blog.Article', verifyingKey: stranger, date: T + 1 }).allowed).toBe(false);
  });

  test('a new room needs its creator among its admins', () => {
    expect(applyRoomChange(undefined, { ...newBlog, admins: [] }, owner, T).allowed).toBe(false);
    expect(applyRoomChange(undefined, newBlog, stranger, T).allowed).toBe(false);
    expect(applyRoomChange(undefined, { roomId: null, admins: [], authorisations: [] }, owner, T).allowed).toBe(false);
  });

  test('unknown rooms and authorisations of other rooms are refused', () => {
    expect(applyRoomChange(undefined, { roomId: 'X', admins: [], authorisations: [] }, owner, T).allowed).toBe(false);
    const change: RoomChange = { roomId: 'R', admins: [], authorisations: [{ id: 'OTHER', rowChanged: false, rights: [], users: [{ verifyingKey: stranger, enabled: true }], userAdmins: [] }] };
    expect(applyRoomChange(created(), change, owner, T + 5).allowed).toBe(false);
  });

  test('user admins may add users to their authorisation, and nothing else', () => {
    const room = created();
    const addUser: RoomChange = { roomId: 'R', admins: [], authorisations: [{ id: 'A', rowChanged: false, rights: [], users: [{ verifyingKey: stranger, enabled: true }], userAdmins: [] }] };
    const ok = applyRoomChange(room, addUser, helper, T + 5);
    expect(ok.allowed).toBe(true);
    if (ok.allowed) expect(decideWrite(ok.room, { action: 'insert', entity: 'blog.Article', verifyingKey: stranger, date: T + 6 }).allowed).toBe(true);
    const addRight: RoomChange = { roomId: 'R', admins: [], authorisations: [{ id: 'A', rowChanged: false, rights: [{ entity: '*', mutateSelf: true, mutateAll: true }], users: [], userAdmins: [] }] };
    expect(applyRoomChange(room, addRight, helper, T + 5).allowed).toBe(false);
    expect(applyRoomChange(room, addRight, owner, T + 5).allowed).toBe(true);
    const rename: RoomChange = { roomId: 'R', admins: [], authorisations: [{ id: 'A', rowChanged: true, name: 'x', rights: [], users: [], userAdmins: [] }] };
    expect(applyRoomChange(room, rename, helper, T + 5).allowed).toBe(false);
    expect(applyRoomChange(room, { roomId: 'R', admins: [{ verifyingKey: helper, enabled: true }], authorisations: [] }, helper, T + 5).allowed).toBe(false);
    expect(applyRoomChange(room, addUser, stranger, T + 5).allowed).toBe(false);
  });

  test('an admin disabled later loses admin rights from that date only', () => {
    const room = created();
    const off = applyRoomChange(room, { roomId: 'R', admins: [{ verifyingKey: owner, enabled: false }], authorisations: [] }, owner, T + 10);
    expect(off.allowed).toBe(true);
    if (!off.allowed) return;
    const addUser: RoomChange = { roomId: 'R', admins: [], authorisations: [{ id: 'A', rowChanged: false, rights: [], users: [{ verifyingKey: stranger, enabled: true }], userAdmins: [] }] };
    expect(applyRoomChange(off.room, addUser, owner, T + 11).allowed).toBe(false);
    expect(applyRoomChange(off.room, addUser, owner, T + 9).allowed).toBe(true);
  });
});

describe('applyRoomChange, property', () => {
  // Random sequences of room changes by random writers: whatever is allowed, a writer who is
  // not an admin at the time can never do more than add users to an authorisation they are
  // user admin of. No escalation path exists through any sequence.
  test('non-admins never escalate', () => {
    const keys = ['A', 'B', 'C', 'D'];
    const user = fc.record({ verifyingKey: fc.constantFrom(...keys), enabled: fc.boolean() });
    const authChange = fc.record({
      pick: fc.nat(3),
      isNew: fc.boolean(),
      rowChanged: fc.boolean(),
      rights: fc.array(fc.record({ entity: fc.constantFrom('x.E', '*'), mutateSelf: fc.boolean(), mutateAll: fc.boolean() }), { maxLength: 1 }),
      users: fc.array(user, { maxLength: 2 }),
      userAdmins: fc.array(user, { maxLength: 1 }),
    });
    const step = fc.record({ writer: fc.constantFrom(...keys), admins: fc.array(user, { maxLength: 1 }), auths: fc.array(authChange, { maxLength: 2 }) });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 12 }), (steps) => {
        const first = applyRoomChange(undefined, { roomId: null, admins: [{ verifyingKey: 'A', enabled: true }], authorisations: [] }, 'A', 0);
        if (!first.allowed) throw new Error(first.reason);
        let room: RoomState = { ...first.room, id: 'R' };
        steps.forEach((s, i) => {
          const date = 10 * (i + 1);
          const change: RoomChange = {
            roomId: 'R',
            admins: s.admins,
            authorisations: s.auths.map((a) => {
              const existing = room.authorisations[a.pick % Math.max(1, room.authorisations.length)];
              return { id: a.isNew || !existing ? null : existing.id, rowChanged: a.rowChanged, rights: a.rights, users: a.users, userAdmins: a.userAdmins };
            }),
          };
          const decision = applyRoomChange(room, change, s.writer, date);
          if (!decision.allowed) return;
          const wasAdmin = memberAt(room.admins, s.writer, date);
          if (!wasAdmin) {
            expect(change.admins).toEqual([]);
            for (const a of change.authorisations) {
              expect(a.id).not.toBeNull();
              expect(a.rowChanged || a.rights.length > 0 || a.userAdmins.length > 0).toBe(false);
              const auth = room.authorisations.find((x) => x.id === a.id)!;
              expect(memberAt(auth.userAdmins, s.writer, date)).toBe(true);
            }
          }
          room = { ...decision.room, authorisations: decision.room.authorisations.map((a, k) => ({ ...a, id: a.id.startsWith('(new') ? `auth${i}-${k}` : a.id })) };
        });
      }),
      { numRuns: 300 },
    );
  });
});
