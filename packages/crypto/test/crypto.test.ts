import { describe, expect, test } from '@jest/globals';
import { ed25519 } from '@noble/curves/ed25519.js';
import { blake2b } from '@noble/hashes/blake2.js';
import fc from 'fast-check';
import {
  backend, base64url, CryptoError, deriveAppKeys, derivePassPhrase, edgeSigningBytes, fromBase64url, hash,
  nodeSigningBytes, nodeDeletionSigningBytes, edgeDeletionSigningBytes, SigningKey, uid, uidTime, verify, zeroUid,
} from '@discret/crypto';

const seed = Uint8Array.from({ length: 32 }, (_, i) => i);

describe('signing', () => {
  test('runs on libsodium in Node unless DISCRET_CRYPTO=noble', () => expect(backend).toBe(process.env.DISCRET_CRYPTO === 'noble' ? 'noble' : 'sodium'));

  test('RFC 8032 test vector 1 (empty message)', () => {
    const key = new SigningKey(Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'));
    expect(Buffer.from(key.publicKey).toString('hex')).toBe('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    expect(Buffer.from(key.sign(new Uint8Array())).toString('hex')).toBe(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
  });

  test('libsodium and noble give byte-identical keys and signatures', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), (s, msg) => {
        const key = new SigningKey(s);
        expect(key.publicKey).toEqual(ed25519.getPublicKey(s));
        const sig = key.sign(msg);
        expect(sig).toEqual(ed25519.sign(msg, s));
        expect(ed25519.verify(sig, msg, key.publicKey)).toBe(true);
        expect(verify(key.publicKey, msg, sig)).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  test('a changed byte fails verification', () => {
    const key = new SigningKey(seed);
    const msg = new TextEncoder().encode('hello');
    const sig = key.sign(msg);
    const bad = Uint8Array.from(sig);
    bad[5]! ^= 1;
    expect(verify(key.publicKey, msg, bad)).toBe(false);
    expect(verify(key.publicKey, new TextEncoder().encode('hellp'), sig)).toBe(false);
    expect(verify(key.publicKey.subarray(1), msg, sig)).toBe(false);
  });

  test('generated keys are random and usable', () => {
    const a = SigningKey.generate();
    const b = SigningKey.generate();
    expect(a.verifyingKey).not.toBe(b.verifyingKey);
    const msg = new TextEncoder().encode('device');
    expect(verify(a.publicKey, msg, a.sign(msg))).toBe(true);
    expect(new SigningKey(a.exportSeed()).verifyingKey).toBe(a.verifyingKey);
  });

  test('bad seeds are CryptoError INVALID_KEY', () => {
    expect(() => new SigningKey(new Uint8Array(31))).toThrow(CryptoError);
  });
});

describe('hashing and ids', () => {
  test('hash is BLAKE2b-256 (same as noble)', () => {
    const data = new TextEncoder().encode('abc');
    expect(hash(data)).toEqual(blake2b(data, { dkLen: 32 }));
    expect(Buffer.from(hash(new Uint8Array())).toString('hex')).toBe('0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8');
  });

  test('uids are 16 bytes, time-prefixed, ordered, and round-trip through base64url', () => {
    const a = uid(1_700_000_000_000);
    const b = uid(1_700_000_000_000);
    const c = uid(1_700_000_000_001);
    expect(a.length).toBe(16);
    expect(uidTime(a)).toBe(1_700_000_000_000);
    expect(Buffer.compare(Buffer.from(a), Buffer.from(b))).toBe(-1);
    expect(Buffer.compare(Buffer.from(b), Buffer.from(c))).toBe(-1);
    expect(fromBase64url(base64url(a))).toEqual(a);
    expect(base64url(a)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(zeroUid()).toBe('AAAAAAAAAAAAAAAAAAAAAA');
  });
});

describe('key derivation', () => {
  test('derivePassPhrase is deterministic and depends on login and password', async () => {
    const a = await derivePassPhrase('me', 'pw');
    expect(a.length).toBe(32);
    expect(await derivePassPhrase('me', 'pw')).toEqual(a);
    expect(await derivePassPhrase('me', 'pw2')).not.toEqual(a);
    expect(await derivePassPhrase('me2', 'pw')).not.toEqual(a);
    // pinned: changing the argon2 parameters would lock users out of their databases
    expect(base64url(a)).toBe(PINNED_PASS_PHRASE);
  });

  test('app keys are independent and differ per app', () => {
    const k1 = deriveAppKeys(seed, 'app.one');
    const k2 = deriveAppKeys(seed, 'app.two');
    expect(k1.signingKey.verifyingKey).not.toBe(k2.signingKey.verifyingKey);
    expect(k1.databaseKey).not.toEqual(k2.databaseKey);
    expect(k1.databaseKey).not.toEqual(k1.signingKey.exportSeed());
    expect(k1.privateRoomId.length).toBe(16);
    expect(deriveAppKeys(seed, 'app.one').signingKey.verifyingKey).toBe(k1.signingKey.verifyingKey);
    expect(k1.signingKey.verifyingKey).toBe(PINNED_VERIFYING_KEY);
    expect(() => deriveAppKeys(new Uint8Array(3), 'x')).toThrow(CryptoError);
  });
});

describe('canonical bytes', () => {
  const node = {
    id: new Uint8Array(16).fill(1), roomId: new Uint8Array(16).fill(2), entity: '1.0', cdate: 1000, mdate: 2000,
    json: '{"32":"x"}', binary: null, verifyingKey: new Uint8Array(32).fill(3),
  };
  test('node layout is pinned', () => {
    expect(Buffer.from(nodeSigningBytes(node)).toString('hex')).toBe(
      '4e01' + '01'.repeat(16) + '01' + '02'.repeat(16) + '00000003312e30' + '00000000000003e8' + '00000000000007d0' +
        '01' + '0000000a' + Buffer.from('{"32":"x"}').toString('hex') + '00' + '03'.repeat(32),
    );
  });
  test('every covered field changes the bytes', () => {
    const base = Buffer.from(nodeSigningBytes(node)).toString('hex');
    for (const change of [{ id: new Uint8Array(16) }, { roomId: null }, { entity: '1.1' }, { cdate: 1 }, { mdate: 1 }, { json: null }, { binary: new Uint8Array([1]) }, { verifyingKey: new Uint8Array(32) }]) {
      expect(Buffer.from(nodeSigningBytes({ ...node, ...change })).toString('hex')).not.toBe(base);
    }
  });
  test('deletion layouts are pinned and tagged apart from nodes and edges', () => {
    const d = { roomId: new Uint8Array(16).fill(2), id: new Uint8Array(16).fill(1), entity: '1.0', deletionDate: 7, verifyingKey: new Uint8Array(32).fill(3) };
    expect(Buffer.from(nodeDeletionSigningBytes(d)).toString('hex')).toBe(
      '6e01' + '02'.repeat(16) + '01'.repeat(16) + '00000003312e30' + '0000000000000007' + '03'.repeat(32),
    );
    const e = { roomId: new Uint8Array(16).fill(2), src: new Uint8Array(16).fill(1), label: '33', dest: new Uint8Array(16).fill(4), deletionDate: -1, verifyingKey: new Uint8Array(32).fill(3) };
    expect(Buffer.from(edgeDeletionSigningBytes(e)).toString('hex')).toBe(
      '6501' + '02'.repeat(16) + '01'.repeat(16) + '000000023333' + '04'.repeat(16) + 'ffffffffffffffff' + '03'.repeat(32),
    );
  });
  test('edge layout is pinned', () => {
    const edge = { src: new Uint8Array(16).fill(1), srcEntity: '1.0', label: '33', dest: new Uint8Array(16).fill(2), cdate: 5, verifyingKey: new Uint8Array(32).fill(3) };
    expect(Buffer.from(edgeSigningBytes(edge)).toString('hex')).toBe(
      '4501' + '01'.repeat(16) + '00000003312e30' + '000000023333' + '02'.repeat(16) + '0000000000000005' + '03'.repeat(32),
    );
  });
});

const PINNED_PASS_PHRASE = 'c0VkQ-YHNZPRFoM2tNDwXD4zCMHsEJNeIm4eAt9Im4w';
const PINNED_VERIFYING_KEY = 'bKhSTf6hxNYhAWd-uwvqWP9L639-SdvB47Vwg0Ac6b0';
