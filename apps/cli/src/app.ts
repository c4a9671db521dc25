// Opening the data folder a command works on: the data model, the key material (from a login
// and a password that never appears on the command line) and, for peers, the network.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Configuration, Discret, derivePassPhrase, type Transport } from '@discret/core';
import type { RunContext } from './commands/run.js';
import { UsageError } from './exit.js';

/** The options every command on a data folder takes. */
export interface FolderOptions {
  data: string;
  appKey: string;
  login: string;
  passwordEnv?: string;
  model?: string;
}

/** Where the data model last given with `--model` is kept, so later commands need not repeat it. */
const MODEL_FILE = 'data-model.discret';

/** The password: from the named environment variable, or asked for on the terminal (never an argument). */
export async function readPassword(options: FolderOptions): Promise<string> {
  if (options.passwordEnv) {
    const value = process.env[options.passwordEnv];
    if (value === undefined || value === '') throw new UsageError(`the environment variable ${options.passwordEnv} (--password-env) is not set`);
    return value;
  }
  if (!process.stdin.isTTY) throw new UsageError('no password: give --password-env VAR, or run in a terminal to be asked for it');
  const { default: password } = await import('@inquirer/password');
  return password({ message: `password for ${options.login}`, mask: true });
}

/**
 * The data model text: the `--model` file (remembered in the data folder), or the one
 * remembered; undefined when neither, and the database's own stored model is used.
 */
export function readDataModel(options: FolderOptions): string | undefined {
  const remembered = join(options.data, MODEL_FILE);
  if (options.model) {
    try {
      return readFileSync(options.model, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read the data model file ${options.model}: ${(error as Error).message}`);
    }
  }
  if (existsSync(remembered)) return readFileSync(remembered, 'utf8');
  if (!existsSync(options.data)) throw new UsageError(`no data folder ${options.data}: give --model FILE to create one (it is remembered for later commands)`);
  return undefined;
}

/** Opens the folder's Discret (created on first use). Without a transport it is a local database. */
export async function openFolder(options: FolderOptions, network?: { transport: Transport; config: Partial<Configuration> }, context?: RunContext): Promise<Discret> {
  const dataModel = readDataModel(options);
  // an error while opening is about the data model: its caret goes under the model's text
  if (context && dataModel !== undefined) context.requestText = dataModel;
  const keyMaterial = await derivePassPhrase(options.login, await readPassword(options));
  const app = await Discret.open({
    ...(dataModel === undefined ? {} : { dataModel }), appKey: options.appKey, keyMaterial, dataFolder: options.data,
    ...(network ? { transport: network.transport, config: network.config } : { transport: 'none' as const }),
  }).catch((error: { code?: string }) => {
    if (dataModel === undefined && error.code === 'INVALID_CONFIGURATION') {
      throw new UsageError(`no data model for ${options.data}: give --model FILE (it is remembered for later commands)`);
    }
    throw error;
  });
  if (options.model && dataModel !== undefined) rememberDataModel(options, dataModel);
  return app;
}

/** Opens the folder as a local database, runs `body` with it, and closes it whatever happens. */
export async function withFolder<T>(options: FolderOptions, body: (app: Discret) => Promise<T>, context?: RunContext): Promise<T> {
  const app = await openFolder(options, undefined, context);
  try {
    return await body(app);
  } finally {
    await app.close();
  }
}

/** Keeps `text` as the folder's data model for the next commands (after `--model` or `model --set`). */
export function rememberDataModel(options: FolderOptions, text: string): void {
  writeFileSync(join(options.data, MODEL_FILE), text);
}
