import { keyedHash, utf8 } from '@discret/crypto';

/**
 * The tokens a peer presents to a beacon, rotated every day.
 *
 * A meeting token (8 bytes, @discret/crypto) is shared by the two users it belongs to and never
 * changes. Presenting it as is would let a beacon operator follow a pair of users across days.
 * So what a beacon sees is a keyed hash of the token and the day number (UTC): both sides
 * compute the same value on the same day, and values of two days cannot be linked without the
 * token. Around midnight a peer presents both days' values, so two peers whose clocks straddle
 * midnight still meet.
 */
export const BEACON_TOKEN_BYTES = 16;
const DAY_MS = 86_400_000;
const KEY = utf8('discret/beacon-token/v1');

/** The value of `token` for the UTC day `day` (days since the epoch). */
export function beaconToken(token: Uint8Array, day: number): Uint8Array {
  const input = new Uint8Array(token.length + 4);
  input.set(token, 0);
  new DataView(input.buffer).setUint32(token.length, day);
  return keyedHash(KEY, input).subarray(0, BEACON_TOKEN_BYTES);
}

/** The UTC day of a date. */
export function dayOf(date: number): number {
  return Math.floor(date / DAY_MS);
}

/**
 * What to present at `now`: today's value of each token, plus the neighbouring day's within
 * `marginMs` of midnight.
 */
export function presentedTokens(tokens: readonly Uint8Array[], now: number, marginMs = 10 * 60_000): Uint8Array[] {
  const today = dayOf(now);
  const days = [today];
  if (dayOf(now - marginMs) !== today) days.push(today - 1);
  if (dayOf(now + marginMs) !== today) days.push(today + 1);
  return tokens.flatMap((token) => days.map((day) => beaconToken(token, day)));
}
