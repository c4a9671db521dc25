// A local Discret app, using only the public API: open an encrypted database, write notes
// with tags, query them back, update one, close and reopen to see the data persist.
// Run with `pnpm demo` (Node 24 runs this TypeScript file directly).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discret, type DiscretError, derivePassPhrase } from '@discret/core';

const dataModel = `
notes {
  Note {
    title: String,
    body: String default "",
    stars: Integer default 0,
    tags: [Tag] nullable,
    index(title),
  }
  Tag { name: String }
}`;

const dataFolder = mkdtempSync(join(tmpdir(), 'discret-demo-'));
const appKey = 'example.discret.notes';
const step = (text: string) => console.log(`\n> ${text}`);

try {
  step('deriving key material from a login and a password (argon2id, slow on purpose)');
  const keyMaterial = await derivePassPhrase('ada', 'correct horse battery staple');

  step(`opening an encrypted database in ${dataFolder}`);
  let app = await Discret.open({ transport: 'none', dataModel, appKey, keyMaterial, dataFolder });
  console.log(`  identity (verifying key): ${app.verifyingKey}`);
  app.on('DataChanged', (e) => console.log(`  event DataChanged: ${Object.keys(e.rooms).length} room(s)`));

  step('writing two notes, with tags, into the private room');
  const written = await app.mutate<{ a: { id: string }; b: { id: string } }>(
    `mutate {
      a: notes.Note { title: "Groceries" body: "lentils, onions" room_id: $room tags: [{ name: "home" }] }
      b: notes.Note { title: "Ideas" stars: 3 room_id: $room tags: [{ name: "work" }, { name: "later" }] }
    }`,
    { room: app.privateRoom },
  );
  console.log(`  ids: ${written.a.id}, ${written.b.id}`);

  step('querying them back, sorted, with their tags');
  console.log(JSON.stringify(await app.query('query { notes: notes.Note(order_by(title asc)) { title stars tags { name } } }'), null, 2));

  step('updating one field of one note');
  await app.mutate('mutate { notes.Note { id: $id stars: 5 } }', { id: written.a.id });

  step('a mistake in a query gives a typed error with a position');
  try {
    await app.query('query { n: notes.Note { colour } }');
  } catch (e) {
    const err = e as DiscretError;
    console.log(`  ${err.code} at line ${err.line}, column ${err.column}: ${err.message}`);
  }

  step('closing and reopening: everything is still there');
  await app.close();
  app = await Discret.open({ transport: 'none', dataModel, appKey, keyMaterial, dataFolder });
  console.log(JSON.stringify(await app.query('query { best: notes.Note(order_by(stars desc), first 1) { title stars } n: notes.Note { count: count() } }')));
  await app.close();

  step('a wrong password cannot open the database');
  const wrong = await derivePassPhrase('ada', 'wrong password');
  await Discret.open({ transport: 'none', dataModel, appKey, keyMaterial: wrong, dataFolder }).then(
    () => { throw new Error('opened with a wrong password'); },
    (e: DiscretError) => console.log(`  ${e.code}`),
  );
  console.log('\ndone');
} finally {
  rmSync(dataFolder, { recursive: true, force: true });
}
