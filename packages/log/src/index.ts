/**
 * @discret/log for Node — the one logger seam of Discret.
 *
 * Every component logs through a `Logger` named after it (`store`, `sync`, `beacon`...). The
 * default is a pino logger writing JSON lines to stderr at `warn`. The `browser` export
 * condition gives browser.ts, which logs to the console.
 */
import { pino } from 'pino';
import type { Logger, LoggerOptions, LogLevel } from './logger.js';

export { componentLogger, type Logger, type LoggerOptions, type LogLevel } from './logger.js';

/** The default logger: pino, JSON lines, `warn` and above unless told otherwise. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? (process.env.DISCRET_LOG as LogLevel | undefined) ?? 'warn';
  const destination = options.destination ?? pino.destination({ fd: 2, sync: true });
  return pino({ level, base: { lib: 'discret' } }, destination) as unknown as Logger;
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ level: 'silent', destination: { write() {} } });
