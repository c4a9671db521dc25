// The live-query group of `pnpm bench` (live.mjs) in a process of its own, as an app's process
// would be: in the bench's own process, the store and sync groups before it leave a large heap
// whose collections land in the write-to-listener latencies. Prints each row as a JSON line.
//   node live-process.mjs '<options as JSON>'
const { liveBench } = await import('./live.mjs');

await liveBench({ ...JSON.parse(process.argv[2]), report: { add: (row) => process.stdout.write(`${JSON.stringify(row)}\n`) } });
