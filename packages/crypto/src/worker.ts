import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread with the parent's Node flags, minus those a worker cannot take.
 * `--input-type` is only for a main script given as text, so it goes. V8 flags such as
 * `--max-old-space-size` make `new Worker` throw when passed (and inheriting them with
 * `--input-type` present fails too), so when the flags are refused the worker starts
 * without any: ours need none.
 */
export function startWorker(file: URL, options: Omit<WorkerOptions, 'execArgv'> = {}): Worker {
  const execArgv = process.execArgv.filter((flag) => !flag.startsWith('--input-type'));
  try {
    return new Worker(file, { ...options, execArgv });
  } catch (err) {
    if ((err as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw err;
    return new Worker(file, { ...options, execArgv: [] });
  }
}
