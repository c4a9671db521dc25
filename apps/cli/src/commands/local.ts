// discret query | mutate | delete | model: one request on a data folder, JSON on stdout.
import type { Command } from 'commander';
import type { Parameters } from '@discret/core';
import { type FolderOptions, rememberDataModel, withFolder } from '../app.js';
import { parseParams, readRequest } from '../request.js';
import { withFolderOptions } from './folder-options.js';
import { run } from './run.js';

interface RequestOptions extends FolderOptions {
  params?: string;
  file?: string;
}

const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

function requestCommand(program: Command, name: 'query' | 'mutate' | 'delete', summary: string): void {
  withFolderOptions(program.command(`${name} [request]`).description(summary))
    .option('--params <json>', 'the request\'s $parameters, as a JSON object')
    .option('--file <file>', 'read the request from this file')
    .addHelpText('after', `\nThe request comes from the argument, --file, or standard input ("-" or piped).\nExit codes: 0 done, 2 usage, 3 language error (line and column on stderr), 4 runtime error.`)
    .action((argument: string | undefined, options: RequestOptions) => run(async (context) => {
      const text = await readRequest(argument, options.file);
      const params = parseParams(options.params) as Parameters;
      await withFolder(options, async (app) => {
        context.requestText = text;
        if (name === 'query') print(await app.query(text, params));
        else if (name === 'mutate') print(await app.mutate(text, params));
        else {
          await app.delete(text, params);
          print({ deleted: true });
        }
      }, context);
    }));
}

export function localCommands(program: Command): void {
  requestCommand(program, 'query', 'run a query; prints its result as JSON');
  requestCommand(program, 'mutate', 'run a mutation; prints the written rows (with their ids) as JSON');
  requestCommand(program, 'delete', 'run a deletion');
  withFolderOptions(program.command('model').description('print the data model, or change it with --set'))
    .option('--set <file>', 'replace the data model with this file\'s (only compatible changes are accepted)')
    .option('--json', 'print the resolved model as JSON instead of its text')
    .action((options: FolderOptions & { set?: string; json?: boolean }) => run(async (context) => {
      await withFolder(options, async (app) => {
        let info = await app.dataModel();
        if (options.set) {
          const text = await readRequest(undefined, options.set);
          context.requestText = text;
          info = await app.updateDataModel(text);
          rememberDataModel(options, text);
        }
        if (options.json) print(info.model);
        else process.stdout.write(info.text.endsWith('\n') ? info.text : `${info.text}\n`);
      }, context);
    }));
}
