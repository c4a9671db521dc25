// The text of a request and its parameters, from the command line, a file or standard input.
import { readFileSync } from 'node:fs';
import { text } from 'node:stream/consumers';
import { UsageError } from './exit.js';

/** The request: `--file F`, else the argument, else standard input (the argument `-`, or none when piped). */
export async function readRequest(argument: string | undefined, file: string | undefined): Promise<string> {
  if (file !== undefined) {
    if (argument !== undefined) throw new UsageError('give the request as an argument or with --file, not both');
    try {
      return readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
    }
  }
  if (argument !== undefined && argument !== '-') return argument;
  if (argument === undefined && process.stdin.isTTY) throw new UsageError('no request: give it as an argument, with --file, or on standard input');
  return text(process.stdin);
}

/** `--params '{"name": "x"}'`: a JSON object of the request's `$` parameters. */
export function parseParams(json: string | undefined): Record<string, unknown> {
  if (json === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new UsageError(`--params is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError('--params is a JSON object, e.g. {"name": "x"}');
  return value as Record<string, unknown>;
}
