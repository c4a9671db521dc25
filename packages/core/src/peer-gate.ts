import { base64url, deriveToken, fromBase64url } from '@discret/crypto';
import { validateMutation } from '@discret/lang';
import type { Logger } from '@discret/log';
import type { NodeRecord } from '@discret/store';
import { type Admission, type PeerAdmission, proveIdentity, type RemotePeer, SyncError } from '@discret/sync';
import type { DiscretComponents } from './components.js';
import { type PeerRules, safeVerify, strictImport } from './host-checks.js';
import { InviteBook } from './invite-book.js';
import { signedBy } from './invites.js';
import { type AllowedPeerRow, allowedPeerOf } from './own-rows.js';


/**
 * The peers side of Discret's sync host: who may connect (own devices, invited and allowed
 * peers), the identity this side proves, the peers it records (`sys.AllowedPeer`,
 * `sys.AllowedHardware`, pending or enabled), and the meeting tokens it is found by.
 */
export class PeerGate implements PeerAdmission {
  private readonly peerEntity: string;
  private ownPeer: NodeRecord | undefined;
  private readonly invites: InviteBook;

  constructor(
    private readonly parts: DiscretComponents,
    private readonly rules: PeerRules,
    private readonly log: Logger,
  ) {
    this.invites = new InviteBook(parts);
    this.peerEntity = parts.store.dataModel.entities.get('sys.Peer')!.shortId;
  }

  private get me(): string {
    return this.parts.keys.signingKey.verifyingKey;
  }

  private get privateRoom(): string {
    return base64url(this.parts.keys.privateRoomId);
  }

  proveIdentity(challenge: Uint8Array, proverDevice: Uint8Array, verifierDevice: Uint8Array): Uint8Array {
    return proveIdentity(this.parts.keys.signingKey, challenge, proverDevice, verifierDevice);
  }

  async peerRecord(): Promise<NodeRecord> {
    if (this.ownPeer) return this.ownPeer;
    const { p } = (await this.parts.store.query('query { p: sys.Peer(verifying_key = $me) { id } }', { me: this.me })) as { p: { id: string }[] };
    const record = p[0] ? await this.parts.store.nodeRecord(fromBase64url(p[0].id)) : undefined;
    if (!record) throw new SyncError('NOT_STARTED', 'This user has no sys.Peer row');
    this.ownPeer = record;
    return record;
  }

  async inviteClaims(): Promise<Uint8Array[]> {
    return (await this.invites.accepted()).slice(0, 16).map((i) => i.invite.id);
  }

  async admit(remote: RemotePeer, _signal: AbortSignal): Promise<Admission> {
    const peer = remote.peer;
    if (peer.entity !== this.peerEntity || peer.roomId !== null || !safeVerify(peer)) return refuse('its sys.Peer row is not a valid, signed peer row');
    const user = base64url(remote.userKey);
    if (user === this.me) return this.admitOwnDevice(remote);
    // It presents an invite we issued: admit it once, and consume the invite.
    for (const id of remote.invites) {
      const { o } = (await this.parts.store.query('query { o: sys.OwnedInvite(id = $id) { id room authorisation } }', { id: base64url(id) })) as {
        o: { id: string; room: string | null; authorisation: string | null }[];
      };
      if (o[0]) {
        await this.ownedInviteUsed(remote, o[0]);
        return { allowed: true };
      }
    }
    // We accepted an invite it signed: we met the inviter.
    for (const accepted of await this.invites.accepted()) {
      if (signedBy(accepted.invite, remote.userKey)) {
        await this.allowPeer(remote.peer, 'enabled');
        await this.invites.met(accepted);
        this.log.info({ peer: user }, 'met the inviter of an accepted invite');
        return { allowed: true };
      }
    }
    const known = await this.allowedPeer(user);
    if (known?.status === 'enabled') return { allowed: true };
    if (known) return refuse('a pending peer: allow it by setting its sys.AllowedPeer status to "enabled"');
    if (!this.parts.rooms.roomsOf(user).length) return refuse('an unknown peer that shares no room with us');
    await this.allowPeer(remote.peer, this.rules.autoAllowNewPeers ? 'enabled' : 'pending');
    if (this.rules.autoAllowNewPeers) return { allowed: true };
    this.parts.events.emit({ type: 'PendingPeer' });
    return refuse('a new peer from a shared room, now pending');
  }

  async learnPeers(room: string, peers: NodeRecord[], remote: RemotePeer): Promise<void> {
    const members = new Set(this.parts.rooms.membersOf(room));
    for (const peer of peers) {
      const user = base64url(peer.verifyingKey);
      if (user === this.me || user === base64url(remote.userKey) || !members.has(user)) continue;
      if (peer.entity !== this.peerEntity || peer.roomId !== null || !safeVerify(peer)) {
        throw new SyncError('INVALID_DATA', `An invalid sys.Peer row for ${user}`);
      }
      if (await this.allowedPeer(user)) continue;
      const status = this.rules.autoAllowNewPeers ? 'enabled' : 'pending';
      await this.allowPeer(peer, status);
      if (status === 'pending') this.parts.events.emit({ type: 'PendingPeer' });
    }
  }

