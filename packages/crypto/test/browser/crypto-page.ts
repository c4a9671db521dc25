// The page of browser-crypto.test.ts: @discret/crypto's browser entry, driven from the test.
import * as entry from '@discret/crypto';
import type * as BrowserEntry from '../../src/browser.ts';

// Bundled with the `browser` condition, so `entry` is browser.ts; the type checker of the tests
// resolves the Node entry, hence the cast.
const crypto = entry as unknown as typeof BrowserEntry;

type Item = { publicKey: string; message: string; signature: string };
const fromHex = (text: string) => crypto.fromHex(text);
const out = document.getElementById('out')!;

Object.assign(window, {
  cryptoTest: {
    ready: () => crypto.primitivesReady,
    hashes: (inputs: string[], key: string) => inputs.map((i) => [crypto.hex(crypto.hash(fromHex(i))), crypto.hex(crypto.keyedHash(fromHex(key), fromHex(i)))]),
    brokenPool: async () => {
      const page = await crypto.primitivesReady;
      const pool = crypto.createCryptoPool({ parallelism: 1, webCrypto: false });
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
      const pool = crypto.createCryptoPool({ parallelism: 2 });
      const pooled = await pool.verifyAll(decoded);
      await pool.close();
      const workers = crypto.createCryptoPool({ parallelism: 2, webCrypto: false });
      const inWorkers = await workers.verifyAll(decoded);
      await workers.close();
      const onPage = crypto.createCryptoPool({ parallelism: 0 });
      const inPage = await onPage.verifyAll(decoded);
      await onPage.close();
      return { single, pooled, inWorkers, inPage, parallelism: workers.parallelism, webCrypto: await crypto.webCryptoInUse() };
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
      const pool = crypto.createCryptoPool({ parallelism: 2 });
      const workers = crypto.createCryptoPool({ parallelism: 2, webCrypto: false });
      const pooled = [...(await pool.signAll(keys.signingKey, [message])), ...(await workers.signAll(keys.signingKey, [message]))];
      await pool.close();
      await workers.close();
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
