// `discret import` and `discret export` as real processes: JSON Lines in and out, bad lines
// reported with their number without stopping the rest, --strict importing nothing from a
// malformed file, a room's export imported elsewhere, and a progress bar on a terminal.
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const cli = resolve(import.meta.dirname, '../dist/main.js');
const root = mkdtempSync(join(tmpdir(), 'discret-transfer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = { ...process.env, DISCRET_PW: 'pw', DISCRET_LOG: 'error' };
const modelFile = join(root, 'model.discret');
writeFileSync(modelFile, 'shop {\n  Item { name: String, price: Float nullable, stock: Integer default 0, meta: Json nullable }\n  Tag { label: String }\n}\n');
let folders = 0;
const folder = () => ['--data', join(root, `d${folders++}`), '--app-key', 'test.transfer', '--login', 'me', '--password-env', 'DISCRET_PW'];
function discret(args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}
const items = Array.from({ length: 2000 }, (_, i) => ({ name: `item ${i}`, price: i / 4, meta: { i, even: i % 2 === 0 } }));
const itemsFile = join(root, 'items.jsonl');
writeFileSync(itemsFile, `${items.slice(0, 1000).map((x) => JSON.stringify(x)).join('\n')}\n{ not json\n${items.slice(1000).map((x) => JSON.stringify(x)).join('\n')}\n{"name": "x", "colour": "red"}\n`);

describe('discret import / export', () => {
  test('bad lines are reported by number and the others imported; export gives the rows back', () => {
    const data = folder();
    const imported = discret(['import', itemsFile, ...data, '--model', modelFile, '--entity', 'shop.Item']);
    expect(imported.code).toBe(1); // some lines were refused
    expect(imported.err).toContain('items.jsonl line 1001: ');
    expect(imported.err).toContain("items.jsonl line 2002: no field 'colour' to import into");
    expect(imported.err).toContain('imported 2000 rows into shop.Item, 2 lines refused');
    expect(imported.err).not.toContain('\x1b['); // not a terminal: plain lines
    const exported = discret(['export', ...data, '--entity', 'shop.Item']);
    expect(exported.code).toBe(0);
    const rows = exported.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(2000);
    expect(new Set(rows.map((r) => r.name))).toEqual(new Set(items.map((x) => x.name)));
    const row = rows.find((r) => r.name === 'item 7')!;
    expect(row).toEqual({ name: 'item 7', price: 1.75, stock: 0, meta: { i: 7, even: false } });
    const withSystem = JSON.parse(discret(['export', ...data, '--entity', 'shop.Item', '--with-system']).out.split('\n')[0]!) as Record<string, unknown>;
    expect(Object.keys(withSystem).slice(0, 5)).toEqual(['id', 'room_id', 'cdate', 'mdate', 'verifying_key']);
  }, 120_000);

  test('--strict: a malformed file imports nothing', () => {
    const data = folder();
    const strict = discret(['import', itemsFile, ...data, '--model', modelFile, '--entity', 'shop.Item', '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.err).toContain('line 1001');
    expect(JSON.parse(discret(['query', ...data, 'query { c: shop.Item { n: count() } }']).out)).toEqual({ c: [{ n: 0 }] });
  }, 60_000);

  test('a room exported whole (lines tagged with their entity) imports into another folder', () => {
    const from = folder();
    const me = (JSON.parse(discret(['query', ...from, '--model', modelFile, 'query { p: sys.Peer { verifying_key } }']).out) as { p: { verifying_key: string }[] }).p[0]!.verifying_key;
    const room = (JSON.parse(discret(['mutate', ...from, `mutate { r: sys.Room { admin: [{ verif_key: $me }] authorisations: [{ name: "all" rights: [{ entity: "shop.Item" mutate_self: true mutate_all: true } { entity: "shop.Tag" mutate_self: true mutate_all: true }] users: [{ verif_key: $me }] }] } }`, '--params', JSON.stringify({ me })]).out) as { r: { id: string } }).r.id;
    expect(discret(['mutate', ...from, 'mutate { a: shop.Item { room_id: $r name: "in the room" } b: shop.Tag { room_id: $r label: "red" } c: shop.Item { name: "elsewhere" } }', '--params', JSON.stringify({ r: room })]).code).toBe(0);
    const dump = join(root, 'room.jsonl');
    expect(discret(['export', ...from, '--room', room, '--out', dump]).code).toBe(0);
    const lines = readFileSync(dump, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([{ _entity: 'shop.Item', name: 'in the room', price: null, stock: 0, meta: null }, { _entity: 'shop.Tag', label: 'red' }]);
    const to = folder();
    const imported = discret(['import', dump, ...to, '--model', modelFile]);
    expect(imported.code).toBe(0);
    expect(JSON.parse(discret(['query', ...to, 'query { i: shop.Item { name } t: shop.Tag { label } }']).out)).toEqual({ i: [{ name: 'in the room' }], t: [{ label: 'red' }] });
  }, 60_000);

  test('on a terminal the import shows a progress bar with rate and ETA', () => {
    const data = folder();
    const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
    const command = [process.execPath, cli, 'import', itemsFile, ...data, '--model', modelFile, '--entity', 'shop.Item'].map(quote).join(' ');
    const r = spawnSync('script', ['-qfec', command, '/dev/null'], { env, encoding: 'utf8', timeout: 120_000 });
    expect(r.stdout).toMatch(/importing \[[█░]+\] \d+\/2002 \d+\/s ETA /);
    expect(r.stdout).toContain('imported 2000 rows into shop.Item, 2 lines refused');
  }, 120_000);
});
