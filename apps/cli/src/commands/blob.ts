// discret blob put | get | status: files in a data folder, fetched from peers when asked.
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { libp2pTransport } from '@discret/core';
import { openFolder, type FolderOptions, withFolder } from '../app.js';
import { withFolderOptions } from './folder-options.js';
import { run } from './run.js';

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
const collect = (value: string, previous: string[] = []) => [...previous, value];

interface GetOptions extends FolderOptions {
  out?: string;
  connect?: string[];
  start?: string;
  end?: string;
}

export function blobCommands(program: Command): void {
  const blob = program.command('blob').description('files: put one in a room, get one (from peers if needed), or see what is held');

  withFolderOptions(blob.command('put <file>').description('store a file as a blob; prints its id (store it in a String field) and size'))
    .option('--room <id>', 'the room it belongs to (default: your private room)')
    .action((file: string, options: FolderOptions & { room?: string }) => run(async () => {
      await withFolder(options, async (app) => print(await app.putBlob(file, { room: options.room ?? app.privateRoom })));
    }));

  withFolderOptions(blob.command('get <id>').description('write a blob\'s bytes to --out (or stdout), fetching what is missing from --connect peers'))
    .option('--out <file>', 'where to write the bytes (default: standard output)')
    .option('--connect <multiaddr>', 'a peer to fetch from (repeatable); without it, only what is held here', collect)
    .option('--start <byte>', 'first byte to read')
    .option('--end <byte>', 'byte to stop before')
    .action((id: string, options: GetOptions) => run(async () => {
      const network = options.connect?.length ? { transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), config: { enableMulticast: false } } : undefined;
      const app = await openFolder(options, network);
      try {
        for (const address of options.connect ?? []) await app.connect(address);
        const range = options.start !== undefined || options.end !== undefined
          ? { start: Number(options.start ?? 0), ...(options.end === undefined ? {} : { end: Number(options.end) }) }
          : undefined;
        const bytes = app.getBlob(id, range ? { range } : {});
        const sink = options.out ? createWriteStream(options.out) : process.stdout;
        await pipeline(bytes as unknown as AsyncIterable<Uint8Array>, sink as Writable);
      } finally {
        await app.close();
      }
    }));

  withFolderOptions(blob.command('status <id>').description('print what this folder holds of a blob: local, partial or missing'))
    .action((id: string, options: FolderOptions) => run(async () => {
      await withFolder(options, async (app) => print(await app.blobStatus(id)));
    }));
}
