// A room with rights, using only the public API: create a blog room where authors write
// articles and readers may only comment, write into it, and see what the rights refuse.
// Run with `node examples/shared-blog.ts` after `pnpm build` (sync between peers comes later;
// here one device plays the author).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discret, type DiscretError } from '@discret/core';

const dataModel = `
blog {
  Article { title: String, content: String default "" }
  Comment { article: blog.Article, text: String }
}`;

const dataFolder = mkdtempSync(join(tmpdir(), 'discret-blog-'));
const step = (text: string) => console.log(`\n> ${text}`);

try {
  // Key material would come from derivePassPhrase(login, password); fixed bytes keep this quick.
  const author = await Discret.open({ transport: 'none', dataModel, appKey: 'example.blog', keyMaterial: new Uint8Array(32).fill(7), dataFolder });
  const aReader = 'bKhSTf6hxNYhAWd-uwvqWP9L639-SdvB47Vwg0Ac6b0'; // another user's verifying key
  author.on('RoomModified', (e) => console.log(`  event RoomModified: ${e.room}`));

  step('creating the blog room: the author is admin and writes articles; readers only comment');
  const { room } = await author.mutate<{ room: { id: string } }>(
    `mutate {
      room: sys.Room {
        admin: [{ verif_key: $me }]
        authorisations: [{
          name: "authors"
          rights: [{ entity: "blog.Article" mutate_self: true mutate_all: true },
                   { entity: "blog.Comment" mutate_self: true mutate_all: true }]
          users: [{ verif_key: $me }]
        }, {
          name: "readers"
          rights: [{ entity: "blog.Comment" mutate_self: true mutate_all: false }]
          users: [{ verif_key: $reader }]
        }]
      }
    }`,
    { me: author.verifyingKey, reader: aReader },
  );

  step('the author writes an article and a comment into the room');
  const { a } = await author.mutate<{ a: { id: string } }>('mutate { a: blog.Article { room_id: $r title: "Hello, room" } }', { r: room.id });
  await author.mutate('mutate { blog.Comment { room_id: $r article: { id: $a } text: "first" } }', { r: room.id, a: a.id });
  console.log(JSON.stringify(await author.query('query { c: blog.Comment { text article { title } } }'), null, 2));

  step('room rows are never deleted, whoever asks');
  try {
    await author.delete('delete { sys.Room { $id } }', { id: room.id });
  } catch (e) {
    console.log(`  ${(e as DiscretError).code}: ${(e as DiscretError).message}`);
  }

  step('the author steps down as admin and leaves "authors": new articles are refused from now on');
  // A room admin holds the rights of every authorisation (as upstream), so both rows go.
  const { auth } = await author.query<{ auth: { id: string }[] }>('query { auth: sys.Authorisation(name = "authors") { id } }');
  await author.mutate('mutate { sys.Room { id: $r authorisations: [{ id: $auth users: [{ verif_key: $me enabled: false }] }] } }', {
    r: room.id, auth: auth[0]!.id, me: author.verifyingKey,
  });
  await author.mutate('mutate { sys.Room { id: $r admin: [{ verif_key: $me enabled: false }] } }', { r: room.id, me: author.verifyingKey });
  try {
    await author.mutate('mutate { blog.Article { room_id: $r title: "too late" } }', { r: room.id });
  } catch (e) {
    console.log(`  ${(e as DiscretError).code}: ${(e as DiscretError).message}`);
  }
  console.log(`  articles still there: ${JSON.stringify((await author.query('query { a: blog.Article { title } }')).a)}`);
  await author.close();
} finally {
  rmSync(dataFolder, { recursive: true, force: true });
}
