import type { StoreDriver } from './driver.js';
import { StoreError } from './errors.js';

// The driver a store opens with when none is given: the entry point installs its runtime's
// (SQLCipher through better-sqlite3 on Node). The portable store has none of its own.
let makeDefault: (() => StoreDriver) | undefined;

export function installDefaultDriver(make: () => StoreDriver): void {
  makeDefault = make;
}

export function defaultDriver(): StoreDriver {
  if (!makeDefault) throw new StoreError('INVALID_ARGUMENT', 'No storage driver for this runtime: give one (options.driver)');
  return makeDefault();
}
