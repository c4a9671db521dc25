// The bytes of the blob benchmark: the same for any process that asks, made as they are read.
const CHUNK = 256 * 1024;

/** `size` bytes of a repeating pseudo-random pattern, in 256 KiB chunks. */
export async function* chunksOf(size) {
  const pattern = new Uint8Array(CHUNK + 251);
  let x = 12345;
  for (let i = 0; i < pattern.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    pattern[i] = x >>> 24;
  }
  for (let at = 0, k = 0; at < size; at += CHUNK, k++) {
    const shift = k % 251; // no two groups alike
    yield pattern.slice(shift, shift + Math.min(CHUNK, size - at));
  }
}
