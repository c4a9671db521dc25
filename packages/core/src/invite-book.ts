import { base64url, fromBase64url } from '@discret/crypto';
import type { DiscretComponents } from './components.js';
import { DiscretError } from './errors.js';
import { appTag, createInvite, type Invite, readInvite } from './invites.js';

/** `_config` key prefix of the rows that remember used invites (private, never synchronised). */
const USED_PREFIX = 'used_invite/';

/**
 * The invites of one user of one app: the ones made here (`sys.OwnedInvite`, consumed by whoever
 * presents them first), the ones accepted here (`sys.Invite`, until the inviter is met), and the
 * ids already used. The rows live in the private room, so the user's other devices know them.
 * invites.ts says what the text carries.
 */
export class InviteBook {
  constructor(private readonly parts: DiscretComponents) {}

  private get privateRoom(): string {
    return base64url(this.parts.keys.privateRoomId);
  }

  /** Makes an invite; with `defaultRoom`, whoever uses it becomes a user of that authorisation. */
  async create(defaultRoom: { room: string; authorisation: string } | undefined, signal?: AbortSignal): Promise<string> {
    const { store, rooms, keys } = this.parts;
    if (defaultRoom !== undefined && (typeof defaultRoom !== 'object' || defaultRoom === null || typeof defaultRoom.room !== 'string' || typeof defaultRoom.authorisation !== 'string')) {
      throw new DiscretError('INVALID_ARGUMENT', 'invite() takes { room, authorisation } (two ids) or nothing');
    }
    if (defaultRoom) {
      const room = rooms.get(defaultRoom.room);
      const auth = room?.authorisations.find((a) => a.id === defaultRoom.authorisation);
      if (!room || !auth) throw new DiscretError('INVALID_INVITE', `No authorisation ${defaultRoom.authorisation} in room ${defaultRoom.room}`);
    }
    const { o } = await store.mutate('mutate { o: sys.OwnedInvite { room_id: $r room: $room authorisation: $auth } }', {
      r: this.privateRoom, room: defaultRoom?.room ?? null, auth: defaultRoom?.authorisation ?? null,
    }, { signal });
    return createInvite(this.parts.appKey, fromBase64url(String(o!.id)), keys.signingKey);
  }

  /** Records an invite from another user; INVALID_INVITE when it is not one of this app, was made here, or was already used. */
  async accept(invite: string, signal?: AbortSignal): Promise<void> {
    const { store } = this.parts;
    const read = readInvite(invite, this.parts.appKey);
    const id = base64url(read.id);
    const { o } = (await store.query('query { o: sys.OwnedInvite(id = $id) { id } }', { id })) as { o: unknown[] };
    if (o.length) throw new DiscretError('INVALID_INVITE', 'This invite was made here: give it to someone else');
    const { i } = (await store.query('query { i: sys.Invite(invite_id = $id) { id } }', { id })) as { i: unknown[] };
    if (i.length || (await this.used(id))) throw new DiscretError('INVALID_INVITE', 'This invite was already accepted');
    await store.mutate('mutate { sys.Invite { room_id: $r invite_id: $id application: $app invite_sign: $sig } }', {
      r: this.privateRoom, id, app: this.parts.appKey, sig: base64url(read.signature),
    }, { signal });
  }

  /** Invites accepted here whose inviter was not met yet. */
  async accepted(): Promise<{ id: string; invite: Invite }[]> {
    const { i } = (await this.parts.store.query('query { i: sys.Invite(room_id = $r, application = $app) { id invite_id invite_sign } }', { r: this.privateRoom, app: this.parts.appKey })) as {
      i: { id: string; invite_id: string; invite_sign: string }[];
    };
    const app = appTag(this.parts.appKey);
    return i.map((row) => ({ id: row.id, invite: { app, id: fromBase64url(row.invite_id), signature: fromBase64url(row.invite_sign) } }));
  }

  /** The inviter of an accepted invite was met: the invite is done, and remembered as used. */
  async met(accepted: { id: string; invite: Invite }): Promise<void> {
    await this.parts.store.delete('delete { sys.Invite { $id } }', { id: accepted.id });
    await this.parts.store.setConfig(`${USED_PREFIX}${base64url(accepted.invite.id)}`, Date.now());
  }

  /**
   * Whether an invite was used here: one `_config` row per used invite (a point lookup, never
   * cut short), or the list that databases made before kept (read, no longer written).
   */
  private async used(id: string): Promise<boolean> {
    if ((await this.parts.store.getConfig(`${USED_PREFIX}${id}`)) !== undefined) return true;
    const legacy = await this.parts.store.getConfig('used_invites');
    return typeof legacy === 'string' && (JSON.parse(legacy) as string[]).includes(id);
  }
}
