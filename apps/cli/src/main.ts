#!/usr/bin/env node
// discret: the command line of Discret. `discret --help` lists the commands, and
// `discret <command> --help` describes one.
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { blobCommands } from './commands/blob.js';
import { codegenCommand } from './commands/codegen.js';
import { demoCommand } from './commands/demo.js';
import { demoPeerCommand } from './commands/demo-peer.js';
import { localCommands } from './commands/local.js';
import { peerCommands } from './commands/peers.js';
import { replCommand } from './commands/repl.js';
import { transferCommands } from './commands/transfer.js';
import { EXIT } from './exit.js';

const program = new Command('discret')
  .description('Discret from the command line: a local-first, peer-to-peer database')
  .showHelpAfterError()
  // usage errors exit 2 (commander's own default is 1, which we keep for failed steps)
  .exitOverride((error: CommanderError) => {
    throw error;
  });
demoCommand(program, fileURLToPath(import.meta.url));
demoPeerCommand(program);
localCommands(program);
peerCommands(program);
codegenCommand(program);
replCommand(program);
transferCommands(program);
blobCommands(program);
for (const command of program.commands) command.exitOverride((error) => {
  throw error;
}).showHelpAfterError();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else throw error;
}
