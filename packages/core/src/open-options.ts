import { DiscretError } from './errors.js';
import { platform } from './platform.js';

/** The options `Discret.open` takes; anything else is refused, naming the key. */
const OPTION_KEYS = new Set(['dataModel', 'appKey', 'keyMaterial', 'dataFolder', 'config', 'driver', 'logger', 'cryptoPool', 'transport']);

/** The methods each component handed in must have (so a wrong object is named at once, not found as a crash later). */
const COMPONENT_METHODS: Record<string, readonly string[]> = {
  transport: ['start', 'stop', 'addresses', 'dial', 'onConnection'],
  logger: ['error', 'warn', 'info', 'debug', 'child'],
  driver: ['open'],
  cryptoPool: ['signAll', 'close'],
};

/**
 * Checks the shape of `Discret.open`'s options before anything is opened: an object, known keys,
 * a data folder that is (or can be made) a folder, and components that have their methods.
 * Every mistake is INVALID_CONFIGURATION naming the option; the key material and app key are
 * checked by @discret/crypto, the data model by the language.
 */
export function checkOpenOptions(options: unknown): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new DiscretError('INVALID_CONFIGURATION', 'Discret.open takes an options object ({ dataModel, appKey, keyMaterial, dataFolder, ... })');
  }
  const given = options as Record<string, unknown>;
  for (const key of Object.keys(given)) {
    if (!OPTION_KEYS.has(key)) {
      const hint = key === 'store' ? ' (the storage driver option is now called "driver")' : '';
      throw new DiscretError('INVALID_CONFIGURATION', `Unknown option "${key}"${hint}`);
    }
  }
  for (const [key, methods] of Object.entries(COMPONENT_METHODS)) {
    const value = given[key];
    if (value === undefined || (key === 'transport' && value === 'none')) continue;
    const missing = typeof value === 'object' && value !== null ? methods.filter((m) => typeof (value as Record<string, unknown>)[m] !== 'function') : methods;
    if (missing.length) {
      const what = key === 'transport' ? 'a Transport (libp2pTransport(), memoryTransport()) or "none"' : `a ${key}`;
      throw new DiscretError('INVALID_CONFIGURATION', `Option "${key}" must be ${what}: it lacks ${missing.join(', ')}`);
    }
  }
  if (typeof given.dataFolder !== 'string' || !given.dataFolder) {
    throw new DiscretError('INVALID_CONFIGURATION', 'dataFolder must be a path');
  }
}

/** Makes the data folder; a path that cannot be a folder (a file, no permission) is INVALID_CONFIGURATION. */
export function makeDataFolder(path: string): void {
  try {
    platform().makeDataFolder(path);
  } catch (error) {
    throw new DiscretError('INVALID_CONFIGURATION', `dataFolder ${path} cannot be used as a folder: ${(error as Error).message}`, { cause: error });
  }
}
