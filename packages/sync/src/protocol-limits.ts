/**
 * Bounds of the sync protocol that more than one part of a session relies on: what a message
 * may carry. A message past one of them is a protocol fault (the peer is dropped).
 */

/** Invites a `hello` may present. */
export const MAX_INVITES = 16;
/** Bytes of one presented invite id. */
export const MAX_INVITE_BYTES = 64;
/** Rooms in a `rooms` answer. */
export const MAX_ROOMS = 65_536;
/** Rooms in one `changed`. */
export const MAX_CHANGED_ROOMS = 1024;
/** Peer rows in a `peers` answer. */
export const MAX_PEERS = 4096;
/** Records announced per room in one `changed` (the store lists at most 256 per commit), and references per `fetchRefs`. */
export const MAX_LIVE_ITEMS = 256;
/** Keys in any key list (a reconcile answer's `have`, a `fetch`). */
export const MAX_KEYS = 65_536;
/** Bytes of one key. */
export const MAX_KEY_BYTES = 64;
/** Ranges in a range list. */
export const MAX_RANGES = 4096;
/** Bytes of a page cursor. */
export const MAX_CURSOR_BYTES = 1024;
/** Pages of one room a side with nothing accepts (2048 records or ~768 KiB each). */
export const MAX_PAGES = 1_000_000;
