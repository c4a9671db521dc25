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
    ['user admin holds the rights of its authorisation', { verifyingKey: 'dan' }, true],
    ['room admin holds the rights of every authorisation', { verifyingKey: 'ann', action: 'update', author: 'bob' }, true],
    ['room admin gets nothing no authorisation grants', { verifyingKey: 'ann', entity: 'cal.Note' }, false],
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

  test('agrees with a transcription of upstream Room::can over random histories', () => {
    const keys = ['a', 'b', 'c'];
    const member = fc.record({ verifyingKey: fc.constantFrom(...keys), enabled: fc.boolean(), date: fc.nat(60) });
    const right = fc.record({ entity: fc.constantFrom('x.E', 'x.F', '*'), mutateSelf: fc.boolean(), mutateAll: fc.boolean(), date: fc.nat(60) });
    // Upstream refuses a history row dated before the previous row of the same key, so rows come sorted by date.
    const history = <T extends { date: number }>(arb: fc.Arbitrary<T>, max: number) =>
      fc.array(arb, { maxLength: max }).map((rows) => [...rows].sort((x, y) => x.date - y.date));
    const roomArb = fc.record({
      id: fc.constant('r'),
      admins: history(member, 4),
      authorisations: fc.array(fc.record({
        id: fc.constant('a'), name: fc.constant('n'),
        rights: history(right, 4), users: history(member, 5), userAdmins: history(member, 3),
      }), { maxLength: 3 }),
    });
    const requestArb = fc.record({
      action: fc.constantFrom<WriteRequest['action']>('insert', 'update', 'delete'),
      entity: fc.constantFrom('x.E', 'x.F'),
      verifyingKey: fc.constantFrom(...keys),
      date: fc.nat(70),
      author: fc.option(fc.constantFrom(...keys), { nil: undefined }),
    });
    fc.assert(fc.property(roomArb, requestArb, (r: RoomState, request: WriteRequest) => {
      expect(decideWrite(r, request).allowed).toBe(upstreamCan(r, request));
    }), { numRuns: 3000 });
  });
});

/**
 * upstream's rule, transcribed as directly as possible from `src/database/room.rs`
 * (`Room::can`, `Authorisation::is_user_valid_at`, `Authorisation::can`, `EntityRight::new`)
 * and from how `authorisation_service.rs` picks the right: `MutateSelf` for inserts and for
 * one's own rows, `MutateAll` for other people's rows.
 */
function upstreamCan(room: RoomState, request: WriteRequest): boolean {
  type User = { enabled: boolean; date: number };
  const byKey = (rows: { verifyingKey: string; enabled: boolean; date: number }[]) => {
    const map = new Map<string, User[]>();
    for (const row of rows) map.set(row.verifyingKey, [...(map.get(row.verifyingKey) ?? []), row]);
    return map;
  };
  const validAt = (map: Map<string, User[]>, key: string, date: number) => {
    const found = [...(map.get(key) ?? [])].reverse().find((u) => u.date <= date);
    return found ? found.enabled : false;
  };
  const rightType = request.action === 'insert' || request.author === undefined || request.author === request.verifyingKey
    ? 'MutateSelf' : 'MutateAll';
  const admins = byKey(room.admins);
  const userValid = validAt(admins, request.verifyingKey, request.date);
  for (const auth of room.authorisations) {
    const users = byKey(auth.users);
    const userAdmins = byKey(auth.userAdmins);
    const valid = userValid || validAt(users, request.verifyingKey, request.date) || validAt(userAdmins, request.verifyingKey, request.date);
    const rights = new Map<string, { validFrom: number; mutateSelf: boolean; mutateAll: boolean }[]>();
    for (const r of auth.rights) {
      // EntityRight::new: mutate_all implies mutate_self.
      rights.set(r.entity, [...(rights.get(r.entity) ?? []), { validFrom: r.date, mutateSelf: r.mutateSelf || r.mutateAll, mutateAll: r.mutateAll }]);
    }
    const rightAt = (entity: string) => [...(rights.get(entity) ?? [])].reverse().find((r) => r.validFrom <= request.date);
    const entityRight = rightAt(request.entity) ?? rightAt('*');
    const can = entityRight ? (rightType === 'MutateSelf' ? entityRight.mutateSelf : entityRight.mutateAll) : false;
    if (valid && can) return true;
  }
  return false;
}
