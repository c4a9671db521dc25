// discret repl: requests typed at a prompt on a data folder. A request may span lines (it is
// run once its braces close); Tab completes namespaces, entities and fields of the data model;
// history is kept per data folder; results print as JSON or as tables (.format).
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { DataModelInfo, Discret } from '@discret/core';
import { openFolder, type FolderOptions } from '../app.js';
import { describeError } from '../exit.js';
import { withFolderOptions } from './folder-options.js';
import { run } from './run.js';

const HISTORY_FILE = '.discret_history';
const HISTORY_SIZE = 1000;
const KEYWORDS = ['query', 'mutate', 'delete', 'order_by', 'nullable', 'first', 'skip', 'before', 'after', 'search', 'count()', 'avg', 'min', 'max', 'sum', 'asc', 'desc', 'room_id', 'id', 'mdate', 'cdate', 'verifying_key'];

/** The words Tab offers: `ns.`, `ns.Entity`, and field names, from the model's JSON form. */
export function completionWords(model: DataModelInfo['model']): string[] {
  const words = new Set(KEYWORDS);
  for (const namespace of model.namespaces ?? []) {
    if (namespace.name) words.add(`${namespace.name}.`);
    for (const entity of namespace.entities ?? []) {
      words.add(namespace.name ? `${namespace.name}.${entity.name}` : entity.name);
      for (const field of entity.fields ?? []) words.add(field.name);
    }
  }
  return [...words].sort();
}

/** Braces still open in `text` (outside strings and comments): a request is complete at 0. */
export function openBraces(text: string): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '{') depth++;
    else if (c === '}') depth--;
  }
  return depth;
}

/** Rows as a table: one per alias, nested values as JSON. */
function printTables(result: Record<string, unknown>): void {
  for (const [alias, value] of Object.entries(result)) {
    const rows = Array.isArray(value) ? value : [value];
    console.log(`${alias}:`);
    console.table(rows.map((row) => Object.fromEntries(Object.entries(row as Record<string, unknown>).map(([k, v]) => [k, v !== null && typeof v === 'object' ? JSON.stringify(v) : v]))));
  }
}

async function runRequest(app: Discret, text: string, format: 'json' | 'table'): Promise<void> {
  const kind = /^\s*(?:\/\/[^\n]*\n\s*)*(\w+)/.exec(text)?.[1];
  let result: unknown;
  if (kind === 'query') result = await app.query(text);
  else if (kind === 'mutate') result = await app.mutate(text);
  else if (kind === 'delete') {
    await app.delete(text);
    result = { deleted: true };
  } else throw new Error('a request starts with query, mutate or delete (.help for more)');
  if (format === 'table' && kind !== 'delete') printTables(result as Record<string, unknown>);
  else console.log(JSON.stringify(result, null, 2));
}

const HELP = `Type a request (query { ... }, mutate { ... }, delete { ... }); it runs when its braces close.
Tab completes namespaces, entities and fields. Commands:
  .format json|table   how results print (now: %s)
  .model               print the data model
  .exit                leave (or Ctrl-D)`;

export function replCommand(program: Command): void {
  withFolderOptions(program.command('repl').description('type requests at a prompt: history, multi-line, Tab completion, JSON or tables'))
    .option('--format <format>', 'json or table', 'json')
    .action((options: FolderOptions & { format: string }) => run(async (context) => {
      const app = await openFolder(options, undefined, context);
      let format: 'json' | 'table' = options.format === 'table' ? 'table' : 'json';
      const historyPath = join(options.data, HISTORY_FILE);
      const history = existsSync(historyPath) ? readFileSync(historyPath, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE) : [];
      const words = completionWords((await app.dataModel()).model);
      const rl = createInterface({
        input: process.stdin, output: process.stdout, history, historySize: HISTORY_SIZE, removeHistoryDuplicates: true,
        completer: (line: string) => {
          const word = /[\w.]*$/.exec(line)?.[0] ?? '';
          const hits = words.filter((w) => w.startsWith(word));
          return [hits, word];
        },
      });
      let buffer = '';
      const prompt = () => {
        rl.setPrompt(buffer ? '...> ' : 'discret> ');
        rl.prompt();
      };
      console.log(`discret repl on ${options.data} (.help for help)`);
      prompt();
      for await (const line of rl) {
        if (!buffer && line.trim().startsWith('.')) {
          const [command, argument] = line.trim().split(/\s+/);
          if (command === '.exit') break;
          if (command === '.help') console.log(HELP.replace('%s', format));
          else if (command === '.model') console.log((await app.dataModel()).text);
          else if (command === '.format' && (argument === 'json' || argument === 'table')) format = argument;
          else console.log(`unknown command ${line.trim()} (.help)`);
          prompt();
          continue;
        }
        buffer = buffer ? `${buffer}\n${line}` : line;
        if (!buffer.trim() || openBraces(buffer) > 0) {
          if (!buffer.trim()) buffer = '';
          prompt();
          continue;
        }
        const text = buffer;
        buffer = '';
        appendFileSync(historyPath, `${text.replaceAll('\n', ' ')}\n`);
        try {
          await runRequest(app, text, format);
        } catch (error) {
          console.log(describeError(error, text).text);
        }
        prompt();
      }
      rl.close();
      // keep the history file bounded
      const kept = readFileSync(historyPath, { encoding: 'utf8', flag: 'a+' }).split('\n').filter(Boolean).slice(-HISTORY_SIZE);
      writeFileSync(historyPath, kept.length ? `${kept.join('\n')}\n` : '');
      await app.close();
    }));
}
