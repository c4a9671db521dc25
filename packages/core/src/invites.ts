import { base64url, fromBase64url, hash, type SigningKey, utf8, verify } from '@discret/crypto';
import { decode, encode } from 'cborg';
import { DiscretError } from './errors.js';

/**
 * Invites, as pasted from one user to another.
 *
 * The text is the base64url of CBOR `[1, app, id, signature]`: `app` is 16 bytes of the hash
 * of the app key (an invite is for this app only), `id` the random id of the inviter's
 * `sys.OwnedInvite` row, and `signature` the inviter's signature of
 * `"discret/invite/v1" | app | id`. It carries no key and no address: whoever pastes it
 * learns nothing about the inviter but that an invite exists. When the two devices meet, the
 * invitee presents `id` and checks that the signature verifies under the user key the other
 * side proved, so it knows it met the inviter; the inviter admits whoever presents a live `id`,
 * once, and deletes it.
 */
export interface Invite {
  app: Uint8Array;
  id: Uint8Array;
  signature: Uint8Array;
}

const DOMAIN = utf8('discret/invite/v1');

export function appTag(appKey: string): Uint8Array {
  return hash(utf8(`discret/app/v1:${appKey}`)).subarray(0, 16);
}

function signedBytes(app: Uint8Array, id: Uint8Array): Uint8Array {
  const out = new Uint8Array(DOMAIN.length + app.length + id.length);
  out.set(DOMAIN, 0);
  out.set(app, DOMAIN.length);
  out.set(id, DOMAIN.length + app.length);
  return out;
}

export function createInvite(appKey: string, id: Uint8Array, userKey: SigningKey): string {
  const app = appTag(appKey);
  return base64url(encode([1, app, id, userKey.sign(signedBytes(app, id))]));
}

/** Reads an invite; INVALID_INVITE for anything else, or an invite of another app. */
export function readInvite(text: string, appKey: string): Invite {
  let value: unknown;
  try {
    value = decode(fromBase64url(text.trim()));
  } catch (error) {
    throw new DiscretError('INVALID_INVITE', 'This is not an invite', { cause: error });
  }
  if (!Array.isArray(value) || value.length !== 4 || value[0] !== 1 || !value.slice(1).every((v) => v instanceof Uint8Array)) {
    throw new DiscretError('INVALID_INVITE', 'This is not an invite of this version');
  }
  const [, app, id, signature] = value as [number, Uint8Array, Uint8Array, Uint8Array];
  if (base64url(app) !== base64url(appTag(appKey))) throw new DiscretError('INVALID_INVITE', 'This invite is for another app');
  if (id.length !== 16 || signature.length !== 64) throw new DiscretError('INVALID_INVITE', 'Malformed invite');
  return { app, id, signature };
}

/** True when `inviterKey` signed this invite. */
export function signedBy(invite: Invite, inviterKey: Uint8Array): boolean {
  try {
    return verify(inviterKey, signedBytes(invite.app, invite.id), invite.signature);
  } catch {
    return false;
  }
}
