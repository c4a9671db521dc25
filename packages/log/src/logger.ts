/**
 * The logger seam, on any runtime: the `Logger` interface is the subset of pino's that we use,
 * so a pino logger (or any compatible one) can be handed in as it is.
 */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

type LogMethod = {
  (message: string): void;
  (fields: Record<string, unknown>, message?: string): void;
};

/** A logger with levels and per-component children (pino's shape). */
export interface Logger {
  error: LogMethod;
  warn: LogMethod;
  info: LogMethod;
  debug: LogMethod;
  trace: LogMethod;
  /** A logger whose lines carry these fields too (e.g. `{ component: 'sync' }`). */
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  /** Lowest level written; the default is `warn` (on Node, `DISCRET_LOG` in the environment overrides it). */
  level?: LogLevel;
  /** Where lines go: stderr on Node, the console in a browser. */
  destination?: { write(line: string): void };
}

/** The child logger of one component: every line it writes names the component. */
export function componentLogger(logger: Logger, component: string): Logger {
  return logger.child({ component });
}
