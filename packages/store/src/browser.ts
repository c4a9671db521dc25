/**
 * @discret/store for browsers: the store and its query engine, and the page's driver:
 * encrypted SQLite in WebAssembly over the origin private file system, in a worker.
 */
import { installDefaultDriver } from './default-driver.js';
import { opfsDriver } from './browser/opfs-driver.js';

export * from './portable.js';
export { opfsDriver, type OpfsDriverOptions } from './browser/opfs-driver.js';

// One driver (one worker) for every store of the page that gives none.
let shared: ReturnType<typeof opfsDriver> | undefined;
installDefaultDriver(() => {
  shared ??= opfsDriver();
  return shared;
});
