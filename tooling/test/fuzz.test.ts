// The fuzz targets of `pnpm fuzz` at a budget that fits CI: 2,000 inputs each, a fixed seed
// per run so a failure can be replayed (the seed is in fast-check's message).
import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { type FuzzTarget, fuzz, targets } from '../fuzz/targets.ts';

let list: FuzzTarget[] = [];
let close: () => Promise<void> = async () => {};
beforeAll(async () => {
  ({ targets: list, close } = await targets());
});
afterAll(() => close());

describe('fuzz (small budget; pnpm fuzz runs 100,000 per target)', () => {
  for (const name of ['data model parser', 'query parser', 'mutation parser', 'deletion parser', 'sync frame decoder', 'sync record batch decoder', 'sync reconcile message decoder', 'beacon register ports', 'invite reader (acceptInvite)']) {
    test(name, async () => {
      const target = list.find((t) => t.name === name);
      if (!target) throw new Error(`no fuzz target ${name}`);
      await fuzz(target, name.startsWith('invite') ? 500 : 2000);
    });
  }
});
