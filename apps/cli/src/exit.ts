// Exit codes and error reports. Distinct codes let scripts tell a wrong command line from a
// wrong request from a failure while running it.
import { DiscretError } from '@discret/core';

export const EXIT = {
  ok: 0,
  /** A step did not happen (the demo did not converge, a peer never came). */
  failed: 1,
  /** The command line is wrong: unknown option, missing argument, unreadable file. */
  usage: 2,
  /** The request or data model does not parse or validate (the report has line and column). */
  language: 3,
  /** Anything that went wrong while running: storage, crypto, network, rights. */
  runtime: 4,
} as const;

/** A mistake in how the command was called. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/**
 * The report of `error` for stderr, and its exit code. A language error shows its line with a
 * caret under the column, so a long request points at its mistake.
 */
export function describeError(error: unknown, requestText?: string): { text: string; exitCode: number } {
  if (error instanceof UsageError) return { text: `discret: ${error.message}`, exitCode: EXIT.usage };
  if (error instanceof DiscretError) {
    if (error.line !== undefined && error.column !== undefined) {
      // the message may end with its own "(line L, column C)": said once, first
      const message = error.message.replace(/\s*\(line \d+, column \d+\)$/, '');
      const lines = [`error ${error.code} at line ${error.line}, column ${error.column}: ${message}`];
      const source = requestText?.split('\n')[error.line - 1];
      if (source !== undefined) {
        const gutter = `${error.line} | `;
        lines.push(`${gutter}${source}`, `${' '.repeat(gutter.length - 2)}| ${' '.repeat(Math.max(0, error.column - 1))}^`);
      }
      return { text: lines.join('\n'), exitCode: EXIT.language };
    }
    return { text: `error ${error.code}: ${error.message}`, exitCode: EXIT.runtime };
  }
  return { text: `error: ${error instanceof Error ? error.message : String(error)}`, exitCode: EXIT.runtime };
}
