import { describe, expect, test } from '@jest/globals';
import { hashRaw } from '@node-rs/argon2';
import fc from 'fast-check';
import {
  base64url, backend, bytesKey, fromBase64url, fromHex, hex, installPrimitives, noblePrimitives, type Argon2id,
  derivePassPhrase, randomBytes, utf8, utf8Length,
} from '@discret/crypto';
import { portableBase64url } from '../src/encoding.js';
import { argon2id as installedArgon2id, primitives } from '../src/primitives.js';

// What the browser entry uses instead of Node's parts must give the same bytes.
describe('portable encodings', () => {
  test('the runtime base64url codec and the portable one agree both ways', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = base64url(bytes);
        expect(portableBase64url.encode(bytes)).toBe(text);
        expect(portableBase64url.decode(text)).toEqual(new Uint8Array(bytes));
        expect(fromBase64url(text)).toEqual(new Uint8Array(bytes));
        expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      }),
      { numRuns: 500 },
    );
  });

  test('hex round-trips and matches Node; bad hex is INVALID_INPUT', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => {
        expect(hex(bytes)).toBe(Buffer.from(bytes).toString('hex'));
        expect(fromHex(hex(bytes).toUpperCase())).toEqual(new Uint8Array(bytes));
      }),
    );
    expect(() => fromHex('abc')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(() => fromHex('zz')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });

  test('utf8Length is the length TextEncoder writes, lone surrogates included', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => expect(utf8Length(text)).toBe(utf8(text).length)), { numRuns: 1000 });
    expect(utf8Length('\ud800x\udc00')).toBe(utf8('\ud800x\udc00').length);
  });

  test('bytesKey is one char per byte, so different bytes give different keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(bytesKey(a).length).toBe(a.length);
        expect(bytesKey(a) === bytesKey(b)).toBe(Buffer.compare(a, b) === 0);
      }),
    );
  });

  test('randomBytes comes from Web Crypto, also beyond its 64 KiB per call', () => {
    const big = randomBytes(200_000);
    expect(big.length).toBe(200_000);
    expect(big.subarray(150_000).some((b) => b !== 0)).toBe(true);
    expect(randomBytes(16)).not.toEqual(randomBytes(16));
  });
});

describe('portable primitives', () => {
  test('the Node entry installed libsodium unless DISCRET_CRYPTO=noble', () => {
    expect(primitives().name).toBe(backend);
  });

  test('noble and the installed primitives give the same bytes and verdicts', () => {
    const installed = primitives();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 32, maxLength: 32 }), (seed, message, other) => {
        expect(noblePrimitives.blake2b256(message)).toEqual(installed.blake2b256(message));
        expect(noblePrimitives.blake2b256(message, seed)).toEqual(installed.blake2b256(message, seed));
        const a = noblePrimitives.signingKeyPair(seed);
        const b = installed.signingKeyPair(seed);
        expect(a.publicKey).toEqual(b.publicKey);
        const signature = installed.sign(message, b.secretKey);
        expect(noblePrimitives.sign(message, a.secretKey)).toEqual(signature);
        expect(noblePrimitives.verify(signature, message, a.publicKey)).toBe(true);
        const bad = Uint8Array.from(signature);
        bad[5]! ^= 1;
        expect(noblePrimitives.verify(bad, message, a.publicKey)).toBe(installed.verify(bad, message, a.publicKey));
        const theirs = installed.x25519Public(other);
        expect(noblePrimitives.x25519Public(other)).toEqual(theirs);
        expect(noblePrimitives.x25519(seed, theirs)).toEqual(installed.x25519(seed, theirs));
      }),
      { numRuns: 50 },
    );
  });

  test('keys keep the primitives they were made with when another set is installed', async () => {
    const { SigningKey, verify } = await import('@discret/crypto');
    const before = primitives();
    const key = new SigningKey(new Uint8Array(32).fill(7));
    installPrimitives({ primitives: noblePrimitives });
    try {
      const message = utf8('after the switch');
      expect(verify(key.publicKey, message, key.sign(message))).toBe(true);
    } finally {
      installPrimitives({ primitives: before });
    }
  });
});

describe('argon2id', () => {
  const portable: Argon2id = async (password, salt, params) => {
    const { argon2id } = await import('hash-wasm');
    return argon2id({ password, salt, memorySize: params.memoryCost, iterations: params.timeCost, parallelism: params.parallelism, hashLength: params.outputLen, outputType: 'binary' });
  };

  test('hash-wasm (the browser one) and @node-rs/argon2 give identical bytes', async () => {
    const cases = [
      { password: 'correct horse', salt: 'saltsaltsaltsalt', params: { memoryCost: 64, timeCost: 1, parallelism: 1, outputLen: 32 } },
      { password: 'é ✓ 😀', salt: '0123456789abcdef', params: { memoryCost: 256, timeCost: 2, parallelism: 1, outputLen: 32 } },
      { password: 'x', salt: 'another salt 16!', params: { memoryCost: 1024, timeCost: 3, parallelism: 1, outputLen: 32 } },
    ];
    for (const { password, salt, params } of cases) {
      const node = await hashRaw(password, { ...params, algorithm: 2, salt: Buffer.from(salt) });
      expect(hex(await portable(utf8(password), utf8(salt), params))).toBe(Buffer.from(node).toString('hex'));
    }
  });

  test('an empty password is refused on Node too', async () => {
    await expect(derivePassPhrase('alice', '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  test('derivePassPhrase gives the same material through either argon2id (the real parameters)', async () => {
    const node = await derivePassPhrase('alice', 'pw');
    const before = installedArgon2id();
    installPrimitives({ argon2id: portable });
    try {
      expect(await derivePassPhrase('alice', 'pw')).toEqual(node);
      // hash-wasm refuses an empty password, so every runtime does, with the same error.
      await expect(derivePassPhrase('alice', '')).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    } finally {
      installPrimitives({ argon2id: before });
    }
  });
});
