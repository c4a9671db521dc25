// Fuzz targets: every parser of the language and every decoder of what arrives from the
// network. For any input, a target must return a value or throw its package's typed error;
// anything else (a TypeError, a RangeError, a hang) is a defect. Used by `pnpm fuzz`
// (tooling/fuzz/run.ts, 100,000 inputs each) and by tooling/test/fuzz.test.ts (a small budget).
import fc from 'fast-check';
import { batchFromWire, decodeMessage, reconcileFromWire, SyncError } from '../../packages/sync/dist/index.js';
import { LanguageError, parseDataModel, validateDeletion, validateMutation, validateQuery } from '../../packages/lang/dist/index.js';
import { BeaconError, observedAddresses } from '../../packages/beacon/dist/index.js';
import { Discret, DiscretError, silentLogger } from '../../packages/core/dist/index.js';

export interface FuzzTarget {
  name: string;
  inputs: fc.Arbitrary<unknown>;
  /** Runs one input; resolves when the target accepted or refused it with a typed error. */
  run(input: unknown): Promise<void>;
}

const model = parseDataModel('a { P { name: String, age: Integer nullable, data: Json nullable, kids: [P] nullable, pet: Q nullable } Q { n: String } }');
const SEEDS = {
  query: 'query { r: a.P(age > 3, order_by(name asc), first 2, after("x")) { name n: count() data->$.x kids { name } } }',
  mutation: 'mutate { x: a.P { name: "n" age: 3 kids: [{ name: "k" }] pet: { n: "q" } } }',
  deletion: 'delete { a.P { $id kids[$k] } }',
  dataModel: 'a { P { name: String, age: Integer default 3, index(name) } Q(no_full_text_index) { n: Json nullable } }',
};
const PIECES = ['{', '}', '(', ')', '[', ']', ':', ',', '=', '!=', '>', '->', '$x', '$.a[1]', '"s"', '1', '-2.5', 'null', 'true', 'a.P', 'P', 'name', 'kids', 'order_by', 'asc', 'first', 'nullable', 'search', 'before', 'count()', 'avg(age)', '//c\n', 'query', 'mutate', 'delete', 'id', 'room_id', 'Json', 'String', 'index'];

/** Text near the seed: the seed with random edits, random pieces of the language, or any string. */
function textNear(seed: string): fc.Arbitrary<string> {
  const edited = fc.tuple(fc.nat(seed.length), fc.nat(12), fc.string({ maxLength: 8 })).map(([at, cut, insert]) => seed.slice(0, at) + insert + seed.slice(at + cut));
  const pieces = fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }).map((p) => p.join(' '));
  return fc.oneof(edited, pieces, fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 100 }));
}

const language = (fn: () => unknown) => async () => {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof LanguageError)) throw error;
  }
};

function typed(error: unknown, ...classes: (abstract new (...args: never[]) => Error)[]): void {
  if (!classes.some((c) => error instanceof c)) throw error;
}

/** CBOR-ish values: what a decoder may receive inside a well-formed frame. */
const values = fc.anything({ withBigInt: true, withTypedArray: true, withNullPrototype: true, maxDepth: 4 });

export async function targets(): Promise<{ targets: FuzzTarget[]; close: () => Promise<void> }> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const folder = mkdtempSync(join(tmpdir(), 'discret-fuzz-'));
  const app = await Discret.open({ transport: 'none', dataModel: SEEDS.dataModel, appKey: 'fuzz.invites', keyMaterial: new Uint8Array(32).fill(2), dataFolder: folder, logger: silentLogger, config: { enableMulticast: false } });
  const list: FuzzTarget[] = [
    { name: 'data model parser', inputs: textNear(SEEDS.dataModel), run: (t) => language(() => parseDataModel(t as string))() },
    { name: 'query parser', inputs: textNear(SEEDS.query), run: (t) => language(() => validateQuery(model, t as string))() },
    { name: 'mutation parser', inputs: textNear(SEEDS.mutation), run: (t) => language(() => validateMutation(model, t as string))() },
    { name: 'deletion parser', inputs: textNear(SEEDS.deletion), run: (t) => language(() => validateDeletion(model, t as string))() },
    {
      name: 'sync frame decoder',
      inputs: fc.uint8Array({ maxLength: 300 }),
      run: async (bytes) => {
        try {
          decodeMessage(bytes as Uint8Array);
        } catch (error) {
          typed(error, SyncError);
        }
      },
    },
    {
      name: 'sync record batch decoder',
      inputs: fc.oneof(values, fc.array(fc.array(values, { maxLength: 12 }), { maxLength: 4 })),
      run: async (value) => {
        try {
          batchFromWire(value, 100);
        } catch (error) {
          typed(error, SyncError);
        }
      },
    },
    {
      name: 'sync reconcile message decoder',
      inputs: fc.oneof(values, fc.array(fc.tuple(fc.oneof(fc.constant(null), fc.uint8Array({ maxLength: 20 })), fc.integer({ min: -1, max: 3 }), values), { maxLength: 6 })),
      run: async (value) => {
        try {
          reconcileFromWire(value);
        } catch (error) {
          typed(error, SyncError);
        }
      },
    },
    {
      name: 'beacon register ports',
      inputs: fc.tuple(fc.string({ maxLength: 60 }), fc.array(values, { maxLength: 10 })),
      run: async (input) => {
        const [remote, ports] = input as [string, unknown[]];
        try {
          const addresses = observedAddresses(remote, ports);
          if (!Array.isArray(addresses) || addresses.some((a) => typeof a !== 'string')) throw new Error('observedAddresses returned something else than strings');
        } catch (error) {
          typed(error, SyncError, BeaconError);
        }
      },
    },
    {
      name: 'invite reader (acceptInvite)',
      inputs: fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.base64String({ maxLength: 300 })),
      run: async (text) => {
        try {
          await app.acceptInvite(text as string);
        } catch (error) {
          typed(error, DiscretError);
        }
      },
    },
  ];
  return {
    targets: list,
    close: async () => {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Runs `runs` inputs through a target; returns the slowest input's time. */
export async function fuzz(target: FuzzTarget, runs: number, seed?: number): Promise<{ runs: number; slowestMs: number }> {
  let slowestMs = 0;
  await fc.assert(
    fc.asyncProperty(target.inputs, async (input) => {
      const start = performance.now();
      await target.run(input);
      slowestMs = Math.max(slowestMs, performance.now() - start);
    }),
    { numRuns: runs, ...(seed === undefined ? {} : { seed }) },
  );
  return { runs, slowestMs };
}
