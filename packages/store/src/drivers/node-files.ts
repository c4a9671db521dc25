import { stat } from 'node:fs/promises';
import type { StoreDriver } from '../driver.js';
import { FileLock } from './file-lock.js';

/** The file parts of Node's drivers: the lock file beside the database, the file's size. */
export const nodeFiles: Required<Pick<StoreDriver, 'lock' | 'fileSize'>> = {
  lock: async (path) => FileLock.acquire(path),
  fileSize: async (path) => {
    try {
      return (await stat(path)).size;
    } catch {
      return undefined; // no file: a new database
    }
  },
};
