import { describe, expect, test } from '@jest/globals';
import { applyRoomChange, decideWrite, type RoomChange, type RoomState } from '@discret/rooms';

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
