// Randomness from Web Crypto's getRandomValues, which Node (globalThis.crypto), browsers and
// workers all have: the one source on every runtime, so no seam is needed for it.

/** getRandomValues fills at most 65,536 bytes per call. */
const MAX_PER_CALL = 65536;

/** Fills `out` with cryptographically secure random bytes and returns it. */
export function fillRandom<T extends Uint8Array>(out: T): T {
  for (let at = 0; at < out.length; at += MAX_PER_CALL) {
    globalThis.crypto.getRandomValues(out.subarray(at, Math.min(out.length, at + MAX_PER_CALL)) as Uint8Array<ArrayBuffer>);
  }
  return out;
}

/** `length` cryptographically secure random bytes. */
export function randomBytes(length: number): Uint8Array {
  return fillRandom(new Uint8Array(length));
}
