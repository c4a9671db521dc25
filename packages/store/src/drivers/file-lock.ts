import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { StoreError } from '../errors.js';

/**
 * One process at a time per database file. Two processes (or two stores in one process)
 * writing the same file through their own group-commit writers would wait on each other's
 * transactions: measured, the second one hung. The lock is a file beside the database holding
 * the owner's pid; a lock whose process is gone (killed, crashed) is taken over at once, so a
 * restart after a crash is never refused. (Lock libraries based on file age would refuse a
 * restart for their whole stale period.)
 */
const heldHere = new Set<string>();

export class FileLock {
  private constructor(private readonly path: string) {}

  /** Takes the lock of `databasePath`, or throws LOCKED naming the process that holds it. */
  static acquire(databasePath: string): FileLock {
    const path = `${databasePath}.lock`;
    if (heldHere.has(path)) throw locked(databasePath, 'this process');
    // Bounded: a lock can be found stale and taken over at most a few times in a race.
    for (let tries = 0; tries < 5; tries++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        heldHere.add(path);
        return new FileLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const owner = readOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) throw locked(databasePath, `process ${owner}`);
      // The owner is gone (or the file is half-written by a process that died): take it over.
      rmSync(path, { force: true });
    }
    throw locked(databasePath, 'another process');
  }

  release(): void {
    heldHere.delete(this.path);
    if (readOwner(this.path) === process.pid) rmSync(this.path, { force: true });
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, but not ours to signal
  }
}

function locked(databasePath: string, holder: string): StoreError {
  return new StoreError('LOCKED', `The database ${databasePath} is already open in ${holder}: one process at a time may open a data folder`);
}
