/**
 * @discret/log for browsers: pino's browser build, which logs objects to the console (or
 * JSON lines to `destination`). The same `Logger` as on Node.
 */
import { pino } from 'pino';
import type { Logger, LoggerOptions } from './logger.js';

export { componentLogger, type Logger, type LoggerOptions, type LogLevel } from './logger.js';

/** The default logger of a page: the console, `warn` and above unless told otherwise. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination;
  const browser = destination ? { asObject: true, write: (record: object) => destination.write(`${JSON.stringify(record)}\n`) } : {};
  return pino({ level: options.level ?? 'warn', base: { lib: 'discret' }, browser }) as unknown as Logger;
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ level: 'silent', destination: { write() {} } });
