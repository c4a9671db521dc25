// What the browser bench's new devices wait for (browser.mjs, new-device.mjs, and the page,
// browser-page.ts): the rows of the private room synchronised, polled every 50 ms, at most 120 s.
const COUNT = 'query { c: bench.Row(room_id = $r) { n: count() } }';

/** Resolves the ms from `start` until `app`'s private room holds `rows` rows; throws after 120 s. */
export async function untilRows(app, rows, start) {
  for (;;) {
    const { c } = await app.query(COUNT, { r: app.privateRoom });
    if ((c[0]?.n ?? 0) >= rows) return performance.now() - start;
    if (performance.now() - start > 120_000) throw new Error(`only ${c[0]?.n ?? 0} of ${rows} rows after 120 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
