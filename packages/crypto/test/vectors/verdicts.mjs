// Prints, as JSON, what @discret/crypto (from the given dist entry point) decides for every
// published vector kept beside this file. Run once per backend (DISCRET_CRYPTO=noble or not):
// the backend is chosen when the package loads, so each backend needs its own process.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const [entry, dir] = process.argv.slice(2);
const c = await import(entry);
const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const load = (name) => JSON.parse(readFileSync(join(dir, name), 'utf8'));

const cases = [];
for (const v of load('rfc8032-ed25519.json')) cases.push({ set: 'rfc8032', pk: v.publicKey, msg: v.message, sig: v.signature });
for (const v of load('zip215.json')) cases.push({ set: 'zip215', pk: v.vk_bytes, msg: Buffer.from('Zcash').toString('hex'), sig: v.sig_bytes });
for (const g of load('wycheproof-ed25519.json').testGroups) {
  for (const t of g.tests) cases.push({ set: 'wycheproof', pk: g.publicKey.pk, msg: t.msg, sig: t.sig });
}
const items = cases.map((v) => ({ publicKey: hex(v.pk), message: hex(v.msg), signature: hex(v.sig) }));
const single = items.map((it) => c.verify(it.publicKey, it.message, it.signature));
const pool = c.createCryptoPool({ parallelism: 2, minBatch: 1 });
const pooled = await pool.verifyAll(items);
await pool.close();

const x25519 = [];
for (const g of load('wycheproof-x25519.json').testGroups) {
  for (const t of g.tests) {
    try {
      x25519.push(c.base64url(new c.MeetingSecret(hex(t.private)).token(hex(t.public))));
    } catch (error) {
      x25519.push(`refused:${error.code}`);
    }
  }
}
console.log(JSON.stringify({ backend: c.backend, sets: cases.map((v) => v.set), single, pooled, x25519 }));
