import { base64url, SigningKey, type AppKeys } from '@discret/crypto';
import type { Store } from '@discret/store';
import type { RoomGrant } from './rooms.js';

/**
 * The rows every install writes about its own user at open, as upstream does
 * (`init_allowed_peers` in upstream's `system_entities.rs`).
 */
export async function ensureOwnRows(store: Store<RoomGrant>, keys: AppKeys): Promise<void> {
  const peerId = await ensurePeerRow(store, keys);
  await ensureOwnAllowedPeer(store, keys, peerId);
}

/**
 * The user's own sys.Peer row: no room, signed by the user's key (so its verifying_key is the
 * user's identity), carrying the meeting public key that peers use to derive meeting tokens.
 * Written at first open; each device writes it once. Returns its id.
 */
async function ensurePeerRow(store: Store<RoomGrant>, keys: AppKeys): Promise<string> {
  const me = keys.signingKey.verifyingKey;
  const { p } = (await store.query('query { p: sys.Peer(verifying_key = $me) { id } }', { me })) as { p: { id: string }[] };
  if (p[0]) return p[0].id;
  const { peer } = (await store.mutate('mutate { peer: sys.Peer { pub_key: $k } }', { k: keys.meetingSecret.publicKey })) as { peer: { id: string } };
  return peer.id;
}

/**
 * The user's own sys.AllowedPeer row, enabled, in the private room, with the user's own meeting
 * token: upstream keeps one, so a user who met one peer holds two rows. Upstream gives it an id
 * derived from the key material, so all of a user's devices write the same row; our ids are
 * random, so a device first looks for one that sync brought from another device. Two devices
 * opened for the first time before they ever met each hold one (the same status and token).
 */
async function ensureOwnAllowedPeer(store: Store<RoomGrant>, keys: AppKeys, peerId: string): Promise<void> {
  if (await allowedPeerOf(store, keys.signingKey.verifyingKey)) return;
  await store.mutate('mutate { sys.AllowedPeer { room_id: $r peer: { id: $p } meeting_token: $t status: "enabled" } }', {
    r: base64url(keys.privateRoomId),
    p: peerId,
    t: base64url(keys.meetingSecret.token(keys.meetingSecret.publicKey)),
  });
}

/** A `sys.AllowedPeer` row of ours. */
export interface AllowedPeerRow { id: string; status: string; peer: { verifying_key: string } | null }

/** The `sys.AllowedPeer` row recorded for the user with this verifying key, if any. */
export async function allowedPeerOf(store: Store<RoomGrant>, user: string): Promise<AllowedPeerRow | undefined> {
  const { a } = (await store.query('query { a: sys.AllowedPeer(nullable(peer)) { id status peer { verifying_key } } }')) as { a: AllowedPeerRow[] };
  return a.find((row) => row.peer?.verifying_key === user);
}

/** This install's device key: created on first open, then read back from `_config`. */
export async function loadDeviceKey(store: Store): Promise<SigningKey> {
  const seed = await store.getConfig('device_key');
  if (seed instanceof Uint8Array && seed.length === 32) return new SigningKey(seed);
  const key = SigningKey.generate();
  await store.setConfig('device_key', key.exportSeed());
  return key;
}
