// `pnpm fuzz [runs]`: 100,000 inputs (or [runs]) through every fuzz target (targets.ts),
// printing for each how many ran and the slowest input's time. A failure prints the
// counterexample and fast-check's seed to replay it, and exits 1.
import { fuzz, targets } from './targets.ts';

const runs = Number(process.argv[2] ?? 100_000);
const { targets: list, close } = await targets();
const rows: { target: string; inputs: number; slowest: string }[] = [];
let failed = false;
try {
  for (const target of list) {
    try {
      const { slowestMs } = await fuzz(target, runs);
      rows.push({ target: target.name, inputs: runs, slowest: `${slowestMs.toFixed(1)} ms` });
    } catch (error) {
      failed = true;
      console.error(`${target.name}: ${(error as Error).message}`);
      rows.push({ target: target.name, inputs: runs, slowest: 'FAILED' });
    }
  }
} finally {
  await close();
}
console.table(rows);
process.exit(failed ? 1 : 0);
