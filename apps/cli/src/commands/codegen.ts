// discret codegen: TypeScript types from a data model file and named queries (.dq files).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { generateTypes } from '@discret/core';
import { UsageError } from '../exit.js';
import { run } from './run.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

export function codegenCommand(program: Command): void {
  program.command('codegen')
    .description('write TypeScript types for a data model and the result of each named query')
    .requiredOption('--model <file>', 'the data model file')
    .option('--queries <file>', 'a .dq file of named queries, `query Name { ... }` (repeatable)', collect)
    .option('--out <file>', 'write here instead of standard output')
    .option('--import-from <module>', 'where TypedQuery comes from', '@discret/core')
    .addHelpText('after', `
Each query Name becomes \`export const Name\`, typed so that app.query(Name) resolves to
\`NameResult\`: its aliases, selected fields with their nullability, nested relations and
aggregates. Every entity gets an interface (ShopPerson for shop.Person).`)
    .action((options: { model: string; queries?: string[]; out?: string; importFrom: string }) => run(async (context) => {
      const model = read(options.model);
      const files = options.queries ?? [];
      const texts = files.map(read);
      context.requestText = model;
      try {
        const code = generateTypes(model, texts, { importFrom: options.importFrom });
        if (options.out) writeFileSync(options.out, code);
        else process.stdout.write(code);
      } catch (error) {
        const source = (error as { source?: number }).source;
        if (source !== undefined) {
          context.requestText = texts[source];
          process.stderr.write(`in ${files[source]}:\n`);
        } else process.stderr.write(`in ${options.model}:\n`);
        throw error;
      }
    }));
}
