/**
 * @discret/log — the one logger seam of Discret.
 *
 * Every component logs through a `Logger` named after it (`store`, `sync`, `beacon`...). The
 * interface is the subset of pino's that we use, so a pino logger (or any compatible one) can
 * be handed in as it is; the default is a pino logger writing JSON lines to stderr at `warn`.
 */
import { pino } from 'pino';

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
  /** Lowest level written; `DISCRET_LOG` in the environment overrides the default `warn`. */
  level?: LogLevel;
  /** Where lines go; stderr by default. */
  destination?: { write(line: string): void };
}

/** The default logger: pino, JSON lines, `warn` and above unless told otherwise. */
export function createLogger(options: LoggerOptions = {}): Logger {
  // The environment variable where there is one (Node); a browser has no `process`.
  const fromEnvironment = typeof process === 'undefined' ? undefined : (process.env.DISCRET_LOG as LogLevel | undefined);
  const level = options.level ?? fromEnvironment ?? 'warn';
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino({ level, base: { lib: 'discret' } }, destination) as unknown as Logger;
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ level: 'silent', destination: { write() {} } });

/** The child logger of one component: every line it writes names the component. */
export function componentLogger(logger: Logger, component: string): Logger {
  return logger.child({ component });
}
