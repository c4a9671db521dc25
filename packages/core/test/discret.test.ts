import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discret, DiscretError, databaseExists, DEFAULT_CONFIGURATION, zeroUid, type DiscretEvent } from '@discret/core';
import { LIMITS } from '@discret/lang';

const root = mkdtempSync(join(tmpdir(), 'discret-core-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folder = () => join(root, String(n++));
const keyMaterial = new Uint8Array(32).fill(1);
// A blog where only the author writes: posts go to the author's private room.
const BLOG = 'blog { Post { title: String, body: String default "" } }';

describe('Discret', () => {
  test('writes in the private room work for its owner; other rooms are refused and nothing is written', async () => {
    const app = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.blog', keyMaterial, dataFolder: folder() });
    const { p } = await app.mutate<{ p: { id: string; room_id: string } }>('mutate { p: blog.Post { title: "mine" room_id: $r } }', { r: app.privateRoom });
    expect(p.room_id).toBe(app.privateRoom);
    const error = await app.mutate('mutate { a: blog.Post { title: "ok" } b: blog.Post { title: "theirs" room_id: $r } }', { r: zeroUid() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiscretError);
    expect((error as DiscretError).code).toBe('AUTHORISATION_DENIED');
    await expect(app.mutate('mutate { blog.Post { id: $id room_id: $r } }', { id: p.id, r: zeroUid() })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    expect(await app.query('query { p: blog.Post(order_by(title asc)) { title room_id } }')).toEqual({ p: [{ title: 'mine', room_id: app.privateRoom }] });
    await app.close();
  });

  test('reopening restores everything; another key material gives WRONG_KEY', async () => {
    const dataFolder = folder();
    expect(databaseExists('test.reopen', dataFolder)).toBe(false);
    const app = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.reopen', keyMaterial, dataFolder });
    const identity = [app.verifyingKey, app.privateRoom];
    const elsewhere = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.reopen', keyMaterial, dataFolder: folder() });
    expect(elsewhere.verifyingKey).toBe(app.verifyingKey);
    expect(elsewhere.deviceKey).not.toBe(app.deviceKey);
    await elsewhere.close();
    await app.mutate('mutate { blog.Post { title: "kept" } }');
    await app.close();
    expect(databaseExists('test.reopen', dataFolder)).toBe(true);
    const again = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.reopen', keyMaterial, dataFolder });
    expect([again.verifyingKey, again.privateRoom]).toEqual(identity);
    // the device key is per install: kept across reopening, unrelated to the user's key
    expect(again.deviceKey).toBe(app.deviceKey);
    expect(again.deviceKey).not.toBe(again.verifyingKey);
    expect((await again.query('query { p: blog.Post { title } }')).p).toEqual([{ title: 'kept' }]);
    expect((await again.dataModel()).text).toBe(BLOG);
    await again.close();
    await expect(Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.reopen', keyMaterial: new Uint8Array(32).fill(2), dataFolder })).rejects.toMatchObject({ code: 'WRONG_KEY' });
  });

  test('different app keys give different identities and files', async () => {
    const dataFolder = folder();
    const a = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'app.a', keyMaterial, dataFolder });
    const b = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'app.b', keyMaterial, dataFolder });
    expect(a.verifyingKey).not.toBe(b.verifyingKey);
    await a.mutate('mutate { blog.Post { title: "in a" } }');
    expect((await b.query('query { p: blog.Post { title } }')).p).toEqual([]);
    await a.close();
    await b.close();
  });

  test('events: DataChanged names the room, the entity and the day', async () => {
    const app = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.events', keyMaterial, dataFolder: folder() });
    const events = app.events();
    const next = events.next();
    const before = Date.now();
    await app.mutate('mutate { blog.Post { title: "e" room_id: $r } }', { r: app.privateRoom });
    const { value } = (await next) as { value: DiscretEvent };
    expect(value.type).toBe('DataChanged');
    const days = (value as Extract<DiscretEvent, { type: 'DataChanged' }>).rooms[app.privateRoom]!['blog.Post']!;
    expect(days).toEqual([Math.floor(before / 86_400_000) * 86_400_000]);
    await app.close();
    expect((await events.next()).done).toBe(true);
  });

  test('updateDataModel follows the rules; dataModel() gives text and JSON', async () => {
    const app = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.model', keyMaterial, dataFolder: folder() });
    const next = 'blog { Post { title: String, body: String default "", likes: Integer default 0 } }';
    const info = await app.updateDataModel(next);
    expect(info.text).toBe(next);
    expect(info.model.namespaces.map((ns) => ns.name)).toEqual(['sys', 'blog']);
    await expect(app.updateDataModel('blog { Post { title: String } }')).rejects.toMatchObject({ code: 'DATA_MODEL_UPDATE' });
    await expect(app.updateDataModel('blog { Post { title: String ')).rejects.toMatchObject({ code: 'PARSE_ERROR', line: 1 });
    await app.close();
  });

  test('mutationStream writes in bulk, results in order', async () => {
    const app = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.stream', keyMaterial, dataFolder: folder() });
    const stream = app.mutationStream();
    const results = Array.from({ length: 200 }, (_, i) => stream.write<{ p: { title: string } }>('mutate { p: blog.Post { title: $t } }', { t: `p${i}` }));
    await stream.flush();
    expect((await Promise.all(results)).map((r) => r.p.title)).toEqual(Array.from({ length: 200 }, (_, i) => `p${i}`));
    expect((await app.query('query { n: blog.Post { c: count() } }')).n).toEqual([{ c: 200 }]);
    await app.close();
  });

  test('mutationStream: one bad write among many is the only one rejected', async () => {
    const app = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.stream.bad', keyMaterial, dataFolder: folder() });
    const stream = app.mutationStream();
    // The 150th goes to a room this user is not in: the bulk write fails as a whole, then its
    // writes are retried one by one.
    const writes = Array.from({ length: 300 }, (_, i) =>
      stream.write('mutate { p: blog.Post { title: $t room_id: $r } }', { t: `p${i}`, r: i === 150 ? zeroUid() : app.privateRoom }),
    );
    await stream.flush();
    const settled = await Promise.allSettled(writes);
    expect(settled.flatMap((s, i) => (s.status === 'rejected' ? [i] : []))).toEqual([150]);
    expect((settled[150] as PromiseRejectedResult).reason).toMatchObject({ code: 'AUTHORISATION_DENIED' });
    expect((await app.query('query { n: blog.Post { c: count() } }')).n).toEqual([{ c: 299 }]);
    await app.close();
  });

  test('mutateMany writes all or nothing; room definitions go one by one, rooms reloaded between', async () => {
    const app = await Discret.open({ transport: 'none', dataModel: `${BLOG} chat { Message { text: String } }`, appKey: 'test.many', keyMaterial, dataFolder: folder() });
    const posts = await app.mutateMany<{ p: { title: string; room_id: string } }>('mutate { p: blog.Post { title: $t room_id: $r } }', [
      { t: 'one', r: app.privateRoom },
      { t: 'two', r: app.privateRoom },
    ]);
    expect(posts.map((r) => r.p.title)).toEqual(['one', 'two']);
    await expect(app.mutateMany('mutate { p: blog.Post { title: $t room_id: $r } }', [{ t: 'three', r: app.privateRoom }, { t: 'four', r: zeroUid() }])).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    expect((await app.query('query { n: blog.Post { c: count() } }')).n).toEqual([{ c: 2 }]);
    const rooms = await app.mutateMany<{ r: { id: string } }>(`mutate { r: sys.Room {
      admin: [{ verif_key: $me }]
      authorisations: [{ name: $name rights: [{ entity: "chat.Message" mutate_self: true mutate_all: false }] users: [{ verif_key: $me }] }]
    } }`, [{ me: app.verifyingKey, name: 'a' }, { me: app.verifyingKey, name: 'b' }]);
    // Each new room is known at once: writing into it is allowed.
    for (const { r } of rooms) await app.mutate('mutate { chat.Message { room_id: $r text: "hi" } }', { r: r.id });
    expect((await app.query('query { m: chat.Message { c: count() } }')).m).toEqual([{ c: 2 }]);
    await app.close();
  });

  test('errors are DiscretError with codes and positions; closed instances refuse work', async () => {
    const app = await Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'test.errors', keyMaterial, dataFolder: folder() });
    const e = (await app.query('query {\n  p: blog.Post { nope }\n}').catch((x: unknown) => x)) as DiscretError;
    expect([e.code, e.line, e.column]).toEqual(['UNKNOWN_FIELD', 2, 18]);
    await expect(app.mutate('mutate { blog.Post { title: 3 } }')).rejects.toMatchObject({ code: 'TYPE_MISMATCH' });
    // an invite is for someone else, and garbage is not an invite
    await expect(app.acceptInvite(await app.invite())).rejects.toMatchObject({ code: 'INVALID_INVITE' });
    await expect(app.acceptInvite('not an invite')).rejects.toMatchObject({ code: 'INVALID_INVITE' });
    await expect(app.connect('/ip4/127.0.0.1/tcp/1')).rejects.toMatchObject({ code: 'INVALID_CONFIGURATION' });
    expect(app.config).toEqual(DEFAULT_CONFIGURATION);
    await app.close();
    await expect(app.query('query { p: blog.Post { title } }')).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(Discret.open({ transport: 'none', dataModel: 'x {', appKey: 'a', keyMaterial, dataFolder: folder() })).rejects.toMatchObject({ code: 'PARSE_ERROR' });
    await expect(Discret.open({ transport: 'none', dataModel: BLOG, appKey: 'a', keyMaterial: new Uint8Array(3), dataFolder: folder() })).rejects.toBeInstanceOf(DiscretError);
  });

  test("a caller's mistakes are typed errors, never STORAGE (which is for the database engine's own failures)", async () => {
    const app = await Discret.open({ transport: 'none', dataModel: `${BLOG} tree { Node { n: Integer, up: tree.Node nullable, req: tree.Node } }`, appKey: 'test.caller', keyMaterial, dataFolder: folder() });
    const codeOf = (p: Promise<unknown> | (() => unknown)) => (typeof p === 'function' ? Promise.resolve().then(p) : p).then(() => 'ok', (e: DiscretError) => e.code);
    // 5,000 filters: SQLite's expression tree would be too deep; refused before SQL, at the 501st filter.
    const filters = (k: number) => Array.from({ length: k }, (_, i) => `n != ${i + 10}`).join(', ');
    const tooMany = (await app.query(`query { t: tree.Node(${filters(5000)}) { n } }`).catch((e: unknown) => e)) as DiscretError;
    expect(tooMany).toMatchObject({ code: 'TOO_COMPLEX', line: 1, column: 'query { t: tree.Node('.length + 1 + filters(500).length + 2 });
    expect(tooMany.message).toContain('500');
    // The limits themselves run: relations nested as deep as allowed, all the filters at the
    // bottom, or spread over every level of required relations (each level also an EXISTS).
    await app.mutate('mutate { tree.Node { n: 1 up: { n: 2 } } }');
    const deep = (relation: string, filtersAt: (level: number) => number, depth: number = LIMITS.relationDepth) => {
      let block = `${relation}(${filters(filtersAt(depth))}) { n }`;
      for (let level = depth - 1; level >= 1; level--) block = `${relation}(${filters(filtersAt(level)) || 'n != 0'}) { n ${block} }`;
      return `query { t: tree.Node { n ${block} } }`;
    };
    expect(await codeOf(app.query(deep('up', (level) => (level === LIMITS.relationDepth ? LIMITS.filters - LIMITS.relationDepth + 1 : 0))))).toBe('ok');
    const perLevel = Math.floor(LIMITS.filters / LIMITS.relationDepth);
    expect(await codeOf(app.query(deep('req', () => perLevel)))).toBe('ok');
    // One level deeper is refused by the language, at the block that is too deep.
    expect(await codeOf(app.query(deep('req', () => 1, LIMITS.relationDepth + 1)))).toBe('TOO_COMPLEX');
    // Request texts and parameters of the wrong kind.
    for (const text of [undefined, null, 42, {}, []]) {
      expect(await codeOf(app.query(text as never))).toBe('PARSE_ERROR');
      expect(await codeOf(app.mutate(text as never))).toBe('PARSE_ERROR');
      expect(await codeOf(app.delete(text as never))).toBe('PARSE_ERROR');
      expect(await codeOf(app.mutateMany(text as never, [{}]))).toBe('PARSE_ERROR');
    }
    expect(await codeOf(app.query('query { p: blog.Post { title } }', 'x' as never))).toBe('TYPE_MISMATCH');
    for (const sets of [undefined, null, 'abc', { a: 1 }]) {
      expect(await codeOf(app.mutateMany('mutate { blog.Post { title: $t } }', sets as never))).toBe('INVALID_ARGUMENT');
    }
    expect(await codeOf(app.invite('room' as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => app.on('Nope' as never, () => {}))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(() => app.on('DataChanged', 5 as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(app.connect(undefined as never))).toBe('INVALID_ARGUMENT');
    expect(await codeOf(app.mutate('mutate { blog.Post { title: "x" } }', {}, null as never))).toBe('ok');
    // Discret.open's options: wrong shapes are named, never found later as a crash.
    const good = { transport: 'none' as const, dataModel: BLOG, appKey: 'test.options', keyMaterial };
    const fileNotFolder = join(folder(), 'file');
    mkdirSync(join(fileNotFolder, '..'), { recursive: true });
    writeFileSync(fileNotFolder, 'not a folder');
    for (const options of [undefined, null, 'opts', { ...good, dataFolder: fileNotFolder }, { ...good, dataFolder: folder(), transport: {} },
      { ...good, dataFolder: folder(), transport: 'libp2p' }, { ...good, dataFolder: folder(), logger: 5 }, { ...good, dataFolder: folder(), driver: {} },
      { ...good, dataFolder: folder(), cryptoPool: {} }]) {
      expect(await codeOf(Discret.open(options as never))).toBe('INVALID_CONFIGURATION');
    }
    // What reaches the API from below: the engine's errors are STORAGE, an error without a code is a defect of ours.
    expect(DiscretError.from(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' })).code).toBe('STORAGE');
    expect(DiscretError.from(Object.assign(new Error('no space'), { code: 'ENOSPC' })).code).toBe('STORAGE');
    expect(DiscretError.from(new TypeError('x is undefined')).code).toBe('INTERNAL');
    // A NUL in a search text ended FTS5's query mid-phrase ("unterminated string").
    await app.mutate('mutate { blog.Post { title: "findme" } }');
    expect((await app.query('query { p: blog.Post(search($s)) { title } }', { s: 'find\u0000me' })).p).toEqual([{ title: 'findme' }]);
    await app.close();
  });
});
