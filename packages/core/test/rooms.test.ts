// Rooms through the public API, on real SQLCipher files: the upstream documentation's two
// walk-throughs (a blog only its authors write, a calendar split over two rooms), in our words.
import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Discret, type DiscretEvent } from '@discret/core';

const root = mkdtempSync(join(tmpdir(), 'discret-rooms-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

const MODEL = `
blog {
  Article { title: String, content: String default "" }
  Comment { article: blog.Article, comment: String }
  Draft { text: String }
}
cal {
  Calendar { name: String, appointments: [cal.Appointment] nullable }
  Appointment { start: Integer, end: Integer, detail: cal.AppointmentDetail nullable }
  AppointmentDetail { title: String }
}`;

async function open(fill: number, dataFolder = join(root, String(n++))) {
  return Discret.open({ transport: 'none', dataModel: MODEL, appKey: 'test.rooms', keyMaterial: new Uint8Array(32).fill(fill), dataFolder });
}

const CREATE_BLOG_ROOM = `mutate {
  room: sys.Room {
    admin: [{ verif_key: $me }]
    authorisations: [{
      name: "authors"
      rights: [
        { entity: "blog.Article" mutate_self: true mutate_all: true },
        { entity: "blog.Comment" mutate_self: true mutate_all: true }
      ]
      users: [{ verif_key: $me }]
    }, {
      name: "readers"
      rights: [{ entity: "blog.Comment" mutate_self: true mutate_all: false }]
      users: [{ verif_key: $reader }]
    }]
  }
}`;

type RoomResult = { room: { id: string; authorisations: { id: string; name: string }[] } };

describe('a blog only its authors write', () => {
  test('authors write articles and comments; what no right covers is refused and not written', async () => {
    const author = await open(1);
    const reader = await open(2);
    const modified: DiscretEvent[] = [];
    author.on('RoomModified', (e) => modified.push(e));

    const { room } = await author.mutate<RoomResult>(CREATE_BLOG_ROOM, { me: author.verifyingKey, reader: reader.verifyingKey });
    expect(modified).toEqual([{ type: 'RoomModified', room: room.id }]);
    const r = room.id;

    const { a } = await author.mutate<{ a: { id: string } }>('mutate { a: blog.Article { room_id: $r title: "Hello" } }', { r });
    await author.mutate('mutate { blog.Comment { room_id: $r comment: "first!" article: { id: $a } } }', { r, a: a.id });
    await expect(author.mutate('mutate { blog.Draft { room_id: $r text: "no right for drafts" } }', { r })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    expect((await author.query('query { d: blog.Draft { text } }')).d).toEqual([]);

    // The reader's device does not know the room until sync brings it: refused there.
    await expect(reader.mutate('mutate { blog.Comment { room_id: $r comment: "hi" article: { id: $a } } }', { r, a: a.id })).rejects.toMatchObject({
      code: 'AUTHORISATION_DENIED',
    });

    // Rooms are read from the database when it opens again.
    const folder = join(root, 'blog-reopen');
    const again = await open(1, folder);
    const { room: room2 } = await again.mutate<RoomResult>(CREATE_BLOG_ROOM, { me: again.verifyingKey, reader: reader.verifyingKey });
    await again.close();
    const reopened = await open(1, folder);
    await reopened.mutate('mutate { blog.Article { room_id: $r title: "after reopening" } }', { r: room2.id });
    await reopened.close();

    await author.close();
    await reader.close();
  });

  test('room definitions: only through sys.Room, never deleted, rows immutable, only admins', async () => {
    const author = await open(3);
    const other = await open(4);
    const { room } = await author.mutate<RoomResult>(CREATE_BLOG_ROOM, { me: author.verifyingKey, reader: other.verifyingKey });
    const authors = room.authorisations.find((x) => x.name === 'authors')!;

    await expect(author.mutate('mutate { sys.Authorisation { name: "sneaky" } }')).rejects.toMatchObject({ code: 'INVALID_MUTATION' });
    await expect(author.mutate('mutate { sys.Room { room_id: $r } }', { r: room.id })).rejects.toMatchObject({ code: 'INVALID_MUTATION' });
    await expect(author.delete('delete { sys.Authorisation { $id } }', { id: authors.id })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    await expect(author.delete('delete { sys.Room { $id } }', { id: room.id })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    const { u } = await author.query<{ u: { id: string }[] }>('query { u: sys.UserAuth { id } }');
    await expect(author.mutate('mutate { sys.Room { id: $r admin: [{ id: $u verif_key: $k }] } }', { r: room.id, u: u[0]!.id, k: other.verifyingKey })).rejects.toMatchObject({
      code: 'INVALID_MUTATION',
    });
    // someone else cannot create a room in the author's name
    await expect(other.mutate(CREATE_BLOG_ROOM, { me: author.verifyingKey, reader: other.verifyingKey })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    expect((await other.query('query { r: sys.Room { id } }')).r).toEqual([]);
    await author.close();
    await other.close();
  });

  test('rights are judged at the date: disabling the author stops new writes, keeps old ones', async () => {
    const author = await open(5);
    const { room } = await author.mutate<RoomResult>(CREATE_BLOG_ROOM, { me: author.verifyingKey, reader: author.verifyingKey });
    const authors = room.authorisations.find((x) => x.name === 'authors')!;
    const { a } = await author.mutate<{ a: { id: string } }>('mutate { a: blog.Article { room_id: $r title: "before" } }', { r: room.id });
    // A new UserAuth row with a later date supersedes the first one. As upstream, a room admin
    // holds every authorisation's rights, so the author still writes while an admin.
    await author.mutate('mutate { sys.Room { id: $r authorisations: [{ id: $auth users: [{ verif_key: $me enabled: false }] }] } }', {
      r: room.id, auth: authors.id, me: author.verifyingKey,
    });
    await author.mutate('mutate { blog.Article { id: $a title: "edited as admin" } }', { a: a.id });
    // No longer an admin either: new writes and edits are refused, earlier rows stay.
    await author.mutate('mutate { sys.Room { id: $r admin: [{ verif_key: $me enabled: false }] } }', { r: room.id, me: author.verifyingKey });
    await expect(author.mutate('mutate { blog.Article { room_id: $r title: "after" } }', { r: room.id })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    await expect(author.mutate('mutate { blog.Article { id: $a title: "edited" } }', { a: a.id })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    expect((await author.query('query { a: blog.Article { title } }')).a).toEqual([{ title: 'edited as admin' }]);
    // Still a reader (comments, mutate_self), but no longer able to change the room.
    await expect(author.mutate('mutate { sys.Room { id: $r authorisations: [{ id: $auth users: [{ verif_key: $me }] }] } }', { r: room.id, auth: authors.id, me: author.verifyingKey }))
      .rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    await author.close();
  });

  test('as upstream, a room admin needs no user row: the rights of the room\'s authorisations are enough', async () => {
    const admin = await open(11);
    const { room } = await admin.mutate<RoomResult>(`mutate {
      room: sys.Room {
        admin: [{ verif_key: $me }]
        authorisations: [{ name: "admin" rights: [{ entity: "blog.Article" mutate_self: true mutate_all: true }] }]
      }
    }`, { me: admin.verifyingKey });
    await admin.mutate('mutate { blog.Article { room_id: $r title: "by the admin" } }', { r: room.id });
    // ... but only what some authorisation grants.
    await expect(admin.mutate('mutate { blog.Draft { room_id: $r text: "no right" } }', { r: room.id })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    expect((await admin.query('query { a: blog.Article { title } }')).a).toEqual([{ title: 'by the admin' }]);
    await admin.close();
  });
});

describe('a calendar shared over two rooms', () => {
  const calendarRoom = (entities: string[], readers: string[]) => `mutate {
    room: sys.Room {
      admin: [{ verif_key: $me }]
      authorisations: [{
        name: "authors"
        rights: [${entities.map((e) => `{ entity: "${e}" mutate_self: true mutate_all: true }`).join(', ')}]
        users: [{ verif_key: $me }]
      }, {
        name: "readers"
        users: [${readers.map((k) => `{ verif_key: "${k}" }`).join(', ')}]
      }]
    }
  }`;

  test('dates in one room, details in another; each row is judged in its own room', async () => {
    const owner = await open(6);
    const team = await open(7);
    const colleague = await open(8);
    const me = owner.verifyingKey;
    const { room: dates } = await owner.mutate<RoomResult>(calendarRoom(['cal.Calendar', 'cal.Appointment'], [team.verifyingKey, colleague.verifyingKey]), { me });
    const { room: details } = await owner.mutate<RoomResult>(calendarRoom(['cal.AppointmentDetail'], [team.verifyingKey]), { me });

    const { c } = await owner.mutate<{ c: { id: string } }>('mutate { c: cal.Calendar { room_id: $dates name: "my calendar" } }', { dates: dates.id });
    await owner.mutate(
      `mutate { cal.Calendar { id: $c appointments: [{
        room_id: $dates start: 1720770000000 end: 1720780000000
        detail: { room_id: $details title: "An important meeting" }
      }] } }`,
      { c: c.id, dates: dates.id, details: details.id },
    );
    const result = await owner.query('query { res: cal.Calendar(id = $c) { name appointments(nullable(detail)) { start end detail { title room_id } } } }', { c: c.id });
    expect(result).toEqual({
      res: [{ name: 'my calendar', appointments: [{ start: 1720770000000, end: 1720780000000, detail: { title: 'An important meeting', room_id: details.id } }] }],
    });
    // A detail has no right in the dates room: it can be neither written there nor moved there.
    await expect(owner.mutate('mutate { cal.AppointmentDetail { room_id: $dates title: "x" } }', { dates: dates.id })).rejects.toMatchObject({ code: 'AUTHORISATION_DENIED' });
    const { d } = await owner.query<{ d: { id: string }[] }>('query { d: cal.AppointmentDetail { id } }');
    await expect(owner.mutate('mutate { cal.AppointmentDetail { id: $id room_id: $dates } }', { id: d[0]!.id, dates: dates.id })).rejects.toMatchObject({
      code: 'AUTHORISATION_DENIED',
    });
    await Promise.all([owner.close(), team.close(), colleague.close()]);
  });
});
