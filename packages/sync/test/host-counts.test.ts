import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { HostCounts } from '../src/host-counts.js';

const connection = (id: number, host: string) => ({ id: String(id), remoteAddr: `/ip4/${host}/tcp/${4000 + id}` });

describe('HostCounts (the per-IP limit of a listener)', () => {
  test('counts open connections per host; closing one twice or an unknown one changes nothing', () => {
    const counts = new HostCounts();
    counts.add(connection(1, '10.0.0.1'));
    counts.add(connection(2, '10.0.0.1'));
    counts.add(connection(3, '10.0.0.2'));
    expect([counts.count('10.0.0.1'), counts.count('10.0.0.2'), counts.count('10.0.0.3')]).toEqual([2, 1, 0]);
    counts.remove(connection(1, '10.0.0.1'));
    counts.remove(connection(1, '10.0.0.1'));
    counts.remove(connection(9, '10.0.0.1'));
    expect(counts.count('10.0.0.1')).toBe(1);
  });

  test('property: always the number of open connections of each host', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 20 }))), (steps) => {
      const counts = new HostCounts();
      const open = new Map<number, string>();
      for (const [opening, id] of steps) {
        const c = connection(id, `10.0.0.${id % 3}`);
        if (opening && !open.has(id)) {
          counts.add(c);
          open.set(id, `10.0.0.${id % 3}`);
        } else if (!opening) {
          counts.remove(c);
          open.delete(id);
        }
      }
      for (const host of ['10.0.0.0', '10.0.0.1', '10.0.0.2']) expect(counts.count(host)).toBe([...open.values()].filter((h) => h === host).length);
    }));
  });
});
