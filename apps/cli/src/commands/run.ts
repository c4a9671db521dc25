import { describeError } from '../exit.js';

/** What a failing command reports against: the request it was running, for the caret. */
export interface RunContext {
  requestText?: string;
}

/** Runs a command's body; on failure prints the report on stderr and sets the exit code. */
export async function run(body: (context: RunContext) => Promise<void>): Promise<void> {
  const context: RunContext = {};
  try {
    await body(context);
  } catch (error) {
    const { text, exitCode } = describeError(error, context.requestText);
    process.stderr.write(`${text}\n`);
    process.exitCode = exitCode;
  }
}
