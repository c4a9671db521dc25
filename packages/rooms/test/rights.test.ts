import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { decideWrite, type RoomState, type WriteRequest } from '@discret/rooms';

// A shared calendar: Ann administers it; Bob may add and edit his own events from day 10,
// until he is disabled on day 20; Cid may edit everybody's events.
const room: RoomState = {
  id: 'cal',
  admins: [{ verifyingKey: 'ann', enabled: true, date: 0 }],
  authorisations: [{
    id: 'a1', name: 'members',
    rights: [{ entity: 'cal.Event', mutateSelf: true, mutateAll: false, date: 0 }, { entity: '*', mutateSelf: false, mutateAll: false, date: 0 }],
    users: [{ verifyingKey: 'bob', enabled: true, date: 10 }, { verifyingKey: 'bob', enabled: false, date: 20 }],
    userAdmins: [{ verifyingKey: 'dan', enabled: true, date: 0 }],
  }, {
    id: 'a2', name: 'editors',
    rights: [{ entity: 'cal.Event', mutateSelf: true, mutateAll: true, date: 0 }],
    users: [{ verifyingKey: 'cid', enabled: true, date: 0 }],
    userAdmins: [],
  }],
};
const ask = (r: Partial<WriteRequest>) => decideWrite(room, { action: 'insert', entity: 'cal.Event', verifyingKey: 'bob', date: 15, ...r }).allowed;

describe('decideWrite', () => {
  test.each([
    ['member inserts while enabled', {}, true],
    ['member before being added', { date: 5 }, false],
    ['member after being disabled', { date: 25 }, false],
    ['right judged at the write date (a later removal does not matter)', { date: 19 }, true],
    ['member updates own row', { action: 'update', author: 'bob' }, true],
    ['member updates another row without mutate_all', { action: 'update', author: 'cid' }, false],
    ['editor updates another row with mutate_all', { action: 'update', author: 'bob', verifyingKey: 'cid' }, true],
    ['entity without a right (wildcard gives nothing)', { entity: 'cal.Note' }, false],
    ['stranger', { verifyingKey: 'eve' }, false],
    ['admin changes room structure', { entity: 'sys.Authorisation', verifyingKey: 'ann', action: 'update' }, true],
    ['member changes room structure', { entity: 'sys.Room', action: 'update' }, false],
    ['user admin adds a user', { entity: 'sys.UserAuth', verifyingKey: 'dan' }, true],
    ['user admin cannot add rights', { entity: 'sys.EntityRight', verifyingKey: 'dan' }, false],
    ['room structure is never deleted, even by admins', { entity: 'sys.UserAuth', verifyingKey: 'ann', action: 'delete' }, false],
  ] as [string, Partial<WriteRequest>, boolean][])('%s', (_name, request, allowed) => {
    expect(ask(request)).toBe(allowed);
  });

  test('random room histories never let a non-member write', () => {
    const key = fc.constantFrom('a', 'b', 'c');
    const auth = fc.record({ verifyingKey: key, enabled: fc.boolean(), date: fc.nat(100) });
    const right = fc.record({ entity: fc.constantFrom('x.E', '*'), mutateSelf: fc.boolean(), mutateAll: fc.boolean(), date: fc.nat(100) });
    const roomArb = fc.record({
      id: fc.constant('r'),
      admins: fc.array(auth, { maxLength: 3 }),
      authorisations: fc.array(fc.record({ id: fc.constant('a'), name: fc.constant('n'), rights: fc.array(right, { maxLength: 3 }), users: fc.array(auth, { maxLength: 4 }), userAdmins: fc.array(auth, { maxLength: 2 }) }), { maxLength: 3 }),
    });
    fc.assert(fc.property(roomArb, fc.constantFrom('x.E', 'sys.Room', 'sys.UserAuth'), fc.constantFrom('insert', 'update', 'delete'), (r: RoomState, entity, action) => {
      // 'z' never appears in any membership list.
      expect(decideWrite(r, { action: action as WriteRequest['action'], entity, verifyingKey: 'z', date: 100 }).allowed).toBe(false);
    }), { numRuns: 500 });
  });
});
