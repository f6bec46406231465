import { resolve } from 'node:path';
import { rootLogger } from '@crystallize/core';
import { startWorker, type DistributedWorker, type WorkerOptions } from './worker.js';

export interface WorkerCommandOptions extends Omit<WorkerOptions, 'connection'> {
  /** `--redis URL` */
  readonly redis: string;
}

/**
 * `crystallize worker --redis URL [--root DIR] [--concurrency N]`: runs a worker in this process
 * from the project root (relative paths in experiments resolve there, as for `crystallize run`)
 * until SIGINT/SIGTERM; the first signal lets running replicates finish, a second cancels them.
 * Resolves when the worker has closed.
 */
export async function runWorkerCommand(options: WorkerCommandOptions): Promise<void> {
  const root = resolve(options.root ?? process.cwd());
  process.chdir(root);
  const worker: DistributedWorker = await startWorker({
    ...options,
    connection: options.redis,
    root,
  });
  await new Promise<void>((done) => {
    let signals = 0;
    const stop = (signal: NodeJS.Signals): void => {
      signals += 1;
      const force = signals > 1;
      rootLogger().info(
        force
          ? `${signal}: cancelling running replicates`
          : `${signal}: finishing running replicates (again to cancel them)`,
      );
      void worker.close({ force }).then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
