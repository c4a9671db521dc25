// The page of browser-crypto.test.ts: @discret/crypto's browser entry, driven from the test.
import * as crypto from '@discret/crypto';

type Item = { publicKey: string; message: string; signature: string };
const fromHex = (text: string) => crypto.fromHex(text);
const out = document.getElementById('out')!;

Object.assign(window, {
  cryptoTest: {
    ready: () => crypto.primitivesReady,
    hashes: (inputs: string[], key: string) => inputs.map((i) => [crypto.hex(crypto.hash(fromHex(i))), crypto.hex(crypto.keyedHash(fromHex(key), fromHex(i)))]),
    brokenPool: async () => {
      const page = await crypto.primitivesReady;
      const pool = crypto.createCryptoPool({ parallelism: 1 });
      try {
        await pool.signAll(crypto.SigningKey.generate(), [new Uint8Array(8)]);
        return { page, pool: 'signed' };
      } catch (error) {
        return { page, pool: (error as { code?: string }).code };
      } finally {
        await pool.close();
      }
    },
    verdicts: async (items: Item[]) => {
      const decoded = items.map((it) => ({ publicKey: fromHex(it.publicKey), message: fromHex(it.message), signature: fromHex(it.signature) }));
      const single = decoded.map((it) => crypto.verify(it.publicKey, it.message, it.signature));
      const pool = crypto.createCryptoPool({ parallelism: 2, minBatch: 1 });
      const pooled = await pool.verifyAll(decoded);
      await pool.close();
      return { single, pooled, parallelism: pool.parallelism };
    },
    tokens: (pairs: { secret: string; public: string }[]) => pairs.map((p) => {
      try {
        return crypto.base64url(new crypto.MeetingSecret(fromHex(p.secret)).token(fromHex(p.public)));
      } catch (error) {
        return `refused:${(error as { code?: string }).code}`;
      }
    }),
    keys: async (login: string, password: string, appKey: string) => {
      const material = await crypto.derivePassPhrase(login, password);
      const keys = crypto.deriveAppKeys(material, appKey);
      const message = new TextEncoder().encode('the same bytes everywhere');
      const signature = keys.signingKey.sign(message);
      const pool = crypto.createCryptoPool({ parallelism: 2, minBatch: 1 });
      const pooled = await pool.signAll(keys.signingKey, [message, message]);
      await pool.close();
      const result = {
        material: crypto.hex(material), verifyingKey: keys.signingKey.verifyingKey, signature: crypto.hex(signature),
        pooled: pooled.map((s) => crypto.hex(s)), meeting: crypto.hex(keys.meetingSecret.publicKey), backend: crypto.backend,
      };
      out.textContent = `${login}: ${result.verifyingKey} (${result.backend})`;
      return result;
    },
  },
});
out.textContent = 'ready';
