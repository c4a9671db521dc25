// Ed25519 through WebCrypto (`crypto.subtle`), where the runtime has it: Chromium 137+, Firefox
// 129+, Safari 17+, Node. Native code (BoringSSL in Chromium), so a page signs and verifies
// faster than with libsodium's WebAssembly build, measured in headless Chromium 150 on one page:
// 15.7k verifies/s one after another against 8k/s for libsodium in a worker, 20k signs/s. Its
// verdicts are made libsodium's by the byte prechecks, and checked once at load on three known
// cases (a valid signature, a corrupted one, and a mixed-order key that a cofactored check would
// accept and libsodium refuses): an engine that disagrees is not used.
import { passesLibsodiumPrechecks } from './ed25519-prechecks.js';
import { bytesKey, equalBytes, fromHex } from './encoding.js';
import type { SignedMessage } from './pool.js';

/** How many WebCrypto calls a batch keeps in flight (each holds its message until it settles). */
const IN_FLIGHT = 512;
/** Public keys kept imported (a batch of rows has few authors); cleared when full. */
const KEY_CACHE = 256;
/** PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410): this prefix, then the seed. */
const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
const ED25519 = { name: 'Ed25519' };

const SELF_TEST = {
  message: new TextEncoder().encode('discret webcrypto self-test'),
  seed: new Uint8Array(32).fill(42),
  publicKey: fromHex('197f6b23e16c8532c6abc838facd5ea789be0c76b2920334039bfa8b3d368d61'),
  signature: fromHex('a4eac778adb5a65af776030ef7cd327c6b81d1856b7d1aa98404fc5847600ff2f168f585b7059e2771a36212eaceac03c2a7be9d2b8be52f2df09eda2b899c0e'),
  // A key with an order-8 component, and a signature whose hash is not a multiple of 8:
  // cofactored verification accepts it, libsodium (cofactorless) refuses it.
  mixedKey: fromHex('1dd960b291c53514fece1341fc0dcd8a648b3934c2c533666f737a654ff1e1bf'),
  mixedSignature: fromHex('e7caaa83373a94afae43fec59b447c99ba282b19a7616c24c785ad8966a1e10e46c732433ffdff2c902f6aceaa74485afc3bd7d7e20676e1c9913c99dd73290f'),
};

/** Bulk Ed25519 on the runtime's WebCrypto, with libsodium's verdicts. */
export class WebCryptoEd25519 {
  private readonly keys = new Map<string, Promise<CryptoKey | null>>();
  private signer: { seed: Uint8Array; key: Promise<CryptoKey> } | null = null;

  constructor(private readonly subtle: SubtleCrypto) {}

  /** The signatures of `messages` by the key of `seed`: the same bytes as libsodium's. */
  async signAll(seed: Uint8Array, messages: readonly Uint8Array[]): Promise<Uint8Array[]> {
    const key = this.signingKey(seed);
    return inBatches(messages, async (message) => new Uint8Array(await this.subtle.sign(ED25519, await key, message as BufferSource)));
  }

  /** For each item, whether its signature is valid by libsodium's rule. */
  verifyAll(items: readonly SignedMessage[]): Promise<boolean[]> {
    return inBatches(items, (item) => this.verify(item));
  }

  private async verify({ publicKey, message, signature }: SignedMessage): Promise<boolean> {
    if (!passesLibsodiumPrechecks(signature, publicKey)) return false;
    const key = await this.verifyingKey(publicKey);
    if (!key) return false;
    try {
      return await this.subtle.verify(ED25519, key, signature as BufferSource, message as BufferSource);
    } catch {
      return false;
    }
  }

  private signingKey(seed: Uint8Array): Promise<CryptoKey> {
    if (!this.signer || !equalBytes(this.signer.seed, seed)) {
      const pkcs8 = new Uint8Array(48);
      pkcs8.set(PKCS8_PREFIX);
      pkcs8.set(seed, 16);
      this.signer = { seed: Uint8Array.from(seed), key: this.subtle.importKey('pkcs8', pkcs8, ED25519, false, ['sign']) };
    }
    return this.signer.key;
  }

  /** The imported key, or null for bytes that are not a point (refused as a bad signature). */
  private verifyingKey(publicKey: Uint8Array): Promise<CryptoKey | null> {
    const text = bytesKey(publicKey);
    let key = this.keys.get(text);
    if (!key) {
      if (this.keys.size >= KEY_CACHE) this.keys.clear();
      key = this.subtle.importKey('raw', Uint8Array.from(publicKey), ED25519, false, ['verify']).catch(() => null);
      this.keys.set(text, key);
    }
    return key;
  }
}

/**
 * WebCrypto's Ed25519 when the runtime has it and it passes the self-test, else null (then the
 * caller uses libsodium). Never throws.
 */
export async function loadWebCryptoEd25519(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<WebCryptoEd25519 | null> {
  if (!subtle) return null;
  try {
    const engine = new WebCryptoEd25519(subtle);
    const { message, seed, publicKey, signature, mixedKey, mixedSignature } = SELF_TEST;
    const [signed] = await engine.signAll(seed, [message]);
    const corrupted = Uint8Array.from(signature);
    corrupted[5]! ^= 1;
    const verdicts = await engine.verifyAll([
      { publicKey, message, signature },
      { publicKey, message, signature: corrupted },
      { publicKey: mixedKey, message, signature: mixedSignature },
    ]);
    const agrees = equalBytes(signed!, signature) && verdicts[0] === true && verdicts[1] === false && verdicts[2] === false;
    return agrees ? engine : null;
  } catch {
    return null; // no Ed25519 in this WebCrypto
  }
}

/** Runs `task` over `items`, at most IN_FLIGHT at once, results in order. */
async function inBatches<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += IN_FLIGHT) {
    results.push(...(await Promise.all(items.slice(start, start + IN_FLIGHT).map(task))));
  }
  return results;
}