  /**
   * Our meeting tokens, for LAN discovery: our own user's (our other devices hold it too), one
   * per enabled allowed peer, and one per invite made or accepted and not yet used.
   */
  async meetingTokens(): Promise<Uint8Array[]> {
    const { store, keys } = this.parts;
    const own = keys.meetingSecret.token(keys.meetingSecret.publicKey);
    const tokens = [own];
    // Our own sys.AllowedPeer row (as upstream keeps one) carries our own token: listed once.
    const { a } = (await store.query('query { a: sys.AllowedPeer(status = "enabled") { meeting_token } }')) as { a: { meeting_token: string }[] };
    for (const row of a) if (row.meeting_token && row.meeting_token !== base64url(own)) tokens.push(fromBase64url(row.meeting_token));
    const { o } = (await store.query('query { o: sys.OwnedInvite { id } }')) as { o: { id: string }[] };
    for (const row of o) tokens.push(inviteToken(fromBase64url(row.id)));
    for (const accepted of await this.invites.accepted()) tokens.push(inviteToken(accepted.invite.id));
    return tokens;
  }

  private async admitOwnDevice(remote: RemotePeer): Promise<Admission> {
    if (this.rules.autoAcceptLocalDevice) return { allowed: true };
    const device = base64url(remote.deviceKey);
    const { h } = (await this.parts.store.query('query { h: sys.AllowedHardware(name = $d) { id status } }', { d: device })) as { h: { status: string }[] };
    if (h.some((row) => row.status === 'enabled')) return { allowed: true };
    if (!h.length) {
      await this.parts.store.mutate('mutate { sys.AllowedHardware { room_id: $r name: $d status: "pending" } }', { r: this.privateRoom, d: device });
      this.parts.events.emit({ type: 'PendingHardware' });
    }
    return refuse('another device of this user, pending: allow it by setting its sys.AllowedHardware status to "enabled"');
  }

  private async ownedInviteUsed(remote: RemotePeer, owned: { id: string; room: string | null; authorisation: string | null }): Promise<void> {
    const user = base64url(remote.userKey);
    await this.allowPeer(remote.peer, 'enabled');
    await this.parts.store.delete('delete { sys.OwnedInvite { $id } }', { id: owned.id });
    if (owned.room && owned.authorisation) {
      const mutation = 'mutate { sys.Room { id: $room authorisations: [{ id: $auth users: [{ verif_key: $key enabled: true }] }] } }';
      const params = { room: owned.room, auth: owned.authorisation, key: user };
      const { rooms, store } = this.parts;
      const grant = rooms.planMutation(validateMutation(store.dataModel, mutation), params, this.me, Date.now());
      await store.mutate(mutation, params, { grant });
      await rooms.reload(store, owned.room);
      this.parts.events.emit({ type: 'RoomModified', room: owned.room });
    }
    this.log.info({ peer: user }, 'an invite was used');
  }

  private allowedPeer(user: string): Promise<AllowedPeerRow | undefined> {
    return allowedPeerOf(this.parts.store, user);
  }

  /** Stores the remote's peer row and its sys.AllowedPeer row (in the private room, so our other devices know it). */
  private async allowPeer(peer: NodeRecord, status: 'enabled' | 'pending'): Promise<void> {
    const { store, keys } = this.parts;
    await strictImport(store.importRecords({ nodes: [peer] }, { strict: true, localEntities: [this.peerEntity] }));
    const existing = await this.allowedPeer(base64url(peer.verifyingKey));
    if (existing) {
      if (existing.status !== status) await store.mutate('mutate { sys.AllowedPeer { id: $id status: $s } }', { id: existing.id, s: status });
      return;
    }
    const field = store.dataModel.entities.get('sys.Peer')!.fieldsByName.get('pub_key')!.shortId;
    const pubKey = (JSON.parse(peer.json ?? '{}') as Record<string, unknown>)[field];
    let token = '';
    try {
      token = base64url(keys.meetingSecret.token(fromBase64url(String(pubKey))));
    } catch {
      token = ''; // a peer row without a usable meeting key: it cannot be met by discovery
    }
    await store.mutate('mutate { sys.AllowedPeer { room_id: $r peer: { id: $p } meeting_token: $t status: $s } }', {
      r: this.privateRoom, p: base64url(peer.id), t: token, s: status,
    });
  }
}

/** The meeting token of an invite: both sides derive it from the invite id. */
export function inviteToken(id: Uint8Array): Uint8Array {
  return deriveToken('invite', id);
}

function refuse(reason: string): Admission {
  return { allowed: false, reason };
}
