// WebCrypto's Ed25519 (Node's here: OpenSSL; Chromium's BoringSSL in browser-crypto.test.ts)
// behind libsodium's byte prechecks gives libsodium's verdicts on every published vector, and
// the same signatures; an engine with other verdicts fails the self-test and is not used.
import { describe, expect, test } from '@jest/globals';
import { ed25519 } from '@noble/curves/ed25519.js';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SigningKey, verify } from '@discret/crypto';
import { passesLibsodiumPrechecks } from '../src/ed25519-prechecks.ts';
import { loadWebCryptoEd25519 } from '../src/webcrypto-ed25519.ts';

const dir = resolve(import.meta.dirname, 'vectors');
const load = (name: string) => JSON.parse(readFileSync(resolve(dir, name), 'utf8'));
const bytes = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));

function vectors(): { publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }[] {
  const items = [];
  for (const v of load('rfc8032-ed25519.json')) items.push({ publicKey: bytes(v.publicKey), message: bytes(v.message), signature: bytes(v.signature) });
  for (const v of load('zip215.json')) items.push({ publicKey: bytes(v.vk_bytes), message: new TextEncoder().encode('Zcash'), signature: bytes(v.sig_bytes) });
  for (const g of load('wycheproof-ed25519.json').testGroups) for (const t of g.tests) items.push({ publicKey: bytes(g.publicKey.pk), message: bytes(t.msg), signature: bytes(t.sig) });
  return items;
}

describe("WebCrypto's Ed25519 with libsodium's verdicts", () => {
  test("Node's WebCrypto passes the self-test", async () => {
    expect(await loadWebCryptoEd25519()).not.toBeNull();
  });

  test('every published vector gets the verdict libsodium (sodium-native) gives', async () => {
    const engine = (await loadWebCryptoEd25519())!;
    const items = vectors();
    const expected = items.map((it) => verify(it.publicKey, it.message, it.signature));
    expect(await engine.verifyAll(items)).toEqual(expected);
    // Not vacuous: both verdicts are there, and the prechecks decide some of them alone.
    expect(expected.filter(Boolean).length).toBeGreaterThan(10);
    expect(items.filter((it) => !passesLibsodiumPrechecks(it.signature, it.publicKey)).length).toBeGreaterThan(20);
  });

  test('signatures are the bytes SigningKey gives, for any seed and message', async () => {
    const engine = (await loadWebCryptoEd25519())!;
    for (let round = 0; round < 20; round++) {
      const key = SigningKey.generate();
      const messages = Array.from({ length: 1 + round * 13 }, (_, i) => crypto.getRandomValues(new Uint8Array((i * 37) % 700)));
      const signatures = await engine.signAll(key.exportSeed(), messages);
      expect(signatures.map((s) => Buffer.from(s).toString('hex'))).toEqual(messages.map((m) => Buffer.from(key.sign(m)).toString('hex')));
    }
  });

  test('an engine that checks the cofactored equation (ZIP-215) fails the self-test', async () => {
    const real = globalThis.crypto.subtle;
    const publicKeys = new WeakMap<object, Uint8Array>();
    // Node's WebCrypto for keys and signing, noble's default (cofactored) verification.
    const cofactored = {
      sign: real.sign.bind(real),
      async importKey(format: 'raw' | 'pkcs8', data: Uint8Array, algorithm: AlgorithmIdentifier, extractable: boolean, usages: KeyUsage[]) {
        const key = await real.importKey(format as 'raw', data as BufferSource, algorithm, extractable, usages);
        if (format === 'raw') publicKeys.set(key, Uint8Array.from(data));
        return key;
      },
      async verify(_: AlgorithmIdentifier, key: CryptoKey, signature: Uint8Array, message: Uint8Array) {
        return ed25519.verify(signature, message, publicKeys.get(key)!);
      },
    } as unknown as SubtleCrypto;
    expect(await loadWebCryptoEd25519(cofactored)).toBeNull();
    expect(await loadWebCryptoEd25519(real)).not.toBeNull();
  });

  test("the prechecks refuse what libsodium refuses before its equation, and nothing else", () => {
    const key = SigningKey.generate();
    const good = key.sign(new Uint8Array([1, 2, 3]));
    expect(passesLibsodiumPrechecks(good, key.publicKey)).toBe(true);
    const withR = (r: Uint8Array) => Uint8Array.from([...r, ...good.subarray(32)]);
    const withS = (s: Uint8Array) => Uint8Array.from([...good.subarray(0, 32), ...s]);
    const L = bytes('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
    const smallOrder = ['00', '01', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', 'ec', 'ed', 'ee']
      .map((t) => (t.length === 64 ? bytes(t) : Uint8Array.from([Number.parseInt(t, 16), ...(t === '00' || t === '01' ? new Array(31).fill(0) : [...new Array(30).fill(0xff), 0x7f])])));
    for (const point of smallOrder) {
      const signed = Uint8Array.from(point);
      signed[31]! |= 0x80; // the sign bit does not matter
      for (const p of [point, signed]) {
        expect(passesLibsodiumPrechecks(withR(p), key.publicKey)).toBe(false);
        expect(passesLibsodiumPrechecks(good, p)).toBe(false);
      }
    }
    // Non-canonical keys: y from p to 2^255 - 1.
    for (let low = 0xed; low <= 0xff; low++) expect(passesLibsodiumPrechecks(good, Uint8Array.from([low, ...new Array(30).fill(0xff), 0x7f]))).toBe(false);
    // y = p - 2 is canonical (whether it is a point is the equation's business).
    expect(passesLibsodiumPrechecks(good, Uint8Array.from([0xeb, ...new Array(30).fill(0xff), 0x7f]))).toBe(true);
    expect(passesLibsodiumPrechecks(withS(L), key.publicKey)).toBe(false);
    const belowL = Uint8Array.from(L);
    belowL[0]! -= 1;
    expect(passesLibsodiumPrechecks(withS(belowL), key.publicKey)).toBe(true);
    expect(passesLibsodiumPrechecks(withS(new Uint8Array(32).fill(0xff)), key.publicKey)).toBe(false);
    expect(passesLibsodiumPrechecks(good.subarray(0, 63), key.publicKey)).toBe(false);
    expect(passesLibsodiumPrechecks(good, key.publicKey.subarray(1))).toBe(false);
  });
});
