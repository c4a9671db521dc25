import { afterAll, describe, expect, test } from '@jest/globals';
import { x25519 } from '@noble/curves/ed25519.js';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import {
  base64url, CryptoError, createCryptoPool, decodeToken, deriveAppKeys, deriveToken, encodeToken, hash, MEETING_TOKEN_LENGTH,
  MeetingSecret, SigningKey, verify,
} from '@discret/crypto';

const bytes = (fill: number) => new Uint8Array(32).fill(fill);

describe('meeting tokens', () => {
  const alice = new MeetingSecret(bytes(1));
  const bob = new MeetingSecret(bytes(2));
  const carol = new MeetingSecret(bytes(3));

  test('two users compute the same token for each other, and a third user cannot', () => {
    const ab = alice.token(bob.publicKey);
    expect(ab.length).toBe(MEETING_TOKEN_LENGTH);
    expect(bob.token(alice.publicKey)).toEqual(ab);
    expect(carol.token(alice.publicKey)).not.toEqual(ab);
    expect(carol.token(bob.publicKey)).not.toEqual(ab);
    expect(alice.token(carol.publicKey)).not.toEqual(ab);
  });

  test('is symmetric for any pair of secrets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (a, b) => {
        const sa = new MeetingSecret(a);
        const sb = new MeetingSecret(b);
        expect(sa.token(sb.publicKey)).toEqual(sb.token(sa.publicKey));
      }),
      { numRuns: 50 },
    );
  });

  test('public keys are standard X25519 (same as noble)', () => {
    expect(alice.publicKey).toEqual(x25519.getPublicKey(bytes(1)));
  });

  test("a user's devices share the meeting secret through their key material, per app", () => {
    const d1 = deriveAppKeys(bytes(9), 'app.one').meetingSecret;
    const d2 = deriveAppKeys(bytes(9), 'app.one').meetingSecret;
    const other = deriveAppKeys(bytes(9), 'app.two').meetingSecret;
    expect(d1.publicKey).toEqual(d2.publicKey);
    expect(d1.token(d2.publicKey)).toEqual(d2.token(d1.publicKey));
    expect(d1.token(d1.publicKey)).not.toEqual(d1.token(bob.publicKey));
    expect(other.publicKey).not.toEqual(d1.publicKey);
  });

  test('a low-order public key is refused', () => {
    expect(() => alice.token(new Uint8Array(32))).toThrow(CryptoError);
    expect(() => alice.token(new Uint8Array(31))).toThrow(CryptoError);
  });

  test('invite tokens derive from context and secret; text form round-trips', () => {
    const t = deriveToken('invite', bytes(4));
    expect(t.length).toBe(MEETING_TOKEN_LENGTH);
    expect(deriveToken('invite', bytes(4))).toEqual(t);
    expect(deriveToken('invite', bytes(5))).not.toEqual(t);
    expect(deriveToken('other', bytes(4))).not.toEqual(t);
    expect(decodeToken(encodeToken(t))).toEqual(t);
    expect(() => decodeToken('abc')).toThrow(CryptoError);
    expect(() => decodeToken('!!!!')).toThrow(CryptoError);
  });

  test('pinned vector (the derivation is part of the wire protocol)', () => {
    expect(base64url(alice.token(bob.publicKey))).toBe(PINNED_AB_TOKEN);
  });
});

