// The beacon's rendezvous as pure logic: introductions only between holders of the same token,
// both ways, never about a token one did not present; every limit enforced by going past it;
// memory back to nothing as peers come and go. Tokens rotate by day.
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { BeaconError, beaconToken, dayOf, presentedTokens, TokenRegistry } from '@discret/beacon';

const token = (n: number) => Uint8Array.from({ length: 16 }, (_, i) => (n * 31 + i) & 0xff);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TokenRegistry', () => {
  test('two holders of a token are introduced to each other, with the addresses the beacon saw', () => {
    const registry = new TokenRegistry();
    expect(registry.register('alice', [token(1), token(2)], ['/ip4/1.2.3.4/tcp/1'], 0)).toEqual([]);
    const intro = registry.register('bob', [token(2), token(3)], ['/ip4/5.6.7.8/tcp/2'], 1);
    expect(intro).toEqual([
      { to: 'bob', token: token(2), peer: 'alice', addresses: ['/ip4/1.2.3.4/tcp/1'] },
      { to: 'alice', token: token(2), peer: 'bob', addresses: ['/ip4/5.6.7.8/tcp/2'] },
    ]);
  });

  test('property: every introduction is about a token both sides presented; every shared token is introduced', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { maxLength: 6 })), { maxLength: 30 }),
      (steps) => {
        const registry = new TokenRegistry();
        const presented = new Map<string, Set<string>>();
        for (const [p, tokens] of steps) {
          const peer = `p${p}`;
          const intros = registry.register(peer, tokens.map(token), [peer], 0);
          const mine = new Set(tokens.map((t) => hex(token(t))));
          for (const i of intros) {
            const other = i.to === peer ? i.peer : i.to;
            expect(i.to === peer || i.peer === peer).toBe(true);
            expect(mine.has(hex(i.token))).toBe(true);
            expect(presented.get(other)?.has(hex(i.token))).toBe(true);
            expect(i.addresses).toEqual([i.peer]);
          }
          // each other current holder of each of my tokens is introduced, both ways
          for (const [other, theirs] of presented) {
            if (other === peer) continue;
            for (const t of mine) {
              if (!theirs.has(t)) continue;
              expect(intros.some((i) => i.to === peer && i.peer === other && hex(i.token) === t)).toBe(true);
              expect(intros.some((i) => i.to === other && i.peer === peer && hex(i.token) === t)).toBe(true);
            }
          }
          presented.set(peer, mine);
        }
      },
    ), { numRuns: 200 });
  });

  test('limits refuse past them and change nothing: peers, tokens per peer, peers per token', () => {
    const registry = new TokenRegistry({ maxPeers: 2, maxTokensPerPeer: 3, maxPeersPerToken: 2 });
    registry.register('a', [token(1)], [], 0);
    registry.register('b', [token(1)], [], 0);
    expect(() => registry.register('c', [token(9)], [], 0)).toThrow(BeaconError);
    expect(() => registry.register('a', [token(1), token(2), token(3), token(4)], [], 0)).toThrow(expect.objectContaining({ code: 'LIMIT' }));
    registry.remove('b');
    registry.register('c', [token(1)], [], 0);
    const d = new TokenRegistry({ maxPeersPerToken: 2 });
    d.register('a', [token(1)], [], 0);
    d.register('b', [token(1)], [], 0);
    expect(() => d.register('c', [token(2), token(1)], [], 0)).toThrow(expect.objectContaining({ code: 'LIMIT' }));
    // the refused registration left nothing behind
    expect(d.size).toEqual({ peers: 2, tokens: 1 });
    expect(() => d.register('x', [new Uint8Array(3)], [], 0)).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
  });

  test('memory returns to nothing as peers come and go, or expire', () => {
    const registry = new TokenRegistry({ ttlMs: 1000 });
    for (let round = 0; round < 50; round++) {
      for (let p = 0; p < 20; p++) registry.register(`p${p}`, [token(p), token(p + 1)], ['x'], round * 10);
      for (let p = 0; p < 20; p += 2) registry.remove(`p${p}`);
    }
    expect(registry.size.peers).toBe(10);
    registry.expire(10_000);
    expect(registry.size).toEqual({ peers: 0, tokens: 0 });
  });
});

describe('rotating tokens', () => {
  test('the same token gives the same value on the same day, and unlinkable values on other days', () => {
    const t = token(7);
    expect(beaconToken(t, 20_000)).toEqual(beaconToken(new Uint8Array(t), 20_000));
    expect(hex(beaconToken(t, 20_000))).not.toBe(hex(beaconToken(t, 20_001)));
    expect(hex(beaconToken(t, 20_000))).not.toBe(hex(beaconToken(token(8), 20_000)));
  });

  test('near midnight both days are presented, so clocks on either side of it still meet', () => {
    const midnight = 20_000 * 86_400_000;
    expect(presentedTokens([token(1)], midnight + 3_600_000)).toHaveLength(1);
    const justAfter = presentedTokens([token(1)], midnight + 60_000);
    expect(justAfter.map(hex).sort()).toEqual([beaconToken(token(1), 19_999), beaconToken(token(1), 20_000)].map(hex).sort());
    const justBefore = presentedTokens([token(1)], midnight - 60_000);
    expect(justBefore.map(hex)).toContain(hex(beaconToken(token(1), dayOf(midnight))));
  });
});
