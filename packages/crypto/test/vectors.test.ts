import { describe, expect, test } from '@jest/globals';
import { x25519 } from '@noble/curves/ed25519.js';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { base64url, keyedHash } from '@discret/crypto';

// Published vectors, kept in test/vectors (sources in its README): RFC 8032 section 7.1,
// the ZIP-215 edge cases (Zcash, via noble-curves), Wycheproof ed25519 and x25519.
const dir = resolve(import.meta.dirname, 'vectors');
const load = (name: string) => JSON.parse(readFileSync(resolve(dir, name), 'utf8'));
const entry = pathToFileURL(resolve(import.meta.dirname, '../dist/index.js')).href;

interface Verdicts { backend: string; sets: string[]; single: boolean[]; pooled: boolean[]; x25519: string[] }

function verdicts(backend: 'sodium' | 'noble'): Verdicts {
  const out = execFileSync(process.execPath, [resolve(dir, 'verdicts.mjs'), entry, dir], {
    encoding: 'utf8',
    env: { ...process.env, DISCRET_CRYPTO: backend },
  });
  return JSON.parse(out) as Verdicts;
}

/** The verdicts every peer must reach: libsodium's strict rule. */
function expectedEd25519(): boolean[] {
  const expected: boolean[] = [];
  for (const _ of load('rfc8032-ed25519.json')) expected.push(true);
  // libsodium refuses every ZIP-215 edge case (small-order or non-canonical points).
  for (const _ of load('zip215.json')) expected.push(false);
  for (const g of load('wycheproof-ed25519.json').testGroups) for (const t of g.tests) expected.push(t.result === 'valid');
  return expected;
}

/** Meeting tokens from Wycheproof's shared secrets; an all-zero secret (low-order key) is refused. */
function expectedX25519(): string[] {
  const domain = new TextEncoder().encode('discret/meeting/v1');
  const out: string[] = [];
  for (const g of load('wycheproof-x25519.json').testGroups) {
    for (const t of g.tests) {
      const shared = Buffer.from(t.shared, 'hex');
      if (shared.every((b) => b === 0)) {
        out.push('refused:INVALID_KEY');
        continue;
      }
      const mine = x25519.getPublicKey(Buffer.from(t.private, 'hex'));
      const theirs = Uint8Array.from(Buffer.from(t.public, 'hex'));
      const [low, high] = Buffer.compare(mine, theirs) < 0 ? [mine, theirs] : [theirs, mine];
      out.push(base64url(keyedHash(domain, Buffer.concat([shared, low, high])).subarray(0, 8)));
    }
  }
  return out;
}

describe('one signature rule for every backend', () => {
  const sodium = verdicts('sodium');
  const noble = verdicts('noble');
  const expected = expectedEd25519();

  test('both backends ran', () => {
    expect([sodium.backend, noble.backend]).toEqual(['sodium', 'noble']);
    expect(sodium.sets.filter((s) => s === 'zip215')).toHaveLength(196);
    expect(sodium.sets.filter((s) => s === 'rfc8032')).toHaveLength(5);
    expect(sodium.sets.filter((s) => s === 'wycheproof')).toHaveLength(151);
  });

  test.each([
    ['libsodium, main thread', () => sodium.single],
    ['libsodium, worker pool', () => sodium.pooled],
    ['noble, main thread', () => noble.single],
    ['noble, worker pool', () => noble.pooled],
  ])('%s: RFC 8032 valid, ZIP-215 edge cases refused, Wycheproof as published', (_, got) => {
    const mismatches = got().flatMap((v, i) => (v === expected[i] ? [] : [`${sodium.sets[i]} #${i}: got ${v}`]));
    expect(mismatches).toEqual([]);
  });

  test('x25519: same shared secrets on both backends, low-order keys refused by both', () => {
    const want = expectedX25519();
    expect(want.filter((t) => t.startsWith('refused'))).toHaveLength(31);
    expect(sodium.x25519).toEqual(want);
    expect(noble.x25519).toEqual(want);
  });
});