describe('CryptoPool', () => {
  const pool = createCryptoPool({ parallelism: 2, minBatch: 8 });
  afterAll(() => pool.close());
  const key = new SigningKey(bytes(7));
  const messages = Array.from({ length: 301 }, (_, i) => new TextEncoder().encode(`row ${i} `.repeat(i % 13)));

  test('signs on workers with the same bytes as the calling thread', async () => {
    const signatures = await pool.signAll(key, messages);
    expect(signatures.length).toBe(messages.length);
    signatures.forEach((s, i) => {
      expect(s).toEqual(key.sign(messages[i]!));
    });
  });

  test('verifies on workers and pinpoints the bad ones', async () => {
    const signatures = await pool.signAll(key, messages);
    const items = messages.map((message, i) => ({ publicKey: key.publicKey, message, signature: signatures[i]! }));
    const tampered = Uint8Array.from(items[17]!.signature);
    tampered[0]! ^= 1;
    items[17] = { ...items[17]!, signature: tampered };
    items[42] = { ...items[42]!, message: new TextEncoder().encode('changed') };
    items[99] = { ...items[99]!, publicKey: new SigningKey(bytes(8)).publicKey };
    items[100] = { ...items[100]!, signature: new Uint8Array(10) };
    const result = await pool.verifyAll(items);
    const bad = result.flatMap((ok, i) => (ok ? [] : [i]));
    expect(bad).toEqual([17, 42, 99, 100]);
    expect(result).toEqual(items.map((it) => verify(it.publicKey, it.message, it.signature)));
  });

  test('small batches and parallelism 0 stay on the calling thread with the same result', async () => {
    const inline = createCryptoPool({ parallelism: 0 });
    expect(await inline.signAll(key, messages.slice(0, 3))).toEqual(await pool.signAll(key, messages.slice(0, 3)));
    expect(await pool.signAll(key, [])).toEqual([]);
    await inline.close();
  });

  test('a closed pool refuses work with POOL_CLOSED', async () => {
    const p = createCryptoPool({ parallelism: 1, minBatch: 1 });
    await p.signAll(key, messages.slice(0, 2));
    await p.close();
    await expect(p.signAll(key, messages)).rejects.toMatchObject({ code: 'POOL_CLOSED' });
  });
});

describe('the portable backend (DISCRET_CRYPTO=noble) gives the same bytes', () => {
  // A separate Node process, because the backend is chosen once when the package loads.
  test('keys, signatures, hashes, meeting tokens and pool output match libsodium', () => {
    const dist = pathToFileURL(resolve(import.meta.dirname, '../dist/index.js')).href;
    const script = `
      const c = await import(${JSON.stringify(dist)});
      const b = (n) => new Uint8Array(32).fill(n);
      const k = c.deriveAppKeys(b(9), 'app.one');
      const msgs = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode('m' + i));
      const pool = c.createCryptoPool({ parallelism: 2, minBatch: 4 });
      const sigs = await pool.signAll(k.signingKey, msgs);
      const ok = await pool.verifyAll(msgs.map((message, i) => ({ publicKey: k.signingKey.publicKey, message, signature: sigs[i] })));
      await pool.close();
      console.log(JSON.stringify({
        backend: c.backend,
        vk: k.signingKey.verifyingKey,
        sig: c.base64url(k.signingKey.sign(new TextEncoder().encode('hello'))),
        hash: c.base64url(c.hash(new TextEncoder().encode('hello'))),
        token: c.base64url(new c.MeetingSecret(b(1)).token(new c.MeetingSecret(b(2)).publicKey)),
        pool: c.base64url(sigs[39]), allValid: ok.every(Boolean),
      }));
    `;
    // With a V8 heap flag too, as apps often run: the pool's workers must still start.
    const out = execFileSync(process.execPath, ['--max-old-space-size=512', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: { ...process.env, DISCRET_CRYPTO: 'noble' },
    });
    const noble = JSON.parse(out);
    const k = deriveAppKeys(bytes(9), 'app.one');
    expect(noble).toEqual({
      backend: 'noble',
      vk: k.signingKey.verifyingKey,
      sig: base64url(k.signingKey.sign(new TextEncoder().encode('hello'))),
      hash: base64url(hash(new TextEncoder().encode('hello'))),
      token: base64url(new MeetingSecret(bytes(1)).token(new MeetingSecret(bytes(2)).publicKey)),
      pool: base64url(k.signingKey.sign(new TextEncoder().encode('m39'))),
      allValid: true,
    });
  });
});

const PINNED_AB_TOKEN = '_1-74ZqSBys';
